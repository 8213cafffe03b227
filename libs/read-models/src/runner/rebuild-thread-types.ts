import { CasePart, CheckpointEvent, EventStore } from '@civicloop/event-store';
import { ReadDatabase } from '../database';
import { ProjectionEnv } from '../projection';
import { Folded, RebuildOptions, RebuildProgress } from './rebuild';
import type { RebuildPlan } from './rebuild-claim';

/**
 * How a thread opens what a rebuild reads and writes: `module` (a compiled file's absolute path)
 * exports `openRebuildSide(args)`, answering a RebuildSide. A thread cannot be handed the caller's
 * open connections or the projection environment (objects with methods), so each opens its own
 * from the same plain arguments: the CLI's from the service's configuration, the bench's from its files.
 */
export interface RebuildRecipe {
  module: string;
  args: unknown;
}

/** What a recipe's module opens for one thread, and how the thread lets go of it. */
export interface RebuildSide {
  rdb: ReadDatabase;
  store: EventStore;
  env: ProjectionEnv;
  close(): Promise<void>;
}

/** One part of a rebuild split by case: which projections, into which generations, up to which event, which cases. */
export interface RebuildThreadData {
  recipe: RebuildRecipe;
  projections: string[];
  plans: RebuildPlan[];
  until: number;
  partition: CasePart;
  options: Pick<RebuildOptions, 'batchSize' | 'cachedCases' | 'rememberedCases'>;
}

export type RebuildThreadMessage =
  | { kind: 'progress'; progress: RebuildProgress }
  | { kind: 'done'; folded: Folded; untilEvent: CheckpointEvent | null }
  | { kind: 'failed'; message: string; stack?: string };
