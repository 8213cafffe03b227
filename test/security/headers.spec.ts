import { ApiHarness, startApi } from '../support/api-harness';

/** helmet's defaults on every answer: success, refusal, 404 and the hook-level 415 alike. */
describe('security headers', () => {
  let api: ApiHarness;
  beforeAll(async () => { api = await startApi(); });
  afterAll(async () => { await api.close(); });

  it('every kind of answer carries them, and none names the server', async () => {
    const op = api.token('operator');
    const intake = {
      channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
      description: '楼顶漏水', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
    };
    const answers = [
      await api.request('GET', '/health'),
      await api.request('POST', '/cases', { token: op, body: intake }),
      await api.request('POST', '/cases', { body: intake }),
      await api.request('GET', '/no-such-route', { token: op }),
      await api.request('POST', '/cases', { token: op, body: 'hello', headers: { 'content-type': 'text/plain' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 201, 401, 404, 415]);
    for (const { headers } of answers) {
      expect(headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
      expect({
        nosniff: headers.get('x-content-type-options'),
        frames: headers.get('x-frame-options'),
        hsts: headers.get('strict-transport-security'),
        opener: headers.get('cross-origin-opener-policy'),
        resources: headers.get('cross-origin-resource-policy'),
        referrer: headers.get('referrer-policy'),
        poweredBy: headers.get('x-powered-by'),
      }).toEqual({
        nosniff: 'nosniff', frames: 'SAMEORIGIN', hsts: 'max-age=31536000; includeSubDomains', opener: 'same-origin',
        resources: 'same-origin', referrer: 'no-referrer', poweredBy: null,
      });
    }
  });
});
