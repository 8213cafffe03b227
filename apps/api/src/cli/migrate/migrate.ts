import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { EventStore, NewEvent, Position, RecordedEvent } from '@civicloop/event-store';

/** What a migration has copied so far, stored after every page so an interrupted run can resume. */
export interface MigrationCheckpoint {
  from: string;
  to: string;
  /** Source position of the last event known to be in the target. */
  after: Position | null;
  copied: number;
}

export interface MigrationOptions {
  from: { name: string; store: EventStore };
  to: { name: string; store: EventStore };
  checkpointFile: string;
  pageSize?: number;
  /** Called after each page with the running count; the CLI drives its progress bar from it. */
  onProgress?: (copied: number) => void;
  /** Rewrites each run of one stream's events before it is appended (encrypt-personal-data); copied as they are without. */
  rewrite?: (run: RecordedEvent[]) => Promise<NewEvent[]>;
  /** Called after a page is written to the target but before its checkpoint is stored. */
  afterPageWritten?: (copied: number) => void;
}

export class MigrationRefused extends Error {}

/**
 * Copies every event, in global order, keeping stream ids, revisions, event ids, data and metadata.
 * Consecutive events of one stream go in one append at the revision they had, so the target checks
 * each stream lines up. Resuming repeats at most the last page: those appends carry the same event
 * ids at the same revisions, which both adapters recognise as retries, so nothing is duplicated.
 */
export async function migrate(options: MigrationOptions): Promise<MigrationCheckpoint> {
  const { from, to, checkpointFile, pageSize = 500 } = options;
  const checkpoint = await startingPoint(options);
  for (;;) {
    const page = await from.store.readAll({ after: checkpoint.after, limit: pageSize });
    if (page.length === 0) break;
    for (const run of streamRuns(page)) {
      const first = run[0].revision;
      const events = options.rewrite ? await options.rewrite(run) : run.map(asNew);
      await to.store.append(run[0].streamId, events, first === 0 ? 'no_stream' : first - 1);
    }
    checkpoint.copied += page.length;
    options.afterPageWritten?.(checkpoint.copied);
    checkpoint.after = page[page.length - 1].position;
    saveCheckpoint(checkpointFile, checkpoint);
    options.onProgress?.(checkpoint.copied);
    if (page.length < pageSize) break;
  }
  return checkpoint;
}

async function startingPoint({ from, to, checkpointFile }: MigrationOptions): Promise<MigrationCheckpoint> {
  if (existsSync(checkpointFile)) {
    const stored = JSON.parse(readFileSync(checkpointFile, 'utf8')) as MigrationCheckpoint;
    if (stored.from !== from.name || stored.to !== to.name) {
      throw new MigrationRefused(`${checkpointFile} belongs to a migration from ${stored.from} to ${stored.to}; use another --checkpoint file`);
    }
    return stored;
  }
  if ((await to.store.headPosition()) !== null) {
    throw new MigrationRefused(`${to.name} already holds events and there is no checkpoint (${checkpointFile}) to resume from; migrate into an empty store`);
  }
  return { from: from.name, to: to.name, after: null, copied: 0 };
}

/** Splits a page into runs of consecutive events of the same stream, keeping global order. */
function streamRuns(page: RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  for (const event of page) {
    const last = runs[runs.length - 1];
    if (last && last[0].streamId === event.streamId) last.push(event);
    else runs.push([event]);
  }
  return runs;
}

export const asNew = ({ type, data, metadata }: RecordedEvent): NewEvent => ({ type, data, metadata });

/** Write-then-rename: a crash mid-write leaves the previous checkpoint, never a torn file. */
function saveCheckpoint(file: string, checkpoint: MigrationCheckpoint): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(checkpoint));
  renameSync(`${file}.tmp`, file);
}
