import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AuditStore } from '@civicloop/audit';
import { AppConfig } from '@civicloop/platform';

/** The API's own connection to the tree the worker's chain follower writes (DATA_DIR/audit.sqlite). */
@Injectable()
export class AuditReader implements OnModuleDestroy {
  readonly store: AuditStore;

  constructor(config: AppConfig) {
    this.store = new AuditStore(config.auditFile);
  }

  onModuleDestroy(): void {
    this.store.close();
  }
}
