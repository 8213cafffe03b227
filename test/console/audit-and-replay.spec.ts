import { ConsoleHarness, signIn, startConsole } from './support/console-harness';

/**
 * What an auditor asks to see must be what the page shows: a look at a resident's personal data is
 * shown (it is recorded either way), and a replay answered late never passes for the case as it is.
 */
describe('console: an auditor\'s look and replays answered out of order', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => { harness = await startConsole(); }, 60_000);
  afterAll(async () => { await harness?.close(); });

  const intake = async () => (await harness.post('/cases', harness.token('operator'), {
    channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '厨房水管漏水',
    location: { compoundId: 'compound-01', building: '5' }, reporter: { name: '王女士', phone: '13800138000' },
  })).id as string;

  /** The audit page of a case, as an auditor who has typed the reason for a look. */
  const auditorOn = async (id: string) => {
    const opened = await harness.open();
    await signIn(opened.page, harness.baseUrl, '审计人员', '审计员陈');
    await opened.page.goto(`${harness.baseUrl}/#/audit?case=${id}`);
    await opened.page.getByText('原始数据').waitFor();
    await opened.page.getByLabel('查看原因').fill('复核来电记录');
    return opened;
  };

  it('shows the personal data an auditor looked at, and records the look once', async () => {
    const id = await intake();
    const { page, errors } = await auditorOn(id);
    // The history is read again after the look (it now holds the look's event): the look stays on screen.
    const reread = page.waitForResponse((response) => new URL(response.url()).pathname === `/cases/${id}/events`);
    await page.getByRole('button', { name: '查看个人信息' }).click();
    await page.getByText('已记录查看').waitFor();
    await reread;
    await page.locator('.unmasked').getByText(/王女士\s+13800138000\s+5/).waitFor();
    expect(await page.locator('.unmasked').innerText()).toContain('13800138000');
    const looks = (await harness.get('/audit/unmasks', harness.token('auditor'))).rows.filter((row: { caseId: string }) => row.caseId === id);
    expect(looks).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a look is no longer shown once the case\'s personal data was erased, when the auditor reloads the case', async () => {
    const id = await intake();
    const { page, errors } = await auditorOn(id);
    await page.getByRole('button', { name: '查看个人信息' }).click();
    await page.locator('.unmasked').getByText(/13800138000/).waitFor();
    await harness.post(`/cases/${id}/erase-personal-data`, harness.token('operator'), { reason: '居民依法申请删除' });
    const reread = page.waitForResponse((response) => new URL(response.url()).pathname === `/cases/${id}/events`);
    await page.getByRole('button', { name: '回放' }).click();
    await reread;
    await page.locator('.unmasked').waitFor({ state: 'detached' });
    expect(await page.getByText('13800138000').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a look at a case erased before it shows the erased texts as 已删除, and they stay after the history is read again', async () => {
    const id = await intake();
    await harness.post(`/cases/${id}/erase-personal-data`, harness.token('operator'), { reason: '居民依法申请删除' });
    const { page, errors } = await auditorOn(id);
    const reread = page.waitForResponse((response) => new URL(response.url()).pathname === `/cases/${id}/events`);
    await page.getByRole('button', { name: '查看个人信息' }).click();
    await page.getByText('已记录查看').waitFor();
    await reread;
    await page.locator('.unmasked').getByText('已删除').first().waitFor();
    expect(await page.locator('.unmasked').innerText()).not.toContain('13800138000');
    expect(errors).toEqual([]);
  }, 90_000);

  it('a replay answered after the page went back to the current case does not show an old state as the current one', async () => {
    const id = await intake();
    const operator = harness.token('operator');
    await harness.post(`/cases/${id}/dispatch`, operator, { assigneeId: 'company-jinling', tier: 'grid' });
    await harness.post(`/cases/${id}/accept`, harness.token('handler', 'company-jinling'), {});
    const { page, errors } = await harness.open();
    await signIn(page, harness.baseUrl, '话务调度员', '12345派单员张');
    await page.goto(`${harness.baseUrl}/#/cases/${id}`);
    const header = page.getByRole('region', { name: '工单详情', exact: true });
    await header.getByText('办理中', { exact: true }).waitFor();

    // The intake's state (revision 0) is slow to come; meanwhile the auditor goes back to the last step.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route('**/cases/*?asOf=0', async (route) => {
      await held;
      await route.continue();
    });
    const timeline = page.getByLabel('timeline');
    await timeline.getByText('受理', { exact: true }).click();
    await page.getByText('正在查看第 0 步时的工单状态').waitFor();
    await timeline.getByText('签收', { exact: true }).click();
    await page.getByText('当前', { exact: true }).waitFor();
    const late = page.waitForResponse((response) => response.url().includes('asOf=0'));
    release();
    await late;
    // One more turn for the late answer to land, were it let in.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(await header.getByText('办理中', { exact: true }).count()).toBe(1);
    expect(await header.getByText('待派单', { exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a case\'s history answered after the auditor opened another case is not shown beside it', async () => {
    const [a, b] = [await intake(), await intake()];
    await harness.post(`/cases/${b}/dispatch`, harness.token('operator'), { assigneeId: 'company-jinling', tier: 'grid' });
    const { page, errors } = await harness.open();
    await signIn(page, harness.baseUrl, '审计人员', '审计员陈');
    await page.goto(`${harness.baseUrl}/#/audit?case=${a}`);
    await page.getByText('原始数据').waitFor();

    // Case A is opened again and its history is slow to come; meanwhile the auditor opens case B.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route(`**/cases/${a}/events`, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: '回放' }).click();
    await page.goto(`${harness.baseUrl}/#/audit?case=${b}`);
    await page.getByText('派单 ·', { exact: false }).first().waitFor();
    const late = page.waitForResponse((response) => new URL(response.url()).pathname === `/cases/${a}/events`);
    release();
    await late;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await page.getByLabel('工单号').inputValue()).toBe(b);
    const shown = await page.locator('section').first().innerText();
    expect(shown).toContain(b);
    expect(shown).not.toContain(a);
    expect(errors).toEqual([]);
  }, 90_000);
});
