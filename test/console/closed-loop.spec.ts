import { Locator, Page } from 'playwright-core';
import { choose, ConsoleHarness, signIn, startConsole } from './support/console-harness';

/**
 * The walk through the console, in real Chromium, every step clicked by the person whose
 * step it is, asserting what their page shows. The company signs for the case and answers that the
 * roof is a common part it cannot repair alone; the resident is not satisfied, so the dispatch
 * centre reopens it (重办) and dispatches it to the compound's grid (the domain's only way for a grid
 * worker to come to hold a case a company signed for); the grid escalates, the community escalates,
 * the street whistles two departments who report and act; resolve → rating → ranking → replay.
 */
describe('console: one case through the closed loop', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => { harness = await startConsole(); }, 60_000);
  afterAll(async () => { await harness?.close(); });

  const errors: string[] = [];
  /** A new browser (own session) signed in as the named user. */
  async function as(roleLabel: string, userName: string, viewport?: { width: number; height: number }) {
    const opened = await harness.open(viewport);
    await signIn(opened.page, harness.baseUrl, roleLabel, userName);
    return { ...opened, done: async () => { errors.push(...opened.errors); await opened.context.close(); } };
  }
  const header = (page: Page) => page.getByRole('region', { name: '工单详情', exact: true });
  /** Clicks an action on the case page, fills its form and waits until the dialog has closed. */
  async function act(page: Page, action: string, fill: (dialog: Locator) => Promise<void> = async () => undefined) {
    await page.getByRole('button', { name: action, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: action });
    await fill(dialog);
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }
  /** From a handler's workbench list to the case page. */
  async function openFrom(page: Page, list: string, shortId: string) {
    await page.getByRole('region', { name: list }).getByRole('link', { name: shortId }).click();
    await header(page).waitFor();
  }

  it('resident → board → company → reopen → grid escalates → whistle → resolve → rating → ranking → replay', async () => {
    // The operator watches the board before anything happens.
    const operator = await as('话务调度员', '12345派单员张');
    await operator.page.getByText('实时').waitFor();

    // 1. The resident reports from a phone.
    const resident = await as('居民', '王女士', { width: 390, height: 844 });
    await resident.page.getByText('我要反映').waitFor();
    await choose(resident.page, '问题类别', '房屋漏水');
    await choose(resident.page, '小区', '钞库街小区');
    await resident.page.getByLabel('楼栋').fill('3');
    await resident.page.getByLabel('问题描述').fill('楼顶漏水，雨天渗到卧室');
    await resident.page.getByLabel('联系电话').fill('13800138000');
    await resident.page.getByRole('button', { name: '提交' }).click();
    const myCase = resident.page.locator('.mine').filter({ hasText: '房屋漏水' });
    await myCase.getByText('待派单').waitFor();

    // 2. It appears on the operator's board without a reload; dispatched with the catalogue's suggestion.
    const row = operator.page.getByRole('row').filter({ hasText: '钞库街小区' });
    await row.getByText('待派单').waitFor();
    const shortId = (await row.getByRole('link').first().innerText()).trim();
    await row.getByRole('button', { name: '派单' }).click();
    const dispatch = operator.page.getByRole('dialog', { name: '派单' });
    expect(await dispatch.locator('label').filter({ hasText: '推荐' }).innerText()).toContain('金陵物业服务有限公司');
    await dispatch.getByRole('button', { name: '确认派单' }).click();
    await row.getByText('待签收').waitFor();

    // 3. The company signs for it on its workbench, and answers that it cannot repair the roof alone.
    const company = await as('承办人员', '金陵物业服务有限公司经办人');
    await openFrom(company.page, '待签收', shortId);
    const id = company.page.url().split('/cases/')[1];
    expect(id.startsWith(shortId)).toBe(true);
    await act(company.page, '签收');
    await header(company.page).getByText('办理中', { exact: true }).waitFor();
    await act(company.page, '办结', async (d) => {
      await d.getByText('已解释，暂不能解决').click();
      await d.getByLabel('办结说明').fill('楼顶属公共部位，存在违建，需网格和社区协调');
    });
    await header(company.page).getByText('已办结', { exact: true }).waitFor();
    await company.done();

    // 4. The resident is not satisfied; the dispatch centre reopens it and dispatches it to the grid.
    await myCase.getByText('已办结').waitFor();
    await myCase.getByRole('button', { name: '评价' }).click();
    const unhappy = resident.page.getByRole('dialog', { name: '评价' });
    await unhappy.getByText('不满意', { exact: true }).click();
    await unhappy.getByRole('button', { name: '提交' }).click();
    await myCase.getByText('评价：不满意').waitFor();
    await operator.page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await act(operator.page, '重办', (d) => d.getByLabel('原因').fill('居民不满意：楼顶仍在漏水'));
    await header(operator.page).getByText('待派单', { exact: true }).waitFor();
    await operator.page.getByRole('button', { name: '派单', exact: true }).click();
    const redispatch = operator.page.getByRole('dialog', { name: '派单' });
    await redispatch.getByText('瞻园社区第1网格').click();
    await redispatch.getByRole('button', { name: '确认派单' }).click();
    await header(operator.page).getByText('待签收', { exact: true }).waitFor();
    expect(await header(operator.page).innerText()).toContain('瞻园社区第1网格');

    // 5. The grid signs for it and escalates to the community, which escalates to the street.
    for (const [user, next] of [['瞻园社区第1网格经办人', '社区'], ['瞻园社区经办人', '街道']] as const) {
      const hand = await as('承办人员', user);
      await openFrom(hand.page, '待签收', shortId);
      await act(hand.page, '签收');
      await header(hand.page).getByText('办理中', { exact: true }).waitFor();
      await act(hand.page, '上报', (d) => d.getByLabel('原因').fill('涉及楼顶违建，需上级协调'));
      await header(hand.page).getByText(next, { exact: true }).waitFor();
      await hand.done();
    }
    const streetHand = await as('承办人员', '夫子庙街道经办人');
    await openFrom(streetHand.page, '待签收', shortId);
    await act(streetHand.page, '签收');
    await header(streetHand.page).getByText('办理中', { exact: true }).waitFor();

    // 6. The street supervisor whistles two departments.
    const street = await as('督办人员', '夫子庙街道督办员');
    await street.page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await header(street.page).getByText('街道', { exact: true }).waitFor();
    await act(street.page, '吹哨', async (d) => {
      await d.getByText('区住房保障和房产局', { exact: true }).click();
      await d.getByText('区城市管理局', { exact: true }).click();
      expect(await d.getByRole('checkbox', { checked: true }).count()).toBe(2);
      await d.getByLabel('原因').fill('楼顶违建导致漏水，需住建与城管联合处置');
    });
    const chain = street.page.getByRole('figure', { name: '流转链' });
    await chain.getByText(/区住房保障和房产局：\s*未报到/).waitFor();

    // 7. Each department finds the whistle on its workbench, reports and acts.
    for (const department of ['区住房保障和房产局', '区城市管理局']) {
      const hand = await as('承办人员', `${department}经办人`);
      await openFrom(hand.page, '待报到吹哨', shortId);
      await act(hand.page, '报到');
      await act(hand.page, '处置', (d) => d.getByLabel('内容').fill('已现场处置'));
      await hand.page.getByRole('figure', { name: '流转链' }).getByText(new RegExp(`${department}：\\s*报到时间 .*部门处置：已现场处置`)).waitFor();
      await hand.done();
    }
    await chain.getByText(/区城市管理局：\s*报到时间 .*部门处置：已现场处置/).waitFor();
    await street.done();

    // 8. The street resolves it; the resident sees it resolved and rates it.
    await act(streetHand.page, '办结', (d) => d.getByLabel('办结说明').fill('违建已拆除，防水层已修复'));
    await header(streetHand.page).getByText('已办结', { exact: true }).waitFor();
    await streetHand.done();
    await myCase.getByText('违建已拆除，防水层已修复').waitFor();
    await myCase.getByRole('button', { name: '评价' }).click();
    const rate = resident.page.getByRole('dialog', { name: '评价' });
    await rate.getByRole('button', { name: '提交' }).click();
    await myCase.getByText('评价：满意').waitFor();
    await resident.done();
    await operator.done();

    // 9. The district supervisor finds it in the month's ranking drill-down.
    const district = await as('督办人员', '区督办科刘');
    await district.page.getByRole('heading', { name: '督办' }).waitFor();
    await district.page.getByRole('region', { name: '三率排名' }).getByText('夫子庙街道').click();
    await district.page.getByRole('dialog', { name: '夫子庙街道 的工单' }).getByRole('link', { name: shortId }).waitFor();
    await district.done();

    // 10. The auditor replays the case to the step before the whistle (picked on the timeline) and sees that state.
    const auditor = await as('审计人员', '审计员陈');
    await auditor.page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await header(auditor.page).getByText(/已办结|已结案/).first().waitFor();
    const steps = auditor.page.getByLabel('timeline').getByRole('listitem');
    const kinds = (await steps.locator('strong').allInnerTexts()).map((s) => s.trim());
    const whistleAt = kinds.indexOf('吹哨');
    expect(kinds.slice(0, whistleAt)).toEqual(expect.arrayContaining(['签收', '重办', '上报']));
    await steps.nth(whistleAt - 1).locator('strong').click();
    await auditor.page.getByText(`正在查看第 ${whistleAt - 1} 步时的工单状态`).waitFor();
    await header(auditor.page).getByText('办理中', { exact: true }).waitFor();
    // (tags swap without a leave transition, so one tag shows the tier at a time)
    await header(auditor.page).getByText('街道', { exact: true }).waitFor();
    expect(await header(auditor.page).innerText()).toContain('夫子庙街道');
    expect(await auditor.page.getByRole('figure', { name: '流转链' }).getByText('区住房保障和房产局').count()).toBe(0);
    await auditor.done();

    expect(errors).toEqual([]);
  }, 420_000);
});
