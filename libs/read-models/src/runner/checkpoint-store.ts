import { sql } from 'kysely';
import { CheckpointEvent, decodeCheckpointEvent, encodeCheckpointEvent } from '@civicloop/event-store';
import { ReadDatabase, ReadDb } from '../database';
import { allTables, Projection } from '../projection';
import { createTable } from '../table-spec';

export const STATE_TABLE = 'projection_state';

export interface ProjectionState {
  name: string;
  version: number;
  /** Suffix of the table set that readers use now; a rebuild writes the next one and swaps. */
  generation: number;
  /** Position of the last event applied; null before the first. */
  position: number | null;
  /** The event at `position`, so a checkpoint from another store is recognised (see checkpoint-event.ts). */
  positionEvent: CheckpointEvent | null;
  owner: string | null;
  /** Epoch ms (wall clock of the replicas) until which the owner's lease holds. */
  leaseUntil: number | null;
  /** The rebuild that claimed `rebuildGeneration`, and until when (epoch ms) its claim holds; null when none runs. */
  rebuildOwner: string | null;
  rebuildUntil: number | null;
  rebuildGeneration: number | null;
}

const toState = (row: Record<string, unknown>): ProjectionState => ({
  name: String(row.name),
  version: Number(row.version),
  generation: Number(row.generation),
  position: row.position === null ? null : Number(row.position),
  positionEvent: decodeCheckpointEvent(row.position_event),
  owner: (row.owner as string | null) ?? null,
  leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
  rebuildOwner: (row.rebuild_owner as string | null) ?? null,
  rebuildUntil: row.rebuild_until === null || row.rebuild_until === undefined ? null : Number(row.rebuild_until),
  rebuildGeneration: row.rebuild_generation === null || row.rebuild_generation === undefined ? null : Number(row.rebuild_generation),
});

/**
 * Checkpoints and leases of the projections, in the read-model database itself so that a batch's
 * rows and its checkpoint commit together. Every write is a compare-and-set: a runner that lost its
 * lease, or whose tables were swapped by a rebuild, cannot commit.
 */
export class CheckpointStore {
  constructor(private readonly rdb: ReadDatabase) {}

  get db(): ReadDb {
    return this.rdb.db;
  }

  async ensure(db: ReadDb = this.db): Promise<void> {
    await this.createStateTable(db);
    await this.addMissingColumns(db);
  }

  private async createStateTable(db: ReadDb): Promise<void> {
    const big = this.rdb.dialect === 'postgres' ? sql`bigint` : sql`integer`;
    const num = this.rdb.dialect === 'postgres' ? sql`double precision` : sql`real`;
    await db.schema.createTable(STATE_TABLE).ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', big, (c) => c.notNull())
      .addColumn('generation', big, (c) => c.notNull())
      .addColumn('position', num)
      .addColumn('owner', 'text')
      .addColumn('lease_until', num)
      .addColumn('position_event', 'text')
      .addColumn('rebuild_owner', 'text')
      .addColumn('rebuild_until', num)
      .addColumn('rebuild_generation', big)
      .execute();
  }

