import { figure, Figure, percentile, round, writeResult } from '../harness/result';
import { startDemoConsole } from './demo-console';

const CASES = Number(process.env.BENCH_CONSOLE_CASES ?? 3000);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 7);

async function timed(action: () => Promise<unknown>): Promise<number> {
  const began = performance.now();
  await action();
  return performance.now() - began;
}

/** Samples of `measure`, after one unmeasured warm-up run, sorted. */
async function samples(measure: () => Promise<number>): Promise<number[]> {
  await measure();
  const values: number[] = [];
  for (let i = 0; i < RUNS; i++) values.push(await measure());
  return values.sort((a, b) => a - b);
}

const median = (s: number[]) => round(percentile(s, 50), 1);

/**
 * The console on the demo month (API in the same process, Chromium headless): board first paint,
 * case page load, and the delay from a command to the board showing it. Each beside the bare HTTP
 * reads (or the command's round trip) the page waits for, measured in the same run.
 */
export async function main(): Promise<void> {
  const demo = await startDemoConsole(CASES);
  const figures: Figure[] = [];
  try {
    const operator = demo.token('operator');
    const boardQuery = '/views/board?status=received%2Cdispatched%2Caccepted&sort=-receivedAt&limit=200';
    const rows: { id: string; escalations: number }[] = (await demo.get(boardQuery, operator)).rows;
    const caseId = (rows.find((r) => r.escalations > 0) ?? rows[0]).id;

    // Board first paint: a new tab signed in, from navigation to the first case row on screen.
    const board = await samples(async () => {
      const { context, page } = await demo.pageAs(operator);
      const ms = await timed(async () => {
        await page.goto(`${demo.baseUrl}/#/board`);
        // The newest row's link to its case, found by a CSS selector: a role query over the whole
        // page on every animation frame of the wait would cost the page being measured main-thread time.
        await page.locator(`a[href="#/cases/${rows[0].id}"]`).first().waitFor();
      });
      await context.close();
      return ms;
    });
    const boardBare = await samples(() => timed(async () => { await demo.get('/directory', operator); await demo.get(boardQuery, operator); }));
    figures.push(figure({
      figure: 'board first paint (navigation → first row visible), median', unit: 'ms', value: median(board),
      baseline: 'GET /directory + GET /views/board (the reads the page waits for) from Node', baselineValue: median(boardBare),
      target: '< 1000 ms', met: median(board) < 1000,
    }));
    figures.push(figure({ figure: 'board first paint, worst of runs', unit: 'ms', value: round(board[board.length - 1], 1) }));

    // Case page: from navigation to the timeline's first entry on screen.
    const casePage = await samples(async () => {
      const { context, page } = await demo.pageAs(operator);
      const ms = await timed(async () => {
        await page.goto(`${demo.baseUrl}/#/cases/${caseId}`);
        await page.getByLabel('timeline').getByText('受理', { exact: true }).waitFor();
      });
      await context.close();
      return ms;
    });
    const caseBare = await samples(() => timed(() => Promise.all([demo.get(`/cases/${caseId}`, operator), demo.get(`/cases/${caseId}/events`, operator)])));
    figures.push(figure({
      figure: 'case page load (navigation → timeline visible), median', unit: 'ms', value: median(casePage),
      baseline: 'GET /cases/{id} + GET /cases/{id}/events from Node', baselineValue: median(caseBare),
      target: '< 1000 ms', met: median(casePage) < 1000,
    }));

    // Live delay: a case taken in over HTTP until its row is on an open board (no reload).
    const { context, page } = await demo.pageAs(operator);
    await page.goto(`${demo.baseUrl}/#/board`);
    await page.getByText('实时').waitFor();
    const roundTrips: number[] = [];
    const live = await samples(async () => {
      const description = `基准测试${Math.random().toString(36).slice(2, 8)}`;
      const began = performance.now();
      const { id } = await demo.post('/cases', operator, {
        channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description,
        location: { compoundId: 'compound-01' }, reporter: { name: '测试', phone: '13800138000' },
      });
      roundTrips.push(performance.now() - began);
      await page.getByRole('link', { name: id.slice(0, 8) }).waitFor();
      return performance.now() - began;
    });
    await context.close();
    roundTrips.sort((a, b) => a - b);
    figures.push(figure({
      figure: 'command → row on an open board (SSE + board read), median', unit: 'ms', value: median(live),
      baseline: 'the command\'s own HTTP round trip (POST /cases)', baselineValue: median(roundTrips), target: '< 2000 ms', met: median(live) < 2000,
    }));
    figures.push(figure({ figure: 'command → row on an open board, worst of runs', unit: 'ms', value: round(live[live.length - 1], 1), target: '< 2000 ms', met: live[live.length - 1] < 2000 }));

    const file = writeResult({
      name: 'console',
      settings: {
        cases: CASES, runs: RUNS, warmUp: 1, browser: 'Debian chromium headless via playwright-core, 1920×1080, a new context per page load, the window\'s own omnibox WebUI pages disabled (demo-console.ts)',
        clock: 'from page.goto (a new context, signed in through sessionStorage) to the element visible; the API\'s projections have caught up with the month before the browser starts',
        api: 'in the benchmark process, worker and projections in process, SQLite in a temp dir, demo month ending now',
      },
      figures,
    });
    console.log(`wrote ${file}`);
    for (const f of figures) console.log(`${f.figure}: ${f.value} ${f.unit}${f.baselineValue !== undefined ? ` (baseline ${f.baselineValue})` : ''}`);
  } finally {
    await demo.close();
  }
}
