import { EventStore, RecordedEvent } from '@civicloop/event-store';
import { openReadDatabase } from '../database';
import { Projection } from '../projection';
import { chainProjection } from '../projections/chain.projection';
import { ReadModels } from '../read-models';
import { applyBatch } from '../runner/apply-batch';
import { CaseChain, queryCaseChain } from './chain.query';
import { ViewScope } from './common';

/**
 * The escalation chain as it stood after `events` (a case's history cut at a revision or a time):
 * the very chain projection and query the live view uses, applied to those events alone in a
 * throw-away in-memory database, so "then" and "now" can never be computed two different ways.
 */
export async function queryCaseChainAsOf(
  models: ReadModels, store: EventStore, caseId: string, events: RecordedEvent[], scope?: ViewScope,
): Promise<CaseChain | null> {
  const rdb = openReadDatabase({ sqliteFile: ':memory:' });
  try {
    const projection = chainProjection as Projection;
    const memory = new ReadModels(rdb, store, models.org, models.settings, [projection]);
    const { generation } = await memory.checkpoints.ensureProjection(projection);
    await applyBatch(rdb.db, projection, generation, events, memory.env, rdb.dialect);
    return await queryCaseChain(memory, caseId, scope);
  } finally {
    await rdb.close();
  }
}