  private async addMissingColumns(db: ReadDb): Promise<void> {
    // Tables created before checkpoints carried their event, or before rebuilds claimed their
    // generation, lack those columns. Looked up first: an ALTER, even a no-op one, would lock the
    // table against every runner in PostgreSQL.
    const postgres = this.rdb.dialect === 'postgres';
    const columns = postgres
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns where table_name = ${STATE_TABLE} and table_schema = current_schema()`.execute(db)
      : await sql<{ name: string }>`select name from pragma_table_info(${STATE_TABLE})`.execute(db);
    const added: [string, string][] = [
      ['position_event', 'text'], ['rebuild_owner', 'text'],
      ['rebuild_until', postgres ? 'double precision' : 'real'], ['rebuild_generation', postgres ? 'bigint' : 'integer'],
    ];
    for (const [column, type] of added) {
      if (!columns.rows.some((c) => c.name === column)) await sql`alter table ${sql.table(STATE_TABLE)} add column ${sql.ref(column)} ${sql.raw(type)}`.execute(db);
    }
  }

  /** Creates the state row and the tables of the current generation when they are missing. */
  async ensureProjection(projection: Projection): Promise<ProjectionState> {
    const postgres = this.rdb.dialect === 'postgres';
    // SQLite: a transaction whose first statement reads (even CREATE TABLE IF NOT EXISTS checks the
    // schema) cannot later wait for another replica's write lock: SQLITE_BUSY at once. So the table
    // is made on its own and the transaction opens with a write, which waits (busy_timeout).
    if (!postgres) await this.createStateTable(this.db);
    return this.db.transaction().execute(async (trx) => {
      // Concurrent CREATE TABLE IF NOT EXISTS races in PostgreSQL; replicas take turns (DDL is transactional there).
      if (postgres) {
        await sql`select pg_advisory_xact_lock(724001)`.execute(trx);
        await this.createStateTable(trx);
      }
      await trx.insertInto(STATE_TABLE)
        .values({ name: projection.name, version: projection.version, generation: 1, position: null, owner: null, lease_until: null })
        .onConflict((oc) => oc.column('name').doNothing()).execute();
      await this.addMissingColumns(trx);
      const state = (await this.read(projection.name, trx))!;
      for (const table of allTables(projection)) await createTable(trx, this.rdb.dialect, table, state.generation);
      return state;
    });
  }

  async read(name: string, db: ReadDb = this.db): Promise<ProjectionState | undefined> {
    const row = await db.selectFrom(STATE_TABLE).selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toState(row) : undefined;
  }

  async readAll(): Promise<ProjectionState[]> {
    return (await this.db.selectFrom(STATE_TABLE).selectAll().orderBy('name').execute()).map(toState);
  }

  async tryAcquire(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const result = await this.db.updateTable(STATE_TABLE).set({ owner, lease_until: now + leaseMs })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', owner), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async renew(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.db.updateTable(STATE_TABLE).set({ lease_until: Date.now() + leaseMs })
      .where('name', '=', name).where('owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.db.updateTable(STATE_TABLE).set({ owner: null, lease_until: null })
      .where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** Moves the checkpoint from `expected` to `next` if this owner still holds the lease on that generation. */
  async advance(
    trx: ReadDb, name: string, owner: string, generation: number, expected: number | null, next: number, nextEvent: CheckpointEvent, leaseMs: number,
  ): Promise<boolean> {
    const result = await trx.updateTable(STATE_TABLE)
      .set({ position: next, position_event: encodeCheckpointEvent(nextEvent), lease_until: Date.now() + leaseMs })
      .where('name', '=', name).where('owner', '=', owner).where('generation', '=', generation)
      .where('position', expected === null ? 'is' : '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Claims the next generation for a rebuild by `owner`, unless another rebuild's claim still holds.
   * Each claim takes a generation no claim had before, so a rebuild whose claim lapsed (a process
   * paused past it) writes only into tables nobody else writes or reads.
   */
  async claimRebuild(name: string, owner: string, leaseMs: number): Promise<RebuildClaim> {
    for (;;) {
      const row = await this.db.selectFrom(STATE_TABLE).select(['generation', 'rebuild_owner', 'rebuild_until', 'rebuild_generation'])
        .where('name', '=', name).executeTakeFirst();
      if (!row) throw new Error(`projection ${name} has no state row: ensureProjection first`);
      const now = Date.now();
      const until = row.rebuild_until === null ? null : Number(row.rebuild_until);
      if (row.rebuild_owner !== null && until !== null && until >= now) return { busy: { owner: String(row.rebuild_owner), until } };
      const from = Number(row.generation);
      const earlier = row.rebuild_generation === null ? null : Number(row.rebuild_generation);
      const generation = Math.max(from, earlier ?? 0) + 1;
      // Compare-and-set on all that was read: two claimers that read the same row cannot both win.
      const result = await this.db.updateTable(STATE_TABLE)
        .set({ rebuild_owner: owner, rebuild_until: now + leaseMs, rebuild_generation: generation })
        .where('name', '=', name).where('generation', '=', from)
        .where('rebuild_generation', earlier === null ? 'is' : '=', earlier)
        .where('rebuild_owner', row.rebuild_owner === null ? 'is' : '=', row.rebuild_owner)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return { from, generation };
    }
  }

  /** Extends a rebuild's claim; false when it was lost (it lapsed and another rebuild claimed). */
  async renewRebuild(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.db.updateTable(STATE_TABLE).set({ rebuild_until: Date.now() + leaseMs })
      .where('name', '=', name).where('rebuild_owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends a rebuild's claim without a swap (it failed); its generation stays noted for the next claimer to clear. */
  async releaseRebuild(name: string, owner: string): Promise<void> {
    await this.db.updateTable(STATE_TABLE).set({ rebuild_owner: null, rebuild_until: null })
      .where('name', '=', name).where('rebuild_owner', '=', owner).execute();
  }

  /** Swaps a rebuilt generation in and ends its claim, unless the claim was lost or someone else swapped first. */
  async swap(
    name: string, owner: string, fromGeneration: number, toGeneration: number, version: number, position: number | null, positionEvent: CheckpointEvent | null,
  ): Promise<boolean> {
    const result = await this.db.updateTable(STATE_TABLE)
      .set({ generation: toGeneration, version, position, position_event: encodeCheckpointEvent(positionEvent), rebuild_owner: null, rebuild_until: null })
      .where('name', '=', name).where('generation', '=', fromGeneration).where('rebuild_owner', '=', owner).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

/** A rebuild's claim on a projection: the generation it writes, or who holds the claim now. */
export type RebuildClaim = { from: number; generation: number } | { busy: { owner: string; until: number } };
