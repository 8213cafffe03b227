import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KeyObject } from 'node:crypto';
import { AuditStore, ChainFollower, loadOrCreateSigningKey } from '@civicloop/audit';
import { EVENT_STORE, EventStore, storedEventsOf } from '@civicloop/event-store';
import { AppConfig, CLOCK, Clock } from '@civicloop/platform';

const RESTART_MS = 5_000;

/**
 * Runs the audit chain follower: every event, in global order, into the Merkle tree in
 * DATA_DIR/audit.sqlite, with a checkpoint signed by AUDIT_SIGNING_KEY_FILE every
 * AUDIT_CHECKPOINT_EVERY events or AUDIT_CHECKPOINT_MINUTES. A follower that fails (the store went
 * away, the disk filled) is replaced by a new one from the stored position after a pause; one whose
 * tree belongs to another history is not (that needs a person).
 */
@Injectable()
export class AuditChainService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AuditChain');
  readonly audit: AuditStore;
  private readonly key: KeyObject;
  private follower: ChainFollower | null = null;
  private restart: NodeJS.Timeout | null = null;
  private stopping = false;
  /** Settles once the current follower is subscribed (tests wait on it). */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly config: AppConfig, @Inject(EVENT_STORE) private readonly store: EventStore, @Inject(CLOCK) private readonly clock: Clock) {
    this.audit = new AuditStore(config.auditFile);
    this.key = loadOrCreateSigningKey(config.auditSigningKeyFile);
  }

  onApplicationBootstrap(): void {
    this.startFollower();
  }

  private startFollower(): void {
    const follower = new ChainFollower(storedEventsOf(this.store), this.audit, this.key, {
      checkpointEvery: this.config.AUDIT_CHECKPOINT_EVERY,
      checkpointMs: this.config.AUDIT_CHECKPOINT_MINUTES * 60_000,
      now: () => this.clock.now(),
      log: (message) => this.log.warn(message),
      onFailure: () => this.replace(follower),
    });
    this.follower = follower;
    this.ready = follower.start().catch((error) => this.log.error(`not following the log: ${(error as Error).message}`));
  }

  private replace(failed: ChainFollower): void {
    if (this.stopping || this.follower !== failed) return;
    this.restart = setTimeout(() => {
      this.restart = null;
      void failed.stop().catch(() => undefined).then(() => {
        if (!this.stopping) this.startFollower();
      });
    }, RESTART_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.restart) clearTimeout(this.restart);
    await this.ready;
    await this.follower?.stop();
    this.audit.close();
  }
}
