import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { AppConfig, observeProjections } from '@civicloop/platform';
import { ProjectionRunner, ReadModels } from '@civicloop/read-models';

/**
 * One runner per projection in this replica. Every replica starts all of them; the lease in the
 * read-model database lets one replica apply each projection, the others stand by to take over.
 */
@Injectable()
export class ProjectionRunners implements OnApplicationBootstrap, OnModuleDestroy {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly runners: ProjectionRunner[];

  constructor(models: ReadModels, @Inject(EVENT_STORE) store: EventStore, config: AppConfig) {
    this.runners = models.projections.map((projection) => new ProjectionRunner(models.rdb, store, projection, models.env, {
      owner: this.owner,
      leaseMs: config.PROJECTION_LEASE_MS,
    }));
    observeProjections(() => models.lags());
  }

  onApplicationBootstrap(): void {
    this.runners.forEach((runner) => runner.start());
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }
}
