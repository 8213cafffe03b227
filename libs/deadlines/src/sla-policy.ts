import { readFileSync } from 'node:fs';
import { Duration } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { SlaTerms, Tier, TIERS, URGENCIES } from '@civicloop/domain';
import defaultPolicyData from '../data/default-sla-policy.json';
import { DataInvalid, DataProblem } from './data-problem';

export const WALLCLOCK = 'wallclock';

export const LIMIT_NAMES = ['signFor', 'resolve', 'whistleReport', 'supervisionAnswer', 'ratingWindow'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Limits a policy may leave out: `dispatch` (intake to dispatch) came later; without it there is none. */
export const OPTIONAL_LIMIT_NAMES = ['dispatch'] as const;

export type SlaLimits = Record<LimitName, string> & { warnAt: number; calendar: string; dispatch?: string };

export interface SlaRule extends Partial<SlaLimits> {
  /** A category code, `*` for all, or a prefix such as `utilities.*`. */
  category: string;
  /** An urgency or `*`. */
  urgency: string;
}

export interface SlaPolicy {
  version: string;
  calendar: string;
  defaults: Omit<SlaLimits, 'calendar'>;
  /** Applied in file order; a later matching rule overrides an earlier one. */
  rules: SlaRule[];
  escalation: { onResolveOverdue: Partial<Record<Tier, Tier | null>> };
}

export const DEFAULT_SLA_POLICY_FILE = 'default';

/** Months and years have no fixed length, so limits use weeks, days, hours, minutes and seconds only. */
export function isSupportedDuration(value: unknown): value is string {
  if (typeof value !== 'string' || !value.startsWith('P')) return false;
  const duration = Duration.fromISO(value);
  return duration.isValid && duration.years === 0 && duration.months === 0 && duration.quarters === 0 && duration.toMillis() > 0;
}

function checkLimits(raw: Record<string, unknown>, path: string, bad: (p: string, m: string) => void, calendars: string[]): void {
  for (const name of [...LIMIT_NAMES, ...OPTIONAL_LIMIT_NAMES]) {
    if (raw[name] !== undefined && !isSupportedDuration(raw[name])) {
      bad(`${path}.${name}`, `must be a positive ISO-8601 duration in weeks, days, hours, minutes or seconds (e.g. PT2H, P7D), got ${JSON.stringify(raw[name])}`);
    }
  }
  if (raw.warnAt !== undefined && !(typeof raw.warnAt === 'number' && raw.warnAt > 0 && raw.warnAt < 1)) {
    bad(`${path}.warnAt`, `must be a fraction of the limit between 0 and 1 (exclusive), got ${JSON.stringify(raw.warnAt)}`);
  }
  if (raw.calendar !== undefined && !calendars.includes(raw.calendar as string)) {
    bad(`${path}.calendar`, `must be one of ${calendars.join(', ')}, got ${JSON.stringify(raw.calendar)}`);
  }
}

/**
 * Validates raw policy data; every problem is reported with its path so an operator can fix the
 * file. `calendarIds` are the business calendars this process knows (`wallclock` always works).
 */
export function parseSlaPolicy(raw: unknown, calendarIds: string[]): SlaPolicy {
  const problems: DataProblem[] = [];
  const bad = (path: string, problem: string) => problems.push({ path, problem });
  const calendars = [WALLCLOCK, ...calendarIds];
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (typeof r.version !== 'string' || !r.version.trim()) bad('version', 'must be a non-empty string');
  if (r.calendar === undefined) bad('calendar', `is required: one of ${calendars.join(', ')}`);
  checkLimits({ calendar: r.calendar }, '', (_, m) => bad('calendar', m), calendars);

  const defaults = (r.defaults && typeof r.defaults === 'object' ? r.defaults : {}) as Record<string, unknown>;
  if (!r.defaults || typeof r.defaults !== 'object') bad('defaults', 'is required');
  else {
    for (const name of [...LIMIT_NAMES, 'warnAt']) if (defaults[name] === undefined) bad(`defaults.${name}`, 'is required');
    checkLimits(defaults, 'defaults', bad, calendars);
    if (defaults.calendar !== undefined) bad('defaults.calendar', 'set the calendar at the top level');
  }

  const rules = r.rules === undefined ? [] : r.rules;
  if (!Array.isArray(rules)) bad('rules', 'must be a list');
  else rules.forEach((rule: Record<string, unknown>, i: number) => {
    const path = `rules[${i}]`;
    if (!rule || typeof rule !== 'object') return bad(path, 'must be an object');
    if (typeof rule.category !== 'string' || !rule.category) bad(`${path}.category`, 'must be a category code, `*` or a prefix such as `utilities.*`');
    if (!['*', ...URGENCIES].includes(rule.urgency as string)) bad(`${path}.urgency`, `must be one of *, ${URGENCIES.join(', ')}`);
    const known = ['category', 'urgency', 'warnAt', 'calendar', ...LIMIT_NAMES, ...OPTIONAL_LIMIT_NAMES];
    for (const key of Object.keys(rule)) if (!known.includes(key)) bad(`${path}.${key}`, `is not a known setting (${known.join(', ')})`);
    checkLimits(rule, path, bad, calendars);
  });

  const ladder = ((r.escalation as Record<string, unknown> | undefined)?.onResolveOverdue ?? {}) as Record<string, unknown>;
  if (typeof ladder !== 'object' || Array.isArray(ladder)) bad('escalation.onResolveOverdue', 'must map a tier to the next tier or null');
  else for (const [from, to] of Object.entries(ladder)) {
    const path = `escalation.onResolveOverdue.${from}`;
    if (!TIERS.includes(from as Tier)) bad(path, `${from} is not a tier (${TIERS.join(', ')})`);
    else if (to !== null && (!TIERS.includes(to as Tier) || TIERS.indexOf(to as Tier) <= TIERS.indexOf(from as Tier))) {
      bad(path, `must be a tier above ${from} or null, got ${JSON.stringify(to)}`);
    }
  }
  if (problems.length) throw new DataInvalid('SLA policy', problems);
  return {
    version: r.version as string,
    calendar: r.calendar as string,
    defaults: defaults as SlaPolicy['defaults'],
    rules: rules as SlaRule[],
    escalation: { onResolveOverdue: ladder as SlaPolicy['escalation']['onResolveOverdue'] },
  };
}

/** Reads SLA_POLICY_FILE (JSON or YAML); `default` means the shipped policy. */
export function loadSlaPolicy(file: string | undefined, calendarIds: string[]): SlaPolicy {
  if (!file || file === DEFAULT_SLA_POLICY_FILE) return parseSlaPolicy(defaultPolicyData, calendarIds);
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new DataInvalid('SLA policy', [{ path: file, problem: `cannot be read: ${(error as Error).message}` }]);
  }
  return parseSlaPolicy(raw, calendarIds);
}

