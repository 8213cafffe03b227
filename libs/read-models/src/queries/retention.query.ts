import { ERASED } from '@civicloop/domain';
import { BOARD_TABLE } from '../projections/board.projection';
import { ReadModels } from '../read-models';

/**
 * Cases closed before `closedBefore` whose personal data the board still holds (its copy of the
 * description reads 已删除 once erased): the retention job's work list, oldest closure first.
 */
export async function casesPastRetention(models: ReadModels, closedBefore: string, limit = 500): Promise<string[]> {
  const table = (await models.tables('board'))(BOARD_TABLE.name);
  const rows = await models.db.selectFrom(table).select(['case_id'])
    .where('status', '=', 'closed').where('closed_at', '<', closedBefore).where('description', '!=', ERASED)
    .orderBy('closed_at').orderBy('case_id').limit(limit).execute();
  return rows.map((row) => String(row.case_id));
}
