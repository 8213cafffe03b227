import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CASE_EVENT_TYPES, CASE_STATUSES, CHANNELS, DEADLINE_KINDS, OUTCOMES, RATINGS, REQUEST_TYPES, RETURN_REASONS, ROLES, TIERS, UNIT_KINDS, URGENCIES,
} from '@civicloop/domain';
import zhCN from '../../apps/console/src/i18n/zh-CN';
import en from '../../apps/console/src/i18n/en';
import { ConsoleHarness, signIn, startConsole } from './support/console-harness';

const allowed: string[] = JSON.parse(readFileSync(join(__dirname, 'allowed-latin.json'), 'utf8')).words;

/** Every refusal code the domain can answer with, read from its sources (refuse.kind('CODE', …)). */
function refusalCodes(): string[] {
  const dir = join(__dirname, '..', '..', 'libs', 'domain', 'src', 'case');
  const codes = new Set<string>();
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const match of source.matchAll(/refuse\.\w+\(\s*'([A-Z_]+)'/g)) codes.add(match[1]);
    for (const match of source.matchAll(/:\s*'((?:CASE|NOT|NO)_[A-Z_]+)'/g)) codes.add(match[1]);
  }
  return [...codes];
}

const VOCABULARIES: [keyof typeof zhCN, readonly string[]][] = [
  ['status', CASE_STATUSES], ['eventType', CASE_EVENT_TYPES], ['channel', CHANNELS], ['urgency', URGENCIES], ['role', ROLES],
  ['requestType', REQUEST_TYPES], ['tier', TIERS], ['returnReason', RETURN_REASONS], ['outcome', OUTCOMES], ['rating', RATINGS],
  ['deadlineKind', DEADLINE_KINDS], ['unitKind', UNIT_KINDS], ['refusal', refusalCodes()],
];
const ALL_CODES = VOCABULARIES.flatMap(([, codes]) => codes);

/** Codes and Latin words in a page's text; case ids (hex) are not words. */
function problems(pageText: string): string[] {
  const text = pageText.replace(/\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/g, ' ').replace(/\b[0-9a-f]{8}\b/g, ' ');
  const found = new Set<string>();
  for (const code of ALL_CODES) if (new RegExp(`(^|[^A-Za-z_])${code}([^A-Za-z_]|$)`).test(text)) found.add(`code ${code}`);
  for (const word of text.match(/[A-Za-z][A-Za-z0-9_]{2,}/g) ?? []) if (!allowed.includes(word)) found.add(`English "${word}"`);
  return [...found];
}