const ruleMatches = (rule: SlaRule, category: string, urgency: string) =>
  (rule.urgency === '*' || rule.urgency === urgency) &&
  (rule.category === '*' || rule.category === category ||
    (rule.category.endsWith('.*') && category.startsWith(rule.category.slice(0, -1))));

/** The terms a new case of this category and urgency runs on: recorded on the case at intake. */
export function slaTermsFor(policy: SlaPolicy, category: string, urgency: string): SlaTerms {
  const limits: SlaLimits = { ...policy.defaults, calendar: policy.calendar };
  for (const rule of policy.rules) {
    if (!ruleMatches(rule, category, urgency)) continue;
    for (const key of [...LIMIT_NAMES, ...OPTIONAL_LIMIT_NAMES, 'warnAt', 'calendar'] as const) {
      if (rule[key] !== undefined) (limits as Record<string, unknown>)[key] = rule[key];
    }
  }
  return {
    policyVersion: policy.version,
    calendar: limits.calendar,
    signFor: limits.signFor,
    resolve: limits.resolve,
    whistleReport: limits.whistleReport,
    supervisionAnswer: limits.supervisionAnswer,
    ratingWindow: limits.ratingWindow,
    warnAt: limits.warnAt,
    escalateOnResolveOverdue: TIERS.map((tier) => `${tier}>${policy.escalation.onResolveOverdue[tier] ?? ''}`),
    ...(limits.dispatch !== undefined && { dispatch: limits.dispatch }),
  };
}

/** The tier `escalateOnResolveOverdue` names above `tier`, or null. */
export function escalationTarget(terms: SlaTerms, tier: Tier): Tier | null {
  const pair = terms.escalateOnResolveOverdue.find((p) => p.startsWith(`${tier}>`));
  const target = pair?.slice(tier.length + 1);
  return target && TIERS.includes(target as Tier) ? (target as Tier) : null;
}

const policiesByFile = new Map<string, SlaPolicy>();

/** The policy in SLA_POLICY_FILE, read once per process (loadConfig refused an invalid file at start). */
export function slaPolicyOf(policyFile: string | undefined, calendarIds: string[]): SlaPolicy {
  const key = policyFile || DEFAULT_SLA_POLICY_FILE;
  let policy = policiesByFile.get(key);
  if (!policy) policiesByFile.set(key, (policy = loadSlaPolicy(key, calendarIds)));
  return policy;
}

/** The terms for a case taken in now: recorded on the case, so a later policy never rewrites them. */
export function slaTermsAtIntake(policyFile: string | undefined, calendarIds: string[], category: string, urgency: string): SlaTerms {
  return slaTermsFor(slaPolicyOf(policyFile, calendarIds), category, urgency);
}
