import { EventStore } from '@civicloop/event-store';
import { ReadDatabase, ReadDb } from './database';
import { OrgLookup } from './org';
import { Projection, ProjectionEnv } from './projection';
import { ALL_PROJECTIONS } from './projections';
import { CheckpointStore } from './runner/checkpoint-store';
import { ViewSettings } from './settings';
import { physicalName } from './table-spec';

export interface ProjectionLag {
  name: string;
  position: number | null;
  head: number | null;
  /** Events the projection has not applied yet. */
  lag: number;
  generation: number;
  owner: string | null;
  /** A rebuild under way (its claim holds now): who, into which generation, until when unless renewed. */
  rebuilding: { owner: string; generation: number; until: string } | null;
}

export class NotCaughtUp extends Error {
  constructor(readonly position: number, readonly lags: ProjectionLag[]) {
    super(`the views have not reached position ${position} yet`);
  }
}

/**
 * The read side as views use it: resolves the physical tables of the generation in use, reports
 * lag, and waits (bounded) for a position a command returned.
 */
export class ReadModels {
  readonly checkpoints: CheckpointStore;
  readonly env: ProjectionEnv;

  constructor(
    readonly rdb: ReadDatabase,
    private readonly store: EventStore,
    readonly org: OrgLookup,
    readonly settings: ViewSettings,
    readonly projections: Projection[] = ALL_PROJECTIONS,
  ) {
    this.checkpoints = new CheckpointStore(rdb);
    this.env = { org, settings };
  }

  get db(): ReadDb {
    return this.rdb.db;
  }

  get dialect() {
    return this.rdb.dialect;
  }

  async ensureSchema(): Promise<void> {
    for (const projection of this.projections) await this.checkpoints.ensureProjection(projection);
  }

  /** Physical names of a projection's tables in the generation readers use now. */
  async tables(projectionName: string): Promise<(logical: string) => string> {
    const state = await this.checkpoints.read(projectionName);
    if (!state) throw new Error(`projection ${projectionName} has no tables yet`);
    return (logical: string) => physicalName(logical, state.generation);
  }

  async lags(): Promise<ProjectionLag[]> {
    const head = await this.store.headPosition();
    const states = await this.checkpoints.readAll();
    return states.map((s) => ({
      name: s.name,
      position: s.position,
      head: head === null ? null : Number(head),
      lag: head === null ? 0 : Math.max(0, Number(head) - Number(s.position ?? 0)),
      generation: s.generation,
      owner: s.owner,
      rebuilding: s.rebuildOwner !== null && s.rebuildGeneration !== null && (s.rebuildUntil ?? 0) >= Date.now()
        ? { owner: s.rebuildOwner, generation: s.rebuildGeneration, until: new Date(s.rebuildUntil!).toISOString() } : null,
    }));
  }

  /** Resolves once every named projection has applied `position`; throws NotCaughtUp after `timeoutMs`. */
  async waitFor(position: number, projectionNames: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await this.checkpoints.readAll();
      // Read after the checkpoints, so no checkpoint of this store can lie past it: one that does
      // came from another (bigger) store and stands for nothing here until its runner rebuilds.
      const head = await this.store.headPosition();
      const behind = projectionNames.filter((name) => {
        const state = states.find((s) => s.name === name);
        return !state || state.position === null || state.position < position || (head !== null && state.position > Number(head));
      });
      if (behind.length === 0) return;
      if (Date.now() >= deadline) {
        throw new NotCaughtUp(position, (await this.lags()).filter((l) => behind.includes(l.name)));
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
