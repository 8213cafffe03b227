import { CHAIN_CASES, CHAIN_WHISTLES } from '../projections/chain.projection';
import { Period } from '../periods';
import { ReadModels } from '../read-models';
import { figures, inScope, num, ratio, ViewScope } from './common';
import { DayRange } from './satisfaction.query';

export const ESCALATION_GROUPS = ['street', 'community'] as const;
export type EscalationGroup = (typeof ESCALATION_GROUPS)[number];

export interface DepartmentWhistles {
  departmentId: string;
  summoned: number;
  reported: number;
  lateReports: number;
  reportSeconds: { p50: number | null; p90: number | null };
}

export interface EscalationsRow {
  key: string;
  period: string;
  /** Cases received in the period, and how many of them were escalated or whistled (ever). */
  cases: number;
  escalatedCases: number;
  escalationRate: number | null;
  whistledCases: number;
  whistleRate: number | null;
  /** Whistles blown in the period, and each summoned department's reports. */
  whistles: number;
  departments: DepartmentWhistles[];
}

export async function queryEscalations(
  models: ReadModels, params: { groupBy: EscalationGroup; period: Period } & DayRange, scope?: ViewScope,
): Promise<EscalationsRow[]> {
  const t = await models.tables('chain');
  const key = `${params.groupBy}_id`;
  const range = (query: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    let q = query.where(key, 'is not', null);
    if (params.from) q = q.where('day', '>=', params.from);
    if (params.to) q = q.where('day', '<=', params.to);
    return q;
  };
  let cases = range(models.db.selectFrom(t(CHAIN_CASES.name)).select((eb) => [
    eb.ref(key).as('key'), eb.ref(params.period).as('period'), eb.fn.countAll().as('cases'),
    eb.fn.sum(eb.case().when('escalations', '>', 0).then(1).else(0).end()).as('escalated'),
    eb.fn.sum(eb.case().when('whistles', '>', 0).then(1).else(0).end()).as('whistled'),
  ]));
  if (scope) cases = cases.where((eb: any) => inScope(eb, scope, ['compound_id'])); // eslint-disable-line @typescript-eslint/no-explicit-any
  let whistles = range(models.db.selectFrom(t(CHAIN_WHISTLES.name))
    .select([`${key} as key`, `${params.period} as period`, 'case_id', 'whistle_id', 'department_id', 'report_ms', 'report_late']));
  if (scope) whistles = whistles.where((eb: any) => inScope(eb, scope, ['department_id', 'compound_id'])); // eslint-disable-line @typescript-eslint/no-explicit-any
  const rows = new Map<string, EscalationsRow>();
  const row = (k: string, period: string) => {
    const id = `${period}\u0000${k}`;
    if (!rows.has(id)) {
      rows.set(id, { key: k, period, cases: 0, escalatedCases: 0, escalationRate: null, whistledCases: 0, whistleRate: null, whistles: 0, departments: [] });
    }
    return rows.get(id)!;
  };
  for (const c of await cases.groupBy([key, params.period]).execute()) {
    const r = row(String(c.key), String(c.period));
    r.cases = num(c.cases);
    r.escalatedCases = num(c.escalated);
    r.whistledCases = num(c.whistled);
    r.escalationRate = ratio(r.escalatedCases, r.cases);
    r.whistleRate = ratio(r.whistledCases, r.cases);
  }
  const perDepartment = new Map<string, { whistles: Set<string>; departments: Map<string, { summoned: number; late: number; reports: number[] }> }>();
  for (const w of (await whistles.execute()) as Record<string, unknown>[]) {
    const id = `${w.period}\u0000${w.key}`;
    if (!perDepartment.has(id)) perDepartment.set(id, { whistles: new Set(), departments: new Map() });
    const group = perDepartment.get(id)!;
    group.whistles.add(`${w.case_id}\u0000${w.whistle_id}`);
    const dept = String(w.department_id);
    if (!group.departments.has(dept)) group.departments.set(dept, { summoned: 0, late: 0, reports: [] });
    const d = group.departments.get(dept)!;
    d.summoned += 1;
    if (w.report_ms !== null) d.reports.push(num(w.report_ms));
    d.late += num(w.report_late);
  }
  for (const [id, group] of perDepartment) {
    const [period, k] = id.split('\u0000');
    const r = row(k, period);
    r.whistles = group.whistles.size;
    r.departments = [...group.departments.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([departmentId, d]) => {
      const f = figures(d.reports);
      return { departmentId, summoned: d.summoned, reported: d.reports.length, lateReports: d.late, reportSeconds: { p50: f.p50, p90: f.p90 } };
    });
  }
  return [...rows.values()].sort((a, b) => a.period.localeCompare(b.period) || a.key.localeCompare(b.key));
}
