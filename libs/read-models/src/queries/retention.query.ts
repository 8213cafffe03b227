import { BOARD_TABLE, boardProjection } from '../projections/board.projection';
import { ReadModels } from '../read-models';

/** A case on the retention job's work list, and where the next page starts after it. */
export interface RetentionEntry { caseId: string; closedAt: string }

/**
 * The board readers use now is of an older version while its rebuild to the current one runs (after
 * an upgrade): its tables may lack what the work list selects on, so the list waits for the swap.
 */
export class BoardRebuilding extends Error {}

/**
 * Cases closed before `closedBefore` whose personal data was not erased (the board marks when it was;
 * not its description reading 已删除, which a resident may have written): the retention job's work list, oldest closure first, a page
 * at a time from just after `after` (a keyset cursor on (closed_at, case_id): each page is one index
 * range, however many cases came before it or failed to erase).
 */
export async function casesPastRetention(models: ReadModels, closedBefore: string, limit = 500, after?: RetentionEntry): Promise<RetentionEntry[]> {
  const state = await models.checkpoints.read(boardProjection.name);
  if (!state || state.version < boardProjection.version) {
    throw new BoardRebuilding(`the board is being rebuilt (version ${state?.version ?? 'none'} → ${boardProjection.version})`);
  }
  const table = (await models.tables('board'))(BOARD_TABLE.name);
  let query = models.db.selectFrom(table).select(['case_id', 'closed_at'])
    .where('status', '=', 'closed').where('closed_at', '<', closedBefore).where('personal_data_erased_at', 'is', null);
  if (after) {
    query = query.where((eb) => eb.or([
      eb('closed_at', '>', after.closedAt),
      eb.and([eb('closed_at', '=', after.closedAt), eb('case_id', '>', after.caseId)]),
    ]));
  }
  const rows = await query.orderBy('closed_at').orderBy('case_id').limit(limit).execute();
  return rows.map((row) => ({ caseId: String(row.case_id), closedAt: String(row.closed_at) }));
}
