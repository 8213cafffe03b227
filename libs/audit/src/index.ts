export * from './event-hash';
export * from './merkle';
export * from './signing';
export * from './audit-store';
export * from './chain-follower';
export * from './verify/classify-break';
export * from './verify/verify-log';
