import { ExpressionBuilder, sql } from 'kysely';
import { BOARD_TABLE } from '../projections/board.projection';
import { ReadModels } from '../read-models';
import { inScope, ViewScope } from './common';

export const BOARD_SORTS = ['receivedAt', '-receivedAt', 'nextDueAt', '-nextDueAt', 'updatedAt', '-updatedAt'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];
const SORT_COLUMNS: Record<string, string> = { receivedAt: 'received_at', nextDueAt: 'next_due_at', updatedAt: 'updated_at' };

export interface BoardFilter {
  status?: string[];
  tier?: string[];
  assigneeId?: string;
  /** The resident who reported the cases (a resident's own cases; never set from a request parameter). */
  residentId?: string;
  /** Any unit: cases located in its subtree (a department: cases it holds or is whistled to). */
  areaId?: string;
  category?: string[];
  channel?: string[];
  urgency?: string[];
  overdue?: boolean;
  receivedFrom?: string;
  receivedTo?: string;
  text?: string;
  sort?: BoardSort;
  cursor?: string;
  limit?: number;
}

export interface BoardRowView {
  id: string;
  status: string;
  tier: string | null;
  assigneeId: string | null;
  category: string;
  channel: string;
  urgency: string;
  compoundId: string;
  streetId: string | null;
  communityId: string | null;
  gridId: string | null;
  receivedAt: string;
  dispatchedAt: string | null;
  /** Only while waiting for dispatch (intake, a return, a reopen), when the terms have a dispatch limit. */
  dispatchDueAt: string | null;
  signDueAt: string | null;
  /** Only while the case is accepted: the resolution limit runs from acceptance (or an approved extension). */
  resolveDueAt: string | null;
  sla: { policyVersion: string; calendar: string; signFor: string; resolve: string };
  /** The current holder's limits: late, flagged by the scheduler, or waiting past due now. */
  overdue: { dispatch: boolean; signFor: boolean; resolve: boolean };
  /** Any holder's, over the case's whole history (a late sign-for at an earlier tier stays here). */
  everOverdue: { dispatch: boolean; signFor: boolean; resolve: boolean };
  /** The due time the case waits on was counted through a calendar year not yet official: it may move. */
  provisional: boolean;
  returns: number;
  escalations: number;
  reworks: number;
  /** 催办 reminders sent to the holders of this case. */
  reminders: number;
  whistles: number;
  openSupervisions: number;
  updatedAt: string;
}

export class InvalidCursor extends Error {}

