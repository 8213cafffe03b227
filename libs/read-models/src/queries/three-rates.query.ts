import { DISPATCHES, RATINGS } from '../projections/stats.projection';
import { ReadModels } from '../read-models';
import { inScope, num, ViewScope } from './common';

export const THREE_RATE_GROUPS = ['handler', 'street', 'community'] as const;
export type ThreeRateGroup = (typeof THREE_RATE_GROUPS)[number];
/** Area groupings: by where the case is (location) or by where the unit that had it sits (assignee). */
export const ATTRIBUTIONS = ['location', 'assignee'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

export interface ThreeRatesRow {
  key: string;
  /** Dispatches (and escalations) of the month to this key. */
  dispatches: number;
  /** Not signed for, limit not yet passed: not counted yet. */
  pending: number;
  /** Returns the dispatch centre approved: not the unit's failure, not counted. */
  approvedReturns: number;
  /** dispatches − pending − approvedReturns: the response rate's denominator. */
  counted: number;
  signedInTime: number;
  rated: number;
  responseRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  score: number | null;
  rank: number | null;
}

const DISPATCH_KEY: Record<Attribution, Record<ThreeRateGroup, string>> = {
  location: { handler: 'assignee_id', street: 'street_id', community: 'community_id' },
  assignee: { handler: 'assignee_id', street: 'assignee_street_id', community: 'assignee_community_id' },
};
const RATING_KEY: Record<Attribution, Record<ThreeRateGroup, string>> = {
  location: { handler: 'handler_id', street: 'street_id', community: 'community_id' },
  assignee: { handler: 'handler_id', street: 'handler_street_id', community: 'handler_community_id' },
};

export interface DispatchCounts { dispatches: number; pending: number; approvedReturns: number; signed: number }
export interface RatingCounts { rated: number; solved: number; satisfied: number; basically: number }
export interface RateSettings {
  weights: { response: number; resolution: number; satisfaction: number };
  basicallySatisfiedWeight: number;
}

const exact = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const round = (value: number | null, places: number) => (value === null ? null : Math.round(value * 10 ** places) / 10 ** places);
/** Scores closer than this are equal: the same fractions summed in another order differ in the last bits. */
const SAME_SCORE = 1e-9;

/**
 * The formulas, apart from any SQL (docs/views.md states them): rates and score from exact
 * fractions; rates are rounded to 4 decimals and scores to 2 only for display; the ranking uses
 * the exact score, and equal scores share a rank (1, 2, 2, 4).
 */
export function threeRateRows(keys: string[], dispatch: (key: string) => DispatchCounts | undefined, rating: (key: string) => RatingCounts | undefined, settings: RateSettings): ThreeRatesRow[] {
  const { weights } = settings;
  const scored = keys.map((key) => {
    const d = dispatch(key) ?? { dispatches: 0, pending: 0, approvedReturns: 0, signed: 0 };
    const r = rating(key) ?? { rated: 0, solved: 0, satisfied: 0, basically: 0 };
    const counted = d.dispatches - d.pending - d.approvedReturns;
    const response = exact(d.signed, counted);
    const resolution = exact(r.solved, r.rated);
    const satisfaction = exact(r.satisfied + settings.basicallySatisfiedWeight * r.basically, r.rated);
    const parts = [[weights.response, response], [weights.resolution, resolution], [weights.satisfaction, satisfaction]]
      .filter((p): p is [number, number] => p[1] !== null);
    const weightSum = parts.reduce((s, [w]) => s + w, 0);
    const score = weightSum === 0 ? null : (parts.reduce((s, [w, v]) => s + w * v, 0) / weightSum) * 100;
    const row: ThreeRatesRow = {
      key, dispatches: d.dispatches, pending: d.pending, approvedReturns: d.approvedReturns, counted, signedInTime: d.signed,
      rated: r.rated, responseRate: round(response, 4), resolutionRate: round(resolution, 4), satisfactionRate: round(satisfaction, 4),
      score: round(score, 2), rank: null,
    };
    return { row, score };
  });
  scored.sort((a, b) => {
    const difference = (b.score ?? -1) - (a.score ?? -1);
    return Math.abs(difference) >= SAME_SCORE ? difference : a.row.key.localeCompare(b.row.key);
  });
  scored.forEach(({ row, score }, i) => {
    if (score === null) return;
    const previous = scored[i - 1];
    row.rank = previous?.score != null && Math.abs(previous.score - score) < SAME_SCORE ? previous.row.rank : i + 1;
  });
  return scored.map(({ row }) => row);
}

/**
 * The monthly three rates (三率) and the ranking built on them. A dispatch counts in its month
 * once it was signed for or its sign-for limit has passed by `now`; until then it is `pending`.
 */
export async function queryThreeRates(
  models: ReadModels, params: { groupBy: ThreeRateGroup; month: string; now: string; attribution?: Attribution }, scope?: ViewScope,
): Promise<ThreeRatesRow[]> {
  const attribution = params.attribution ?? 'location';
  const tables = await models.tables('stats');
  const dispatchKey = DISPATCH_KEY[attribution][params.groupBy];
  const approved = (eb: any) => eb.and([eb('outcome', '=', 'returned'), eb('return_review', '=', 'approved')]); // eslint-disable-line @typescript-eslint/no-explicit-any
  let dispatchQuery = models.db.selectFrom(tables(DISPATCHES.name))
    .select((eb) => [
      eb.ref(dispatchKey).as('key'),
      eb.fn.countAll().as('dispatches'),
      eb.fn.sum('signed_in_time').as('signed'),
      eb.fn.sum(eb.case().when(approved(eb)).then(1).else(0).end()).as('approved'),
      eb.fn.sum(eb.case().when(eb.and([eb('outcome', '<>', 'accepted'), eb.not(approved(eb)), eb('sign_due_at', '>', params.now)])).then(1).else(0).end()).as('pending'),
    ])
    .where('month', '=', params.month).where(dispatchKey, 'is not', null);
  if (scope) dispatchQuery = dispatchQuery.where((eb) => inScope(eb, scope, ['assignee_id', 'compound_id']));
  const dispatches = new Map((await dispatchQuery.groupBy(dispatchKey).execute()).map((d) => [String(d.key), {
    dispatches: num(d.dispatches), pending: num(d.pending), approvedReturns: num(d.approved), signed: num(d.signed),
  }]));

  const ratingKey = RATING_KEY[attribution][params.groupBy];
  let ratingQuery = models.db.selectFrom(tables(RATINGS.name))
    .select((eb) => [
      eb.ref(ratingKey).as('key'),
      eb.fn.countAll().as('rated'),
      eb.fn.sum('solved').as('solved'),
      eb.fn.sum(eb.case().when('rating', '=', 'satisfied').then(1).else(0).end()).as('satisfied'),
      eb.fn.sum(eb.case().when('rating', '=', 'basically_satisfied').then(1).else(0).end()).as('basically'),
    ])
    .where('month', '=', params.month).where(ratingKey, 'is not', null);
  if (scope) ratingQuery = ratingQuery.where((eb) => inScope(eb, scope, ['handler_id', 'compound_id']));
  const ratings = new Map((await ratingQuery.groupBy(ratingKey).execute()).map((r) => [String(r.key), {
    rated: num(r.rated), solved: num(r.solved), satisfied: num(r.satisfied), basically: num(r.basically),
  }]));

  const keys = [...new Set([...dispatches.keys(), ...ratings.keys()])];
  return threeRateRows(keys, (k) => dispatches.get(k), (k) => ratings.get(k), {
    weights: models.settings.threeRateWeights, basicallySatisfiedWeight: models.settings.basicallySatisfiedWeight,
  });
}
