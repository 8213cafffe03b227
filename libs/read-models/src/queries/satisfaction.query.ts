import { RATINGS } from '../projections/stats.projection';
import { Period } from '../periods';
import { ReadModels } from '../read-models';
import { inScope, num, ratio, ViewScope } from './common';

export const SATISFACTION_GROUPS = ['handler', 'street', 'community', 'grid', 'department', 'category'] as const;
export type SatisfactionGroup = (typeof SATISFACTION_GROUPS)[number];

export const GROUP_COLUMNS: Record<string, string> = {
  handler: 'handler_id', street: 'street_id', community: 'community_id', grid: 'grid_id', department: 'department_id', category: 'category',
};

export interface DayRange {
  /** Local dates YYYY-MM-DD, both inclusive. */
  from?: string;
  to?: string;
}

export interface SatisfactionRow {
  key: string;
  period: string;
  rated: number;
  satisfied: number;
  basicallySatisfied: number;
  unsatisfied: number;
  satisfactionRate: number | null;
  resolutionRate: number | null;
}

/** Counts of ratings per rating kind; the rates use the configured weight of "basically satisfied". */
export async function ratingCounts(
  models: ReadModels, keyColumn: string, periodColumn: string, range: DayRange, scope: ViewScope | undefined, scopeColumns: string[],
) {
  const table = (await models.tables('stats'))(RATINGS.name);
  let query = models.db.selectFrom(table)
    .select((eb) => [
      eb.ref(keyColumn).as('key'),
      eb.ref(periodColumn).as('period'),
      eb.fn.countAll().as('rated'),
      eb.fn.sum(eb.case().when('rating', '=', 'satisfied').then(1).else(0).end()).as('satisfied'),
      eb.fn.sum(eb.case().when('rating', '=', 'basically_satisfied').then(1).else(0).end()).as('basically'),
      eb.fn.sum(eb.case().when('rating', '=', 'unsatisfied').then(1).else(0).end()).as('unsatisfied'),
      eb.fn.sum('solved').as('solved'),
    ])
    .where(keyColumn, 'is not', null);
  if (range.from) query = query.where('day', '>=', range.from);
  if (range.to) query = query.where('day', '<=', range.to);
  if (scope) query = query.where((eb) => inScope(eb, scope, scopeColumns));
  const rows = await query.groupBy([keyColumn, periodColumn]).execute();
  return rows.map((r) => ({
    key: String(r.key), period: String(r.period), rated: num(r.rated), satisfied: num(r.satisfied),
    basically: num(r.basically), unsatisfied: num(r.unsatisfied), solved: num(r.solved),
  }));
}

export const satisfactionRate = (models: ReadModels, c: { satisfied: number; basically: number; rated: number }) =>
  ratio(c.satisfied + models.settings.basicallySatisfiedWeight * c.basically, c.rated);

export async function querySatisfaction(
  models: ReadModels, params: { groupBy: SatisfactionGroup; period: Period } & DayRange, scope?: ViewScope,
): Promise<SatisfactionRow[]> {
  const counts = await ratingCounts(models, GROUP_COLUMNS[params.groupBy], params.period, params, scope, ['handler_id', 'compound_id']);
  return counts
    .map((c) => ({
      key: c.key, period: c.period, rated: c.rated, satisfied: c.satisfied, basicallySatisfied: c.basically,
      unsatisfied: c.unsatisfied, satisfactionRate: satisfactionRate(models, c), resolutionRate: ratio(c.solved, c.rated),
    }))
    .sort((a, b) => a.period.localeCompare(b.period) || a.key.localeCompare(b.key));
}
