import { CUSTODY, DISPATCHES, ROUNDS } from '../projections/stats.projection';
import { Period } from '../periods';
import { ReadModels } from '../read-models';
import { Figures, figures, inScope, num, ViewScope } from './common';
import { DayRange } from './satisfaction.query';

export const RESPONSE_TIME_GROUPS = ['handler', 'street', 'community', 'grid', 'department', 'category'] as const;
export type ResponseTimeGroup = (typeof RESPONSE_TIME_GROUPS)[number];

export type TimeFigures = Figures & { business: Figures };

export interface ResponseTimesRow {
  key: string;
  period: string;
  /** Rounds of handling (intake or reopen) that started in the period. */
  count: number;
  signFor: TimeFigures;
  resolve: TimeFigures;
  close: TimeFigures;
  breaches: { signFor: number; resolve: number };
  /** The clock the key's units held: every spell from dispatch to hand-over, and the part lost to returns. */
  held: { spells: number; seconds: number; businessSeconds: number; lostToReturnsSeconds: number; lostToReturnsBusinessSeconds: number };
}

const AREA: Record<string, string> = { street: 'street_id', community: 'community_id', grid: 'grid_id', department: 'department_id', category: 'category' };
const keyOf = (groupBy: ResponseTimeGroup, handlerColumn: string) => (groupBy === 'handler' ? handlerColumn : AREA[groupBy]);

interface Bucket {
  count: number;
  sign: number[]; signB: number[];
  resolve: number[]; resolveB: number[];
  close: number[]; closeB: number[];
  signLate: number; resolveLate: number;
  spells: number; held: number; heldB: number; lost: number; lostB: number;
}

const emptyBucket = (): Bucket => ({
  count: 0, sign: [], signB: [], resolve: [], resolveB: [], close: [], closeB: [],
  signLate: 0, resolveLate: 0, spells: 0, held: 0, heldB: 0, lost: 0, lostB: 0,
});

export async function queryResponseTimes(
  models: ReadModels, params: { groupBy: ResponseTimeGroup; period: Period } & DayRange, scope?: ViewScope,
): Promise<ResponseTimesRow[]> {
  const t = await models.tables('stats');
  const fetch = async (table: string, handlerColumn: string, columns: string[], extra?: (q: any) => any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const key = keyOf(params.groupBy, handlerColumn);
    let query = models.db.selectFrom(t(table)).select([`${key} as key`, `${params.period} as period`, ...columns]).where(key, 'is not', null);
    if (params.from) query = query.where('day', '>=', params.from);
    if (params.to) query = query.where('day', '<=', params.to);
    if (scope) query = query.where((eb) => inScope(eb, scope, [handlerColumn, 'compound_id']));
    return (extra ? extra(query) : query).execute() as Promise<Record<string, unknown>[]>;
  };
  const buckets = new Map<string, Bucket>();
  const bucket = (row: Record<string, unknown>) => {
    const id = `${row.period}\u0000${row.key}`;
    if (!buckets.has(id)) buckets.set(id, emptyBucket());
    return buckets.get(id)!;
  };
  for (const row of await fetch(DISPATCHES.name, 'assignee_id', ['sign_ms', 'sign_business_ms', 'sign_late'], (q) => q.where('outcome', '=', 'accepted'))) {
    const b = bucket(row);
    b.sign.push(num(row.sign_ms));
    b.signB.push(num(row.sign_business_ms));
    b.signLate += num(row.sign_late);
  }
  for (const row of await fetch(ROUNDS.name, 'handler_id', ['resolve_ms', 'resolve_business_ms', 'resolve_late', 'close_ms', 'close_business_ms'])) {
    const b = bucket(row);
    b.count += 1;
    if (row.resolve_ms !== null) {
      b.resolve.push(num(row.resolve_ms));
      b.resolveB.push(num(row.resolve_business_ms));
      b.resolveLate += num(row.resolve_late);
    }
    if (row.close_ms !== null) {
      b.close.push(num(row.close_ms));
      b.closeB.push(num(row.close_business_ms));
    }
  }
  for (const row of await fetch(CUSTODY.name, 'unit_id', ['held_ms', 'held_business_ms', 'end_kind'], (q) => q.where('to_at', 'is not', null))) {
    const b = bucket(row);
    b.spells += 1;
    b.held += num(row.held_ms);
    b.heldB += num(row.held_business_ms);
    if (row.end_kind === 'returned') {
      b.lost += num(row.held_ms);
      b.lostB += num(row.held_business_ms);
    }
  }
  const both = (wall: number[], business: number[]): TimeFigures => ({ ...figures(wall), business: figures(business) });
  return [...buckets.entries()]
    .map(([id, b]) => {
      const [period, key] = id.split('\u0000');
      return {
        key, period, count: b.count,
        signFor: both(b.sign, b.signB), resolve: both(b.resolve, b.resolveB), close: both(b.close, b.closeB),
        breaches: { signFor: b.signLate, resolve: b.resolveLate },
        held: { spells: b.spells, seconds: b.held / 1000, businessSeconds: b.heldB / 1000, lostToReturnsSeconds: b.lost / 1000, lostToReturnsBusinessSeconds: b.lostB / 1000 },
      };
    })
    .sort((a, b) => a.period.localeCompare(b.period) || a.key.localeCompare(b.key));
}
