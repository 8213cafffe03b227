import { INestApplication } from '@nestjs/common';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { createApp } from '../../apps/api/src/bootstrap';
import { demoUser, signToken } from '../../apps/api/src/cli/token';
import { simulateDistrict } from '../../apps/simulator/src/simulate';

export interface DemoConsole {
  baseUrl: string;
  app: INestApplication;
  browser: Browser;
  token(role: Role, org?: string): string;
  get(path: string, token: string): Promise<any>;
  post(path: string, token: string, body: unknown): Promise<any>;
  /** A page signed in as the user (the token put in sessionStorage before the console loads). */
  pageAs(token: string, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Every new headless window (one per context, so one per measured page load) loads Chromium's own
 * omnibox popups, WebUI pages in a renderer of their own: measured at ~1.7 s of CPU during the
 * console's load on 2 cores, competing with the page under test, where a person's browser loaded
 * them once when it started. Chromium keeps only the last --disable-features it is given, so this
 * one repeats Playwright's own list (playwright-core 1.65, chromiumSwitches) before adding them.
 */
const DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'LensOverlay',
  'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin',
  'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup',
];

/**
 * A simulated month of the demo district ending now, the API (worker and projections in the
 * process) serving the built console over it, and Chromium: what the screenshots show and the
 * console benchmark measures.
 */
export async function startDemoConsole(cases: number, days = 30): Promise<DemoConsole> {
  if (!existsSync(join(process.cwd(), 'dist', 'console', 'index.html'))) throw new Error('dist/console is missing: run npm run build first');
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-demo-console-'));
  const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'development', WORKER_IN_PROCESS: 'true', INTAKE_LIMIT_PER_IP: '100000', INTAKE_LIMIT_PER_USER: '100000' });
  const start = new Date(Math.floor((Date.now() - days * 86_400_000) / 60_000) * 60_000);
  const began = Date.now();
  await simulateDistrict({ config, seed: 2026, cases, days, start });
  console.log(`simulated ${cases} cases in ${((Date.now() - began) / 1000).toFixed(0)} s`);
  const app = await createApp({ config }, false);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const directory = Directory.fromFile(config.DIRECTORY_FILE);
  const token = (role: Role, org?: string) => signToken(config.jwtSecret(), demoUser(directory, role, org), '2h');
  const get = async (path: string, bearer: string): Promise<any> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  // The projections catch up with the month before anything is measured or shown.
  const head = await get('/views/projections', token('operator'));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const lags = await get('/views/projections', token('operator'));
    if ((Array.isArray(lags) ? lags : lags.projections ?? []).every((p: { lag?: number }) => !p.lag)) break;
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(lags ?? head)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`projections caught up ${((Date.now() - began) / 1000).toFixed(0)} s after the simulation began`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', `--disable-features=${DISABLED_FEATURES.join(',')}`],
  });
  return {
    baseUrl, app, browser, token, get,
    async post(path, bearer, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    async pageAs(bearer, viewport = { width: 1920, height: 1080 }) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      await context.addInitScript({ content: `sessionStorage.setItem('civicloop.session', ${JSON.stringify(bearer)});` });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      return { context, page };
    },
    async close() {
      await browser.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
