export * from './data-problem';
export * from './calendar';
