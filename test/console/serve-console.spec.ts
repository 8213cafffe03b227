import { request } from 'node:http';
import { ApiHarness, startApi } from '../support/api-harness';

/** Raw bytes and headers: fetch would decode the body and hide the encoding that was sent. */
function get(url: string, encoding: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; bytes: number }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { 'accept-encoding': encoding } }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bytes }));
    }).on('error', reject).end();
  });
}

describe('the console\'s files as the API serves them', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(() => api?.close());

  it('sends the build\'s brotli or gzip copy of a hashed asset, cached for good; index.html revalidated', async () => {
    const base = api.baseUrl.replace('[::1]', '127.0.0.1');
    const index = await get(`${base}/`, 'br, gzip');
    expect(index.status).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    const html = await (await fetch(`${base}/`)).text();
    // The shell every page needs, preloaded by index.html (the entry itself is too small to halve).
    const script = /href="\.\/(assets\/shell-[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();

    const plain = await get(`${base}/${script}`, 'identity');
    const br = await get(`${base}/${script}`, 'gzip, deflate, br');
    const gzip = await get(`${base}/${script}`, 'gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.bytes).toBeLessThan(plain.bytes / 2);
    for (const answer of [plain, br, gzip]) {
      expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(answer.headers['content-type']).toMatch(/javascript/);
    }
    // Named files other than hashed bundles revalidate, whichever copy is sent (the .br copy's path
    // once made index.html immutable for a year: a browser then kept a page naming deleted bundles).
    for (const path of ['/index.html', '/favicon.svg']) {
      for (const encoding of ['br, gzip', 'identity']) {
        const answer = await get(`${base}${path}`, encoding);
        expect([path, encoding, answer.status, answer.headers['cache-control']]).toEqual([path, encoding, 200, 'no-cache']);
      }
    }
    // API paths are not shadowed by the console's files.
    expect((await fetch(`${base}/directory`)).status).toBe(401);
  });
});
