import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { ApiHarness, startApi } from '../support/api-harness';

interface Received { id: string | undefined; data: { caseId: string; type: string; position: number; revision: number } }

/** Opens the stream and collects its messages until close() (fetch streaming, like the console). */
async function openStream(baseUrl: string, token: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${baseUrl}/events/stream`, { headers, signal: abort.signal });
  const messages: Received[] = [];
  let buffer = '';
  // Enough of the SSE format for what the API writes: blocks split by a blank line, id: and data: lines.
  const feed = (text: string) => {
    buffer += text;
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    for (const block of blocks) {
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = field('data');
      if (data) messages.push({ id: field('id'), data: JSON.parse(data) });
    }
  };
  const pump = (async () => {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        feed(value);
      }
    } catch { /* aborted */ }
  })();
  return { response, messages, close: async () => { abort.abort(); await pump; } };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

const intake = {
  channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
  description: '楼顶漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
};

describe('GET /events/stream', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('needs a token in the Authorization header and refuses residents and a malformed Last-Event-ID', async () => {
    expect((await api.request('GET', '/events/stream')).status).toBe(401);
    expect((await api.request('GET', '/events/stream', { token: api.token('resident') })).status).toBe(403);
    const bad = await api.request('GET', '/events/stream', { token: api.token('operator'), headers: { 'last-event-id': 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'Last-Event-ID', problem: 'must be a whole number' }]);
  });

  it('tells each user, within 2 s, of the events they may read, and resumes after Last-Event-ID', async () => {
    const operator = await openStream(api.baseUrl, api.token('operator'));
    const company = await openStream(api.baseUrl, api.token('handler', 'company-jinling'));
    const other = await openStream(api.baseUrl, api.token('handler', 'company-huarun'));
    expect(operator.response.headers.get('content-type')).toContain('text/event-stream');
    const op = api.token('operator');
    const started = Date.now();
    const { id } = (await api.request('POST', '/cases', { token: op, body: intake })).body;
    await until(() => operator.messages.length === 1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(operator.messages[0].data).toMatchObject({ caseId: id, type: 'CaseReceived', revision: 0 });
    expect(operator.messages[0].id).toBe(String(operator.messages[0].data.position));

    await api.request('POST', `/cases/${id}/dispatch`, { token: op, body: { assigneeId: 'company-jinling', tier: 'grid' } });
    await until(() => operator.messages.length === 2 && company.messages.length >= 1);
    // The company may read the case once it is involved: it hears of the dispatch (and the intake before it is history).
    expect(company.messages.map((m) => m.data.type)).toContain('CaseDispatched');
    expect(other.messages).toEqual([]);

    // A client that reconnects with the last id it saw misses nothing and gets nothing twice.
    const first = operator.messages[0].id!;
    await operator.close();
    await api.request('POST', `/cases/${id}/note`, { token: op, body: { text: '已联系' } });
    const resumed = await openStream(api.baseUrl, op, first);
    await until(() => resumed.messages.length === 2);
    expect(resumed.messages.map((m) => m.data.type)).toEqual(['CaseDispatched', 'CaseNoteAdded']);
    await Promise.all([resumed.close(), company.close(), other.close()]);
  });
});

describe('demo sign-in', () => {
  it('signs a token for a demo role × unit on the demo directory outside production', async () => {
    const api = await startApi();
    try {
      const list = await api.request('GET', '/demo-sign-in');
      expect(list.status).toBe(200);
      expect(list.body.users).toContainEqual({ id: 'user-operator-1', name: expect.any(String), role: 'operator', unitId: 'district-qinhuai' });
      const signed = await api.request('POST', '/demo-sign-in', { body: { role: 'handler', unitId: 'company-jinling' } });
      expect(signed.status).toBe(200);
      expect(signed.body.user).toMatchObject({ role: 'handler', unitId: 'company-jinling' });
      expect((await api.request('GET', '/directory', { token: signed.body.token })).status).toBe(200);
      const bad = await api.request('POST', '/demo-sign-in', { body: { role: 'handler', unitId: 'nowhere' } });
      expect(bad.status).toBe(400);
      expect(bad.body.fields[0].field).toBe('unitId');
      expect((await api.request('POST', '/demo-sign-in', { body: { role: 'king' } })).status).toBe(400);
    } finally {
      await api.close();
    }
  });

  it('does not exist in production', async () => {
    // Production refuses a directory marked demo: the same org tree, as a deployment's own file.
    const directoryFile = join(mkdtempSync(join(tmpdir(), 'civicloop-directory-')), 'directory.json');
    writeFileSync(directoryFile, JSON.stringify({ ...JSON.parse(readFileSync(DEMO_DIRECTORY_FILE, 'utf8')), demo: false }));
    const api = await startApi({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-characters', DIRECTORY_FILE: directoryFile });
    try {
      expect((await api.request('GET', '/demo-sign-in')).status).toBe(404);
      expect((await api.request('POST', '/demo-sign-in', { body: { role: 'operator' } })).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
