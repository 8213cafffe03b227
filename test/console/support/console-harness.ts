import { INestApplication } from '@nestjs/common';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';
import { createApp } from '../../../apps/api/src/bootstrap';
import { demoUser, signToken } from '../../../apps/api/src/cli/token';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous: two cores shared with other work; every wait is for something visible, never a sleep. */
export const VISIBLE_MS = 20_000;

export interface ConsoleHarness {
  app: INestApplication;
  baseUrl: string;
  browser: Browser;
  token(role: Role, org?: string): string;
  post(path: string, token: string, body: unknown): Promise<any>;
  get(path: string, token: string): Promise<any>;
  /** A fresh browser context (its own sessionStorage: one signed-in user), collecting console errors. */
  open(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/**
 * The real API (worker and projections in the process, the system clock, a fresh SQLite data
 * directory) serving the built console, and one Chromium for the whole test file.
 */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  if (!existsSync(join(__dirname, '..', '..', '..', 'dist', 'console', 'index.html'))) {
    throw new Error('dist/console is missing: run `npm run build` first (scripts/test.sh does)');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-console-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, WORKER_IN_PROCESS: 'true', INTAKE_LIMIT_PER_IP: '10000', ...env });
  const app = await createApp({ config }, false);
  await app.listen(0, '127.0.0.1');
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const directory = Directory.fromFile(config.DIRECTORY_FILE);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const contexts: BrowserContext[] = [];
  return {
    app, baseUrl, browser,
    token: (role, org) => signToken(config.jwtSecret(), demoUser(directory, role, org), '1h'),
    async post(path, token, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    },
    async get(path, token) {
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      return response.json();
    },
    async open(viewport = { width: 1920, height: 1080 }) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(VISIBLE_MS);
      const errors: string[] = [];
      page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
      page.on('pageerror', (error) => errors.push(error.message));
      return { context, page, errors };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the demo-user picker as the named user of a role. */
export async function signIn(page: Page, baseUrl: string, roleLabel: string, userName: string): Promise<void> {
  await page.goto(`${baseUrl}/#/sign-in`);
  await page.getByRole('radio', { name: roleLabel }).click({ force: true });
  await page.getByRole('combobox', { name: '用户' }).click();
  await page.getByRole('option', { name: userName, exact: true }).click();
  await page.getByRole('button', { name: '登录' }).click();
  // Signed in once the console has left the sign-in page for the role's home (a test going
  // elsewhere before that would be overtaken by this navigation).
  await page.waitForURL((url) => url.hash !== '' && !url.hash.startsWith('#/sign-in'));
}

/** Picks an option of an Element Plus select by the select's label and the option's text. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}
