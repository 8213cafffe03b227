import { Page } from 'playwright-core';
import { choose, ConsoleHarness, signIn, startConsole } from './support/console-harness';

/**
 * The dispatch centre's and the street's less common actions in real Chromium: offered only when
 * the API would take them, checked in the form before anything is sent, and done through the page
 * (the cases are set up over HTTP; every action under test is clicked).
 */
describe('console: recall, remind, return review, transfer, merge and whistle withdrawal', () => {
  let harness: ConsoleHarness;
  let operatorToken: string;
  beforeAll(async () => {
    harness = await startConsole();
    operatorToken = harness.token('operator');
  }, 60_000);
  afterAll(async () => { await harness?.close(); });

  const intake = async (description: string, compoundId = 'compound-01'): Promise<string> => (await harness.post('/cases', operatorToken, {
    channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description,
    location: { compoundId }, reporter: { name: '王女士', phone: '13800138000' },
  })).id;
  const header = (page: Page) => page.getByRole('region', { name: '工单详情', exact: true });
  const timeline = (page: Page) => page.getByLabel('timeline');
  const buttons = async (page: Page) => (await page.locator('.actions button').allInnerTexts()).map((s) => s.trim());
  async function act(page: Page, action: string, fill: (dialog: ReturnType<Page['getByRole']>) => Promise<void>) {
    await page.getByRole('button', { name: action, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: action });
    await fill(dialog);
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  it('operator: remind (validated), recall, review a return, transfer and merge on the case page and the board', async () => {
    const { page, errors } = await harness.open();
    await signIn(page, harness.baseUrl, '话务调度员', '12345派单员张');

    // A dispatched case: recall and remind are offered, review is not.
    const id = await intake('卫生间漏水到楼下');
    await harness.post(`/cases/${id}/dispatch`, operatorToken, { assigneeId: 'company-jinling', tier: 'grid' });
    await page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await header(page).getByText('待签收', { exact: true }).waitFor();
    expect(await buttons(page)).toEqual(expect.arrayContaining(['撤回派单', '催办', '转办', '合并']));
    expect(await buttons(page)).not.toContain('退单审核');

    // An empty reminder is refused in the form, in words, and nothing is sent.
    await page.getByRole('button', { name: '催办', exact: true }).click();
    const remind = page.getByRole('dialog', { name: '催办' });
    await remind.getByRole('button', { name: '提交' }).click();
    await remind.getByText('请填写内容').waitFor();
    await remind.getByLabel('内容').fill('居民再次来电，请尽快处理');
    await remind.getByRole('button', { name: '提交' }).click();
    await timeline(page).getByText('催办', { exact: true }).waitFor();

    await act(page, '撤回派单', (d) => d.getByLabel('原因').fill('派错单位，撤回重派'));
    await header(page).getByText('待派单', { exact: true }).waitFor();
    await timeline(page).getByText('撤回派单', { exact: true }).waitFor();

    // The company returns it: dispatch waits for the return review, which is offered instead.
    await harness.post(`/cases/${id}/dispatch`, operatorToken, { assigneeId: 'company-jinling', tier: 'grid' });
    await harness.post(`/cases/${id}/return`, harness.token('handler', 'company-jinling'), { reason: 'not_our_jurisdiction' });
    await page.getByText('退单待审核：金陵物业服务有限公司（不属于本单位职责）').waitFor();
    expect(await buttons(page)).toContain('退单审核');
    expect(await buttons(page)).not.toContain('派单');
    expect(await buttons(page)).not.toContain('转办');
    // Rejected: the company must handle it after all.
    await act(page, '退单审核', async (d) => {
      // (Element Plus hides the input under its drawn switch)
      await d.getByRole('switch').dispatchEvent('click');
      expect(await d.getByRole('switch').getAttribute('aria-checked')).toBe('false');
      await d.getByLabel('内容').fill('属于物业维修范围');
    });
    await header(page).getByText('办理中', { exact: true }).waitFor();
    await timeline(page).getByText('退单审核', { exact: true }).waitFor();

    // Transfer to the compound the case really belongs to: waiting for dispatch there.
    await act(page, '转办', async (d) => {
      await d.getByRole('button', { name: '提交' }).click();
      await d.getByText('请选择转至小区').waitFor();
      await choose(page, '转至小区', '瞻园路小区');
      await d.getByLabel('原因').fill('地址有误，实为瞻园路小区');
    });
    await timeline(page).getByText('转办', { exact: true }).waitFor();
    await page.locator('.el-descriptions').getByText('瞻园路小区').waitFor();
    await header(page).getByText('待派单', { exact: true }).waitFor();

    // Merge from the board's row menu into the open case of the same compound and category.
    const duplicate = await intake('同一处漏水，再次来电', 'compound-02');
    await page.goto(`${harness.baseUrl}/#/board`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: duplicate.slice(0, 8) }) });
    await row.getByRole('button', { name: '更多操作' }).click();
    await page.getByRole('dialog', { name: `更多操作 · ${duplicate.slice(0, 8)}` }).getByRole('button', { name: '合并' }).click();
    const merge = page.getByRole('dialog', { name: '合并' });
    await merge.getByText('选择同小区同类别的在办工单').click();
    await page.getByRole('option').filter({ hasText: id.slice(0, 8) }).click();
    await merge.getByRole('button', { name: '提交' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await harness.get(`/cases/${duplicate}`, operatorToken)).status).toBe('closed');
    expect(errors).toEqual([]);
  }, 180_000);

  it('street supervisor: withdraws an open whistle, which is then no longer offered', async () => {
    const id = await intake('楼道堆物占用消防通道');
    const street = harness.token('handler', 'street-fuzimiao');
    await harness.post(`/cases/${id}/dispatch`, operatorToken, { assigneeId: 'street-fuzimiao', tier: 'street' });
    await harness.post(`/cases/${id}/accept`, street, {});
    await harness.post(`/cases/${id}/whistle`, street, { departmentIds: ['dept-fire'], reason: '需消防到场' });

    const { page, errors } = await harness.open();
    await signIn(page, harness.baseUrl, '督办人员', '夫子庙街道督办员');
    await page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await header(page).getByText('办理中', { exact: true }).waitFor();
    await act(page, '撤回吹哨', (d) => d.getByLabel('原因').fill('已由街道协调解决'));
    await timeline(page).getByText('撤回吹哨', { exact: true }).waitFor();
    await page.getByRole('figure', { name: '流转链' }).getByText(/需消防到场\s*·\s*撤回吹哨/).waitFor();
    expect(await buttons(page)).not.toContain('撤回吹哨');
    expect(errors).toEqual([]);
  }, 120_000);
});
