export * from './data-problem';
export * from './calendar';
export * from './sla-policy';
export * from './deadline-facts';
export * from './pending-deadlines';
export * from './case-sla-view';
