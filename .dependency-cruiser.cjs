// Boundaries between the folders, checked by `npm run depcruise` in the test command.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain is the decider and its rules: it imports nothing outside itself (no Nest, SQLite, Redis, EventStoreDB, Node).',
      severity: 'error',
      from: { path: '^libs/domain/src' },
      to: { pathNot: '^libs/domain/src' },
    },
    {
      name: 'libs-do-not-import-apps',
      comment: 'A lib serves apps; it never reaches into one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      comment: 'What two apps share lives in a lib (e.g. libs/consumers for the API and the worker).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/console/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'console-takes-only-types-from-the-api',
      comment: 'The console is a browser bundle: it may import the API\'s answer types (a contract change then breaks its build), never its code.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^apps/(?!console/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make the order of evaluation an accident.',
      severity: 'error',
      from: { path: '^(apps|libs)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$|/test/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
