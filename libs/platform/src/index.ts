export * from './app-config';
export * from './clock';
export * from './event-store.factory';
export * from './id-generator';
export * from './infrastructure.module';
export * from './outage';
export * from './observability/logging';