describe('console: no code and no English on a Chinese page', () => {
  it('the catalogue translates every status, event type, refusal code, channel, urgency and role of libs/domain, in both languages', () => {
    expect(refusalCodes().length).toBeGreaterThan(30);
    expect(allowed.length).toBeLessThanOrEqual(20);
    // The page check itself catches what it is for.
    expect(problems('状态：received · 来源 hotline_12345')).toEqual(['code received', 'code hotline_12345', 'English "received"', 'English "hotline_12345"']);
    expect(problems('拒绝：WHISTLE_OPEN，Pending')).toEqual(['code WHISTLE_OPEN', 'English "WHISTLE_OPEN"', 'English "Pending"']);
    expect(problems('工单 acab6e2f 已办结 · 2026年第45周 · English')).toEqual([]);
    for (const [section, codes] of VOCABULARIES) {
      const zh = zhCN[section] as Record<string, string>;
      const english = en[section] as Record<string, string>;
      expect(codes.filter((code) => typeof zh[code] !== 'string' || /[A-Za-z]{2}/.test(zh[code]))).toEqual([]);
      expect(codes.filter((code) => typeof english[code] !== 'string')).toEqual([]);
    }
  });

  describe('in Chromium', () => {
    let harness: ConsoleHarness;
    beforeAll(async () => { harness = await startConsole(); }, 60_000);
    afterAll(async () => { await harness?.close(); });

    /** Visible text of the page, without the auditor's raw event (shown as stored, on purpose). */
    async function visibleText(page: import('playwright-core').Page): Promise<string> {
      // Runs in the page (a string: the test's compiler has no DOM types). innerText of a laid-out
      // copy skips hidden elements (closed dropdowns, other languages' options).
      const text = await page.evaluate<string>(`(() => {
        const clone = document.body.cloneNode(true);
        clone.querySelectorAll('pre').forEach((pre) => pre.remove());
        clone.style.position = 'absolute';
        document.body.append(clone);
        const visible = clone.innerText;
        clone.remove();
        return visible;
      })()`);
      return text;
    }

    it('walks every page and dialog in Chinese and finds none, and no console error', async () => {
      // A case that has been everywhere: dispatched, returned, escalated, whistled, supervised.
      const op = harness.token('operator');
      const { id } = await harness.post('/cases', harness.token('resident'), {
        channel: 'online', category: 'safety.fire_lane', urgency: 'urgent', requestType: 'complaint', description: '消防通道被占用',
        location: { compoundId: 'compound-01', building: '3' }, reporter: { name: '王女士', phone: '13800138000' },
      });
      await harness.post(`/cases/${id}/dispatch`, op, { assigneeId: 'company-jinling', tier: 'grid' });
      await harness.post(`/cases/${id}/return`, harness.token('handler', 'company-jinling'), { reason: 'overlapping_remit', note: '需社区协调' });
      await harness.post(`/cases/${id}/return-review`, op, { approved: true, note: '同意退单' });
      await harness.post(`/cases/${id}/dispatch`, op, { assigneeId: 'grid-111', tier: 'grid' });
      const grid = harness.token('handler', 'grid-111');
      await harness.post(`/cases/${id}/accept`, grid, {});
      await harness.post(`/cases/${id}/escalate`, grid, { reason: '网格无法解决' });
      await harness.post(`/cases/${id}/accept`, harness.token('handler', 'community-11'), {});
      await harness.post(`/cases/${id}/escalate`, harness.token('handler', 'community-11'), { reason: '社区无法解决' });
      await harness.post(`/cases/${id}/accept`, harness.token('handler', 'street-fuzimiao'), {});
      await harness.post(`/cases/${id}/whistle`, harness.token('supervisor', 'street-fuzimiao'), { departmentIds: ['dept-fire'], reason: '需消防执法' });
      await harness.post(`/cases/${id}/supervise`, harness.token('supervisor', 'district-qinhuai'), { reason: '请加快办理' });
      await harness.post(`/cases/${id}/unmask`, harness.token('auditor'), { reason: '复核' });

      const report: Record<string, string[]> = {};
      const errors: string[] = [];
      const visit = async (name: string, role: string, user: string, path: string, ready: string, then?: (page: import('playwright-core').Page) => Promise<void>) => {
        const opened = await harness.open();
        await signIn(opened.page, harness.baseUrl, role, user);
        await opened.page.goto(`${harness.baseUrl}/#${path}`);
        await opened.page.getByText(ready).first().waitFor();
        report[name] = problems(await visibleText(opened.page));
        if (then) {
          await then(opened.page);
          report[`${name} (dialog)`] = problems(await visibleText(opened.page));
        }
        errors.push(...opened.errors);
        await opened.context.close();
      };
      const signInPage = await harness.open();
      await signInPage.page.goto(`${harness.baseUrl}/#/sign-in`);
      await signInPage.page.getByText('演示用户').waitFor();
      report['sign-in'] = problems(await visibleText(signInPage.page));
      errors.push(...signInPage.errors);

      await visit('board', '话务调度员', '12345派单员张', '/board', '退单待重派', async (page) => {
        await page.getByRole('button', { name: '新建工单' }).click();
        await page.getByRole('dialog', { name: '新建工单' }).getByText('问题描述').waitFor();
      });
      await visit('case', '话务调度员', '12345派单员张', `/cases/${id}`, '吹哨报到'.slice(0, 2));
      await visit('workbench', '承办人员', '夫子庙街道经办人', '/workbench', '待签收', async (page) => {
        await page.getByRole('link', { name: id.slice(0, 8) }).first().click();
        await page.getByRole('button', { name: '答复督办' }).click();
        await page.getByRole('dialog', { name: '答复督办' }).getByText('答复内容').waitFor();
      });
      await visit('dashboard', '督办人员', '区督办科刘', '/dashboard', '三率排名');
      await visit('audit', '审计人员', '审计员陈', `/audit?case=${id}`, '原始数据');
      await visit('resident', '居民', '王女士', '/resident', '我的反映');

      expect(report).toEqual(Object.fromEntries(Object.keys(report).map((k) => [k, []])));
      expect(errors).toEqual([]);
    }, 240_000);
  });
});
