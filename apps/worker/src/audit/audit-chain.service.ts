import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AuditStore, ChainFollower, loadOrCreateSigningKey } from '@civicloop/audit';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { AppConfig, CLOCK, Clock } from '@civicloop/platform';

/**
 * Runs the audit chain follower: every event, in global order, into the Merkle tree in
 * DATA_DIR/audit.sqlite, with a checkpoint signed by AUDIT_SIGNING_KEY_FILE every
 * AUDIT_CHECKPOINT_EVERY events or AUDIT_CHECKPOINT_MINUTES.
 */
@Injectable()
export class AuditChainService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AuditChain');
  readonly audit: AuditStore;
  readonly follower: ChainFollower;
  /** Settles once the follower is subscribed (tests wait on it). */
  ready: Promise<void> = Promise.resolve();

  constructor(config: AppConfig, @Inject(EVENT_STORE) store: EventStore, @Inject(CLOCK) clock: Clock) {
    this.audit = new AuditStore(config.auditFile);
    this.follower = new ChainFollower(store, this.audit, loadOrCreateSigningKey(config.auditSigningKeyFile), {
      checkpointEvery: config.AUDIT_CHECKPOINT_EVERY,
      checkpointMs: config.AUDIT_CHECKPOINT_MINUTES * 60_000,
      now: () => clock.now(),
      log: (message) => this.log.warn(message),
    });
  }

  onApplicationBootstrap(): void {
    this.ready = this.follower.start().catch((error) => this.log.error(`not following the log: ${(error as Error).message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.ready;
    await this.follower.stop();
    this.audit.close();
  }
}
