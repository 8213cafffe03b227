import { ConsoleHarness, signIn, startConsole } from './support/console-harness';

/**
 * A handler's workbench follows its unit's cases live, in real Chromium: a case dispatched to the
 * unit elsewhere appears in 待签收 without a reload, though the view answering it lags behind the
 * feed, and moves to 办理中 once signed for elsewhere.
 */
describe('console: the handler\'s workbench, live', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => { harness = await startConsole(); }, 60_000);
  afterAll(async () => { await harness?.close(); });

  it('shows a case dispatched to the unit and its signing, though the view lags behind the feed', async () => {
    const { page, errors } = await harness.open();
    await signIn(page, harness.baseUrl, '承办人员', '金陵物业服务有限公司经办人');
    const toSign = page.getByRole('region', { name: '待签收' });
    const inProgress = page.getByRole('region', { name: '办理中' });
    await page.getByText('实时').waitFor();

    // From now on the first read tied to each new event is answered as by a view still catching up.
    const refused = new Set<string>();
    await page.route('**/views/board?**', (route) => {
      const consistentWith = new URL(route.request().url()).searchParams.get('consistentWith');
      if (consistentWith !== null && !refused.has(consistentWith)) {
        refused.add(consistentWith);
        return route.fulfill({ status: 503, json: { code: 'VIEW_NOT_CAUGHT_UP', message: 'board is catching up; retry shortly' } });
      }
      return route.continue();
    });
    const operator = harness.token('operator');
    const { id } = await harness.post('/cases', operator, {
      channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '地下室进水',
      location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' },
    });
    await harness.post(`/cases/${id}/dispatch`, operator, { assigneeId: 'company-jinling', tier: 'grid' });
    const link = (list: typeof toSign) => list.getByRole('link', { name: id.slice(0, 8) });
    await link(toSign).waitFor();

    await harness.post(`/cases/${id}/accept`, harness.token('handler', 'company-jinling'), {});
    await link(inProgress).waitFor();
    expect(await link(toSign).count()).toBe(0);
    expect(refused.size).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.el-message--error').count()).toBe(0);
    expect(errors.filter((error) => !error.includes('status of 503'))).toEqual([]);
  }, 90_000);
});
