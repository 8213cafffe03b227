import { KeyObject } from 'node:crypto';
import { checkCheckpoint, checkpointEventOf, describeCheckpointEvent, EventStore, RecordedEvent, Subscription } from '@civicloop/event-store';
import { AuditBatch, AuditStore } from './audit-store';
import { contentHash } from './event-hash';
import { CompletedNode } from './merkle';
import { signCheckpoint, SignedCheckpoint } from './signing';

export interface ChainFollowerOptions {
  /** Sign a checkpoint once this many events are past the last one… */
  checkpointEvery: number;
  /** …or this long after the last one, when any event came since. */
  checkpointMs: number;
  batchSize?: number;
  idleFlushMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
  /** Hears once that the follower stopped on an error (lost connection, disk full…); the owner restarts it. */
  onFailure?: (error: unknown) => void;
}

/**
 * Follows the global log from its own checkpoint (like a projection, so appenders never wait for it
 * and every store adapter works the same) and grows the Merkle tree over every event in global order,
 * signing a checkpoint of the tree every N events or M minutes.
 */
export class ChainFollower {
  private subscription: Subscription | null = null;
  private buffer: RecordedEvent[] = [];
  private idle: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  private readonly now: () => Date;
  private readonly log: (message: string) => void;

  constructor(private readonly store: EventStore, private readonly audit: AuditStore, private readonly key: KeyObject, private readonly options: ChainFollowerOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  /** Starts following; resolves once the stored position is checked against this store. */
  async start(): Promise<void> {
    const state = this.audit.state();
    let after = state.position;
    if (after !== null && state.positionEvent) {
      const check = await checkCheckpoint(this.store, after, state.positionEvent);
      if (check.verdict === 'absent') {
        // Rebuilding would overwrite the record an auditor relies on: stop and say so instead.
        throw new Error(`audit tree stands on ${describeCheckpointEvent(state.positionEvent)}, which this event store does not hold; it belongs to another history`);
      }
      if (check.verdict === 'moved') this.log(`the history was migrated: continuing after position ${check.position} (was ${after})`);
      after = check.position;
    }
    this.timer = setInterval(() => this.enqueue(true), Math.max(1000, Math.min(this.options.checkpointMs, 60_000)));
    this.subscription = this.store.subscribeToAll({
      after,
      handler: (event) => {
        if (this.failed) throw this.failed;
        this.buffer.push(event);
        if (this.buffer.length >= (this.options.batchSize ?? 500)) return this.enqueue(false);
        this.idle ??= setTimeout(() => {
          this.idle = null;
          this.enqueue(false).catch(() => undefined);
        }, this.options.idleFlushMs ?? 20);
      },
      onError: (error) => this.fail(error),
    });
  }

  /** Waits until every event seen so far is in the tree (tests, shutdown). */
  async drain(): Promise<void> {
    await this.enqueue(false);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.idle) clearTimeout(this.idle);
    await this.subscription?.stop();
    await this.enqueue(false).catch(() => undefined);
  }

  /** Signs the tree as it stands now (after the pending batch), whatever the cadence says. */
  async checkpointNow(): Promise<SignedCheckpoint | null> {
    await this.drain();
    return this.signIfDue(true);
  }

  private enqueue(timed: boolean): Promise<void> {
    this.queue = this.queue.then(() => this.flush()).then(() => void (timed && this.signIfDue(false)));
    return this.queue.catch((error) => {
      this.fail(error);
      throw error;
    });
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = error;
    this.log(`stopped: ${(error as Error)?.message ?? error}`);
    this.options.onFailure?.(error);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    const state = this.audit.state();
    const frontier = state.frontier;
    const expectedSize = frontier.size;
    const nodes: CompletedNode[] = [];
    const leaves = events.map((event) => {
      const eventHash = contentHash(event);
      const index = frontier.size;
      frontier.add(eventHash, (node) => nodes.push(node));
      return { index, streamId: event.streamId, revision: event.revision, eventId: event.metadata.eventId, eventHash };
    });
    const last = events[events.length - 1];
    const batch: AuditBatch = { leaves, nodes, frontier, position: last.position, positionEvent: checkpointEventOf(last) };
    const due = frontier.size - state.signedSize >= this.options.checkpointEvery;
    const checkpoint = due ? this.sign(batch) : undefined;
    if (!this.audit.commit(expectedSize, batch, checkpoint)) throw new Error('the audit tree grew under this follower (another follower on the same file)');
  }

  private signIfDue(force: boolean): SignedCheckpoint | null {
    const state = this.audit.state();
    if (state.frontier.size === state.signedSize) return force ? this.audit.latestCheckpoint() : null;
    const age = state.signedAt ? this.now().getTime() - Date.parse(state.signedAt) : Infinity;
    if (!force && age < this.options.checkpointMs) return null;
    const checkpoint = signCheckpoint({
      log: 'civicloop-audit', version: 1, treeSize: state.frontier.size, rootHash: state.frontier.root(),
      lastEvent: state.positionEvent, signedAt: this.now().toISOString(),
    }, this.key);
    this.audit.saveCheckpoint(checkpoint);
    return checkpoint;
  }

  private sign(batch: AuditBatch): SignedCheckpoint {
    return signCheckpoint({
      log: 'civicloop-audit', version: 1, treeSize: batch.frontier.size, rootHash: batch.frontier.root(),
      lastEvent: batch.positionEvent, signedAt: this.now().toISOString(),
    }, this.key);
  }
}

/**
 * Brings the tree up to the store's head and signs a checkpoint of it (audit checkpoint --sign, for a
 * data directory no worker has followed, e.g. after `simulate`; tests).
 */
export async function catchUpAndSign(store: EventStore, audit: AuditStore, key: KeyObject, timeoutMs = 600_000): Promise<SignedCheckpoint | null> {
  const follower = new ChainFollower(store, audit, key, { checkpointEvery: Number.MAX_SAFE_INTEGER, checkpointMs: Number.MAX_SAFE_INTEGER, idleFlushMs: 1 });
  await follower.start();
  try {
    const head = await store.headPosition();
    const started = Date.now();
    while (head !== null && audit.state().position !== head) {
      if (Date.now() - started > timeoutMs) throw new Error(`the audit tree did not reach the head (${head}) in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return await follower.checkpointNow();
  } finally {
    await follower.stop();
  }
}
