import { Module } from '@nestjs/common';
import { CasesCoreModule } from '@civicloop/cases';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { ProjectionsModule } from './projections/projections.module';
import { AuditChainModule } from './audit/audit-chain.module';

/**
 * Everything that consumes the event store's subscription from a stored checkpoint: projections,
 * deadline scheduling, policies that issue commands. Runs in its own process in production and
 * inside the API process in the embedded default (WORKER_IN_PROCESS).
 */
@Module({
  imports: [CasesCoreModule, DeadlinesModule, ProjectionsModule, AuditChainModule],
})
export class ConsumersModule {}