const AREA_COLUMNS: Record<string, string> = {
  district: 'district_id', street: 'street_id', community: 'community_id', grid: 'grid_id', compound: 'compound_id', company: 'company_id',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Eb = ExpressionBuilder<any, any>;

/** Overdue now: late when it happened, flagged by the deadline scheduler, or past due and still waiting. */
function overdueSign(eb: Eb, now: string) {
  return eb.or([eb('sign_late', '=', 1), eb('sign_overdue_flag', '=', 1),
    eb.and([eb('status', '=', 'dispatched'), eb('sign_due_at', '<', now)])]);
}
function overdueResolve(eb: Eb, now: string) {
  return eb.or([eb('resolve_late', '=', 1), eb('resolve_overdue_flag', '=', 1),
    eb.and([eb('status', '=', 'accepted'), eb('resolve_due_at', '<', now)])]);
}

const encodeCursor = (value: unknown, id: string) => Buffer.from(JSON.stringify([value, id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return parsed as [string, string];
    }
  } catch { /* falls through to the refusal */ }
  throw new InvalidCursor('cursor is not one this view handed out');
}

export async function queryBoard(
  models: ReadModels, filter: BoardFilter, now: string, scope?: ViewScope,
): Promise<{ rows: BoardRowView[]; nextCursor: string | null }> {
  const table = (await models.tables('board'))(BOARD_TABLE.name);
  const sort = filter.sort ?? '-receivedAt';
  const descending = sort.startsWith('-');
  const column = SORT_COLUMNS[sort.replace('-', '')];
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  let query = models.db.selectFrom(table).selectAll();
  const list = (name: string, values?: string[]) => {
    if (values?.length) query = query.where(name, 'in', values);
  };
  list('status', filter.status);
  list('tier', filter.tier);
  list('category', filter.category);
  list('channel', filter.channel);
  list('urgency', filter.urgency);
  if (filter.assigneeId) query = query.where('assignee_id', '=', filter.assigneeId);
  if (filter.residentId) query = query.where('resident_id', '=', filter.residentId);
  if (filter.areaId) {
    const kind = models.org.kind(filter.areaId);
    const areaId = filter.areaId;
    query = kind && AREA_COLUMNS[kind]
      ? query.where(AREA_COLUMNS[kind], '=', areaId)
      : query.where((eb) => eb.or([eb('assignee_id', '=', areaId), eb('whistle_departments', 'like', `%,${areaId},%`)]));
  }
  if (filter.overdue !== undefined) {
    query = query.where((eb) => (filter.overdue
      ? eb.or([overdueSign(eb, now), overdueResolve(eb, now)])
      : eb.not(eb.or([overdueSign(eb, now), overdueResolve(eb, now)]))));
  }
  if (filter.receivedFrom) query = query.where('received_at', '>=', filter.receivedFrom);
  if (filter.receivedTo) query = query.where('received_at', '<', filter.receivedTo);
  if (filter.text) {
    const position = models.dialect === 'postgres' ? 'strpos' : 'instr';
    query = query.where(sql`${sql.raw(position)}(lower(description), lower(${filter.text}))`, '>', 0);
  }
  if (scope) {
    const units = scope.unitIds;
    query = query.where((eb) => eb.or([
      inScope(eb, scope, ['assignee_id', 'compound_id']),
      ...units.filter((id) => models.org.kind(id) === 'department').map((id) => eb('whistle_departments', 'like', `%,${id},%`)),
    ]));
  }
  if (filter.cursor) {
    const [value, id] = decodeCursor(filter.cursor);
    const op = descending ? '<' : '>';
    query = query.where((eb) => eb.or([eb(column, op, value), eb.and([eb(column, '=', value), eb('case_id', op, id)])]));
  }
  const direction = descending ? 'desc' : 'asc';
  const rows = await query.orderBy(column, direction).orderBy('case_id', direction).limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((row) => toView(row, now)),
    nextCursor: rows.length > limit && last ? encodeCursor(last[column], String(last.case_id)) : null,
  };
}

function toView(r: Record<string, any>, now: string): BoardRowView { // eslint-disable-line @typescript-eslint/no-explicit-any
  const overdue = {
    dispatch: r.status === 'received' && r.dispatch_due_at !== null && (Number(r.dispatch_overdue_flag) === 1 || r.dispatch_due_at < now),
    signFor: Number(r.sign_late) === 1 || Number(r.sign_overdue_flag) === 1 || (r.status === 'dispatched' && r.sign_due_at < now),
    resolve: Number(r.resolve_late) === 1 || Number(r.resolve_overdue_flag) === 1 || (r.status === 'accepted' && r.resolve_due_at < now),
  };
  return {
    id: r.case_id, status: r.status, tier: r.tier, assigneeId: r.assignee_id, category: r.category, channel: r.channel,
    urgency: r.urgency, compoundId: r.compound_id, streetId: r.street_id, communityId: r.community_id, gridId: r.grid_id,
    receivedAt: r.received_at, dispatchedAt: r.dispatched_at, dispatchDueAt: r.status === 'received' ? r.dispatch_due_at : null, signDueAt: r.sign_due_at, resolveDueAt: r.status === 'accepted' ? r.resolve_due_at : null,
    sla: { policyVersion: r.sla_policy_version, calendar: r.sla_calendar, signFor: r.sla_sign_for, resolve: r.sla_resolve },
    overdue,
    everOverdue: {
      dispatch: overdue.dispatch || Number(r.ever_dispatch_overdue) === 1,
      signFor: overdue.signFor || Number(r.ever_sign_overdue) === 1,
      resolve: overdue.resolve || Number(r.ever_resolve_overdue) === 1,
    },
    provisional: (r.status === 'dispatched' && Number(r.sign_due_provisional) === 1) || (r.status === 'accepted' && Number(r.resolve_due_provisional) === 1),
    returns: Number(r.returns), escalations: Number(r.escalations), reworks: Number(r.reworks), reminders: Number(r.reminders ?? 0), whistles: Number(r.whistles),
    openSupervisions: Number(r.open_supervisions), updatedAt: r.updated_at,
  };
}
