import { DISPATCHES } from '../projections/stats.projection';
import { ReadModels } from '../read-models';
import { inScope, num, ratio, ViewScope } from './common';
import { ratingCounts, satisfactionRate } from './satisfaction.query';

export const THREE_RATE_GROUPS = ['handler', 'street', 'community'] as const;
export type ThreeRateGroup = (typeof THREE_RATE_GROUPS)[number];

export interface ThreeRatesRow {
  key: string;
  dispatches: number;
  signedInTime: number;
  rated: number;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  score: number | null;
  rank: number | null;
}

const DISPATCH_KEY: Record<ThreeRateGroup, string> = { handler: 'assignee_id', street: 'street_id', community: 'community_id' };
const RATING_KEY: Record<ThreeRateGroup, string> = { handler: 'handler_id', street: 'street_id', community: 'community_id' };

/**
 * The monthly three rates (三率) and the ranking built on them. Score: the weighted mean of the
 * rates that have a denominator, times 100; rank 1 is the best, equal scores share a rank.
 */
export async function queryThreeRates(
  models: ReadModels, params: { groupBy: ThreeRateGroup; month: string }, scope?: ViewScope,
): Promise<ThreeRatesRow[]> {
  const table = (await models.tables('stats'))(DISPATCHES.name);
  const keyColumn = DISPATCH_KEY[params.groupBy];
  let query = models.db.selectFrom(table)
    .select((eb) => [eb.ref(keyColumn).as('key'), eb.fn.countAll().as('dispatches'), eb.fn.sum('signed_in_time').as('signed')])
    .where('month', '=', params.month).where(keyColumn, 'is not', null);
  if (scope) query = query.where((eb) => inScope(eb, scope, ['assignee_id', 'compound_id']));
  const dispatches = await query.groupBy(keyColumn).execute();
  const ratings = await ratingCounts(models, RATING_KEY[params.groupBy], 'month', {}, scope, ['handler_id', 'compound_id']);
  const keys = new Set([...dispatches.map((d) => String(d.key)), ...ratings.filter((r) => r.period === params.month).map((r) => r.key)]);
  const weights = models.settings.threeRateWeights;
  const rows: ThreeRatesRow[] = [...keys].map((key) => {
    const d = dispatches.find((x) => String(x.key) === key);
    const r = ratings.find((x) => x.key === key && x.period === params.month);
    const responseRate = d ? ratio(num(d.signed), num(d.dispatches)) : null;
    const resolutionRate = r ? ratio(r.solved, r.rated) : null;
    const satisfaction = r ? satisfactionRate(models, r) : null;
    const parts = [[weights.response, responseRate], [weights.resolution, resolutionRate], [weights.satisfaction, satisfaction]]
      .filter((p): p is [number, number] => p[1] !== null);
    const weightSum = parts.reduce((s, [w]) => s + w, 0);
    const score = weightSum === 0 ? null : Math.round((parts.reduce((s, [w, v]) => s + w * v, 0) / weightSum) * 10000) / 100;
    return {
      key, dispatches: num(d?.dispatches), signedInTime: num(d?.signed), rated: r?.rated ?? 0,
      responseRate, resolutionRate, satisfactionRate: satisfaction, score, rank: null,
    };
  });
  rows.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.key.localeCompare(b.key));
  rows.forEach((row, i) => {
    if (row.score === null) return;
    row.rank = i > 0 && rows[i - 1].score === row.score ? rows[i - 1].rank : i + 1;
  });
  return rows;
}
