export * from './case-repository';
export * from './case-view';
export * from './gate/execute-case-command';
export * from './cases-core.module';
