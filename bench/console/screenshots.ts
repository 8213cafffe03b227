import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { startDemoConsole } from './demo-console';

const OUT = join(process.cwd(), 'docs', 'screenshots');
const CASES = Number(process.env.SCREENSHOT_CASES ?? 600);

async function shot(page: Page, name: string, ready: string, fullPage = false) {
  await page.getByText(ready, { exact: false }).first().waitFor();
  // Charts animate in and the other panels' reads land (the page keeps its event stream open, so
  // there is no network idle to wait for).
  await page.waitForTimeout(2000);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  console.log(`docs/screenshots/${name}.png`);
}

/**
 * npm run -s screenshots: every page of the console at 1920×1080 (the resident page at 390×844)
 * on a simulated month of the demo district, into docs/screenshots/.
 */
export async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const demo = await startDemoConsole(CASES);
  try {
    const operator = demo.token('operator');
    const signIn = await demo.browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    await signIn.goto(`${demo.baseUrl}/#/sign-in`);
    await shot(signIn, '01-sign-in', '演示用户');

    const board = await demo.pageAs(operator);
    await board.page.goto(`${demo.baseUrl}/#/board`);
    await shot(board.page, '02-dispatch-board', '最新');

    // A case that went far: escalated and whistled.
    const rows: { id: string; whistles: number; escalations: number }[] = (await demo.get('/views/board?limit=500', operator)).rows;
    const rich = rows.find((r) => r.whistles > 0 && r.escalations > 0) ?? rows.find((r) => r.escalations > 0) ?? rows[0];
    await board.page.goto(`${demo.baseUrl}/#/cases/${rich.id}`);
    await shot(board.page, '03-case-page', '办理过程');

    const handler = await demo.pageAs(demo.token('handler', 'company-jinling'));
    await handler.page.goto(`${demo.baseUrl}/#/workbench`);
    await shot(handler.page, '04-handler-workbench', '待签收');

    const supervisor = await demo.pageAs(demo.token('supervisor', 'district-qinhuai'));
    await supervisor.page.goto(`${demo.baseUrl}/#/dashboard`);
    await shot(supervisor.page, '05-supervisor-dashboard', '三率排名');

    // The auditor's look at the resident's personal data, asked for on the page (recorded, and shown).
    const auditor = await demo.pageAs(demo.token('auditor'));
    await auditor.page.goto(`${demo.baseUrl}/#/audit?case=${rich.id}`);
    await auditor.page.getByText('原始数据').first().waitFor();
    await auditor.page.getByLabel('查看原因').fill('信访复核需核实来电人身份');
    await auditor.page.getByRole('button', { name: '查看个人信息' }).click();
    await auditor.page.locator('.unmasked').waitFor();
    await shot(auditor.page, '06-auditor-view', '原始数据');

    const residentToken = demo.token('resident');
    const reported = await demo.post('/cases', residentToken, {
      channel: 'online', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水，雨天渗到卧室',
      location: { compoundId: 'compound-01', building: '3' }, reporter: { name: '王女士', phone: '13800138000' },
    });
    // The resident's list is theirs from the API (GET /views/my-cases), once the board has the report.
    await demo.get(`/views/my-cases?consistentWith=${reported.position}`, residentToken);
    const resident = await demo.pageAs(residentToken, { width: 390, height: 844 });
    await resident.page.goto(`${demo.baseUrl}/#/resident`);
    // The whole page: the report form fills the phone's first screen, the resident's own list is below it.
    await shot(resident.page, '07-resident-mobile', '楼顶漏水', true);

    // The dispatch centre's transfer form on a case waiting for sign-for, its required fields checked.
    const waiting = rows.find((r) => (r as { status?: string }).status === 'dispatched' && r.whistles === 0) ?? rows[0];
    await board.page.goto(`${demo.baseUrl}/#/cases/${waiting.id}`);
    await board.page.getByRole('button', { name: '转办', exact: true }).click();
    await board.page.getByRole('dialog', { name: '转办' }).getByRole('button', { name: '提交' }).click();
    await shot(board.page, '08-case-transfer-form', '请选择转至小区');
  } finally {
    await demo.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
