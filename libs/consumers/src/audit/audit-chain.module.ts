import { Module } from '@nestjs/common';
import { AuditChainService } from './audit-chain.service';

/** The global hash tree over the event log, and its signed checkpoints (libs/audit). */
@Module({
  providers: [AuditChainService],
  exports: [AuditChainService],
})
export class AuditChainModule {}
