export * from './case-repository';
export * from './case-view';
export * from './gate/execute-case-command';
export * from './cases-core.module';
export * from './calendar/calendar-events';
export * from './calendar/calendar-registry';
export * from './working-time/chosen-dates';
