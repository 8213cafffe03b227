export * from './consumers.module';
export * from './deadlines/deadlines.service';
export * from './deadlines/deadline-checkpoint';
export * from './deadlines/deadline-queue';
export * from './deadlines/deadline-scheduler';
export * from './deadlines/deadline-processor';
export * from './deadlines/sla-rules';
export * from './audit/audit-chain.service';
