import { choose, ConsoleHarness, signIn, startConsole } from './support/console-harness';

/**
 * The walk through the console, in real Chromium: every step through the page a person
 * uses, asserting what the page shows; steps of bystanders (other tiers, departments) go over HTTP.
 */
describe('console: one case through the closed loop', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => { harness = await startConsole(); }, 60_000);
  afterAll(async () => { await harness?.close(); });

  it('resident → board → company → escalation → whistle → resolve → rating → ranking → replay', async () => {
    const errors: string[] = [];
    // The operator watches the board before anything happens.
    const operator = await harness.open();
    await signIn(operator.page, harness.baseUrl, '话务调度员', '12345派单员张');
    await operator.page.getByText('实时').waitFor();

    // 1. The resident reports from a phone.
    const resident = await harness.open({ width: 390, height: 844 });
    await signIn(resident.page, harness.baseUrl, '居民', '王女士');
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
    const dialog = operator.page.getByRole('dialog', { name: '派单' });
    expect(await dialog.locator('label').filter({ hasText: '推荐' }).innerText()).toContain('金陵物业服务有限公司');
    await dialog.getByRole('button', { name: '确认派单' }).click();
    await row.getByText('待签收').waitFor();

    // 3. The company signs for it on its workbench and escalates it.
    const company = await harness.open();
    await signIn(company.page, harness.baseUrl, '承办人员', '金陵物业服务有限公司经办人');
    const toSign = company.page.getByRole('region', { name: '待签收' });
    await toSign.getByRole('link', { name: shortId }).click();
    await company.page.getByRole('button', { name: '签收' }).click();
    await company.page.getByRole('dialog', { name: '签收' }).getByRole('button', { name: '提交' }).click();
    await company.page.getByRole('region', { name: '工单详情', exact: true }).getByText('办理中', { exact: true }).waitFor();
    await company.page.getByRole('button', { name: '上报' }).click();
    const escalate = company.page.getByRole('dialog', { name: '上报' });
    await escalate.getByLabel('原因').fill('涉及楼顶公共部位，需社区协调');
    await escalate.getByRole('button', { name: '提交' }).click();
    await company.page.getByRole('region', { name: '工单详情', exact: true }).getByText('社区', { exact: true }).waitFor();
    const id = company.page.url().split('/cases/')[1];
    expect(id.startsWith(shortId)).toBe(true);

    // Community and street hands (HTTP): the community signs for and escalates, the street signs for.
    await harness.post(`/cases/${id}/accept`, harness.token('handler', 'community-11'), {});
    await harness.post(`/cases/${id}/escalate`, harness.token('handler', 'community-11'), { reason: '需多部门联动' });
    await harness.post(`/cases/${id}/accept`, harness.token('handler', 'street-fuzimiao'), {});

    // 4. The street supervisor whistles two departments.
    const street = await harness.open();
    await signIn(street.page, harness.baseUrl, '督办人员', '夫子庙街道督办员');
    await street.page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await street.page.getByRole('region', { name: '工单详情', exact: true }).getByText('街道', { exact: true }).waitFor();
    await street.page.getByRole('button', { name: '吹哨' }).click();
    const whistle = street.page.getByRole('dialog', { name: '吹哨' });
    await whistle.getByText('区住房保障和房产局', { exact: true }).click();
    await whistle.getByText('区城市管理局', { exact: true }).click();
    expect(await whistle.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await whistle.getByLabel('原因').fill('楼顶违建导致漏水，需住建与城管联合处置');
    await whistle.getByRole('button', { name: '提交' }).click();
    const chain = street.page.getByRole('figure', { name: '流转链' });
    await chain.getByText(/区住房保障和房产局：\s*未报到/).waitFor();
    const history: { type: string; revision: number }[] = await harness.get(`/cases/${id}/events`, harness.token('operator'));
    const whistleEvent = history.find((e) => e.type === 'WhistleBlown')!;
    const { whistleId } = (await harness.get(`/cases/${id}`, harness.token('operator'))).whistles[0];

    // The departments report and act; the street resolves (HTTP).
    for (const dept of ['dept-housing', 'dept-urban']) {
      await harness.post(`/cases/${id}/department-report`, harness.token('handler', dept), { whistleId, departmentId: dept });
      await harness.post(`/cases/${id}/department-action`, harness.token('handler', dept), { whistleId, departmentId: dept, action: '已现场处置' });
    }
    await chain.getByText(/区城市管理局：\s*报到时间 .*部门处置：已现场处置/).waitFor();
    await harness.post(`/cases/${id}/resolve`, harness.token('handler', 'street-fuzimiao'), { summary: '违建已拆除，防水层已修复', outcome: 'resolved' });

    // 5. The resident sees it resolved and rates it.
    await myCase.getByText('已办结').waitFor();
    await myCase.getByRole('button', { name: '评价' }).click();
    const rate = resident.page.getByRole('dialog', { name: '评价' });
    await rate.getByRole('button', { name: '提交' }).click();
    await myCase.getByText('评价：满意').waitFor();

    // 6. The district supervisor finds it in the month's ranking drill-down.
    const district = await harness.open();
    await signIn(district.page, harness.baseUrl, '督办人员', '区督办科刘');
    await district.page.getByRole('heading', { name: '督办' }).waitFor();
    const ranking = district.page.getByRole('region', { name: '三率排名' });
    await ranking.getByText('夫子庙街道').click();
    const drill = district.page.getByRole('dialog', { name: '夫子庙街道 的工单' });
    await drill.getByRole('link', { name: shortId }).waitFor();

    // 7. The auditor replays the case to the revision before the whistle and sees that state.
    const auditor = await harness.open();
    await signIn(auditor.page, harness.baseUrl, '审计人员', '审计员陈');
    await auditor.page.goto(`${harness.baseUrl}/#/cases/${id}`);
    await auditor.page.getByRole('region', { name: '工单详情', exact: true }).getByText('已结案', { exact: true }).or(auditor.page.getByRole('region', { name: '工单详情', exact: true }).getByText('已办结', { exact: true })).first().waitFor();
    const slider = auditor.page.getByRole('slider', { name: '回放' });
    await slider.focus();
    await auditor.page.keyboard.press('Home');
    for (let i = 0; i < whistleEvent.revision - 1; i++) await auditor.page.keyboard.press('ArrowRight');
    await auditor.page.getByText(`正在查看第 ${whistleEvent.revision - 1} 步时的工单状态`).waitFor();
    const header = auditor.page.getByRole('region', { name: '工单详情', exact: true });
    await header.getByText('办理中', { exact: true }).waitFor();
    // (tags swap without a leave transition, so one tag shows the tier at a time)
    await header.getByText('街道', { exact: true }).waitFor();
    expect(await auditor.page.getByRole('figure', { name: '流转链' }).getByText('区住房保障和房产局').count()).toBe(0);

    for (const opened of [operator, resident, company, street, district, auditor]) errors.push(...opened.errors);
    expect(errors).toEqual([]);
  }, 300_000);
});
