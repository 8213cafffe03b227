import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { DEADLINE_ACTOR } from '@civicloop/consumers';
import { ApiHarness, startApi } from '../support/api-harness';

/** Where `DOSSIER_SCREENSHOT=docs/screenshots/dossier.png npx jest test/audit/dossier-api.spec.ts` leaves the page. */
const SCREENSHOT = process.env.DOSSIER_SCREENSHOT;

describe('GET /cases/{id}/dossier and the as-of chain', () => {
  let api: ApiHarness;
  let id: string;
  const revisionTimes: string[] = [];

  beforeAll(async () => {
    // The worker in process: the chain follower signs a checkpoint after every batch.
    api = await startApi({ WORKER_IN_PROCESS: 'true', AUDIT_CHECKPOINT_EVERY: '1' });
    const operator = api.token('operator');
    const resident = api.token('resident');
    const company = api.token('handler', 'company-jinling');
    const community = api.token('handler', 'community-11');
    const supervisor = api.token('supervisor', 'street-fuzimiao');
    const ok = async (res: Promise<{ status: number; body: any }>) => {
      const { status, body } = await res;
      if (status >= 300) throw new Error(`${status} ${JSON.stringify(body)}`);
      revisionTimes.push(api.clock.now().toISOString());
      return body;
    };
    const command = (token: string, name: string, body: unknown = {}, minutes = 30) => {
      api.clock.advance(minutes * 60_000);
      return ok(api.request('POST', `/cases/${id}/${name}`, { token, body }));
    };
    id = (await ok(api.request('POST', '/cases', { token: resident, body: {
      channel: 'online', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
      description: '楼顶漏水，雨天渗到卧室，已持续两周', location: { compoundId: 'compound-01', building: '3', unit: '502' },
      reporter: { name: '王女士', phone: '13800138000' },
    } }))).id;
    await command(operator, 'dispatch', { assigneeId: 'grid-111', tier: 'grid' });
    await command(api.token('handler', 'grid-111'), 'return', { reason: 'overlapping_remit', note: '屋面防水属物业服务范围' });
    await command(operator, 'return-review', { approved: true, note: '退单理由成立' }, 5);
    await command(operator, 'dispatch', { assigneeId: 'company-jinling', tier: 'grid' }, 5);
    // Nobody signed for it in time: recorded the way the deadline worker records it.
    api.clock.advance(3 * 3600_000);
    await api.app.get(CommandBus).execute(new ExecuteCaseCommand(id, {
      type: 'RecordDeadlineReached', data: { deadlineId: 'sign_for_overdue@4', kind: 'sign_for_overdue', dueAt: new Date(Date.parse(api.clock.now().toISOString()) - 3600_000).toISOString() },
    }, { actor: DEADLINE_ACTOR, commandId: randomUUID(), correlationId: randomUUID(), causationId: randomUUID() }));
    revisionTimes.push(api.clock.now().toISOString());
    await command(company, 'accept', {}, 10);
    await command(company, 'escalate', { reason: '屋面防水需业委会动用维修资金，需社区协调' });
    const { supervisionId } = await command(supervisor, 'supervise', { reason: '居民多次来电，请加快办理' });
    await command(community, 'accept');
    await command(community, 'supervision-answer', { supervisionId, answer: '已联系业委会，本周内施工' });
    await command(community, 'resolve', { summary: '协调维修资金，更换屋面防水层', outcome: 'resolved' }, 600);
    await command(resident, 'rate', { rating: 'basically_satisfied', solved: true, comment: '修好了，但拖得有点久' });
    await command(api.token('auditor'), 'unmask', { reason: '核查重复投诉' });
    await command(operator, 'close', { reason: '居民基本满意，结案' });
  }, 60_000);
  afterAll(async () => { await api.close(); });

  const dossierJson = async () => (await api.request('GET', `/cases/${id}/dossier`, { token: api.token('auditor'), headers: { accept: 'application/json' } })).body;

  it('answers JSON with the timeline in words, the chain, the missed deadline, the rating, the unmasking and every event proven', async () => {
    let dossier = await dossierJson();
    for (let waited = 0; dossier.proof.eventsProven < dossier.timeline.length && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      dossier = await dossierJson();
    }
    expect(dossier.timeline.map((t: { text: string }) => t.text)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^经网络受理投诉/), expect.stringMatching(/退单，原因：职责交叉（屋面防水属物业服务范围）$/), '退单审核通过，工单待重新派单（退单理由成立）',
      expect.stringMatching(/^金陵物业服务有限公司签收已超期/), expect.stringMatching(/^审计人员查看了居民个人信息，理由：核查重复投诉/),
    ]));
    expect(dossier.escalationChain.map((s: { via: string; endedBy: string }) => [s.via, s.endedBy])).toEqual([['派单', '退单'], ['派单', '上报'], ['上报', '办结']]);
    expect(dossier.deadlines.missed).toEqual([expect.objectContaining({ what: '签收超期（金陵物业服务有限公司）' })]);
    expect(dossier.ratings).toEqual([expect.objectContaining({ rating: '基本满意', solved: true })]);
    expect(dossier.unmaskings).toEqual([expect.objectContaining({ reason: '核查重复投诉' })]);
    expect(dossier.summary.reporter).toBe('王** 138****8000');
    expect(dossier.proof).toMatchObject({ chainIntact: true, checkpoint: { signatureValid: true } });
    expect(dossier.proof.eventsProven).toBe(dossier.timeline.length);
    expect(JSON.stringify(dossier)).not.toContain('13800138000');
  });

  it('answers a printable HTML page by default, which Chromium renders with its Chinese text', async () => {
    const res = await api.request('GET', `/cases/${id}/dossier`, { token: api.token('supervisor', 'street-fuzimiao') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.setContent(res.body, { waitUntil: 'load' });
      await expect(page.getByRole('heading', { name: '工单审计档案' }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('heading', { name: '七、哈希证明' }).isVisible()).resolves.toBe(true);
      expect(await page.getByText('签收超期（金陵物业服务有限公司）').count()).toBe(1);
      if (SCREENSHOT) {
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      }
    } finally {
      await browser.close();
    }
  });

  it('GET /cases/{id}/chain?asOf=: the chain as it stood then, by revision and by time', async () => {
    const supervisor = api.token('supervisor', 'street-fuzimiao');
    const atReturn = await api.request('GET', `/cases/${id}/chain?asOf=2`, { token: supervisor });
    expect(atReturn.status).toBe(200);
    expect(atReturn.body.assignments).toEqual([expect.objectContaining({ assigneeId: 'grid-111', endedBy: 'returned' })]);
    const beforeEscalation = await api.request('GET', `/cases/${id}/chain?asOf=${encodeURIComponent(revisionTimes[6])}`, { token: supervisor });
    expect(beforeEscalation.body.tiers).toEqual(['grid']);
    const now = await api.request('GET', `/cases/${id}/chain?consistentWith=0`, { token: supervisor });
    expect(now.body.tiers).toEqual(['grid', 'community']);
    const bad = await api.request('GET', `/cases/${id}/chain?asOf=yesterday`, { token: supervisor });
    expect(bad).toMatchObject({ status: 400, body: { fields: [{ field: 'asOf' }] } });
    const beyond = await api.request('GET', `/cases/${id}/chain?asOf=999`, { token: supervisor });
    expect(beyond).toMatchObject({ status: 400, body: { code: 'REVISION_NOT_REACHED' } });
    const before = await api.request('GET', `/cases/${id}/chain?asOf=2020-01-01T00:00:00Z`, { token: supervisor });
    expect(before.status).toBe(404);
  });
});
