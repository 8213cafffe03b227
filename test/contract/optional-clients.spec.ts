import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { requireCompleteBuild } from '../support/complete-build';

// The test command builds before jest; CIVICLOOP_DIST points elsewhere when checking another build.
const dist = process.env.CIVICLOOP_DIST ?? resolve(__dirname, '../../dist');

/** Modules of the clients a default process has no use for: EventStoreDB's gRPC client and the tracing SDK. */
const OPTIONAL = /node_modules\/(@eventstore\/db-client|@grpc\/grpc-js|@opentelemetry\/(sdk-trace|exporter-trace-otlp-http|context-async-hooks))\//;

/**
 * Loads the given built modules in a fresh Node process (as the service, the worker, a CLI command
 * or a rebuild thread loads them), then runs `after` (async code), and says which optional client
 * modules were loaded before and after it.
 */
function loadedIn(entries: string[], after = ''): { before: string[]; after: string[] } {
  const script = `
    require('reflect-metadata');
    const optional = ${OPTIONAL.toString()};
    const loaded = () => [...new Set(Object.keys(require.cache).filter((f) => optional.test(f)).map((f) => f.match(optional)[1]))];
    for (const entry of ${JSON.stringify(entries.map((e) => join(dist, e)))}) require(entry);
    const before = loaded();
    (async () => { ${after} })().then(() => console.log(JSON.stringify({ before, after: loaded() })), (e) => { console.error(e); process.exit(1); });`;
  // A bound: a synchronous child that never ends would hold the test past jest's own timeout.
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: resolve(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 }));
}

/**
 * Each of these clients costs ~0.2 s of CPU and ~200 modules to load: paid by every CLI command and
 * every rebuild thread it starts, and by the service's start, though none of them talks to
 * EventStoreDB or sends traces unless configured to.
 */
describe('optional clients load only when configured', () => {
  beforeAll(() => {
    // A stale or half-written dist would check other code than this.
    if (!process.env.CIVICLOOP_DIST) requireCompleteBuild();
  });

  it('the service, the worker, the CLIs, the simulator and a rebuild thread load neither the EventStoreDB client nor the tracing SDK', () => {
    // The modules behind each entry point (the entry scripts themselves run when loaded).
    const { before } = loadedIn([
      'apps/api/src/bootstrap.js', 'apps/api/src/app.module.js', 'apps/worker/src/worker-app.module.js',
      'apps/api/src/cli/projections.js', 'apps/api/src/cli/rebuild-side.js', 'libs/read-models/src/runner/rebuild-thread-main.js',
      'apps/api/src/cli/audit/verify-command.js', 'apps/api/src/cli/audit/dossier-command.js', 'apps/api/src/cli/audit/checkpoint-command.js',
      'apps/api/src/cli/migrate/open-store.js', 'apps/api/src/cli/migrate/encrypt-personal-data.js', 'apps/simulator/src/simulate.js',
    ]);
    expect(before).toEqual([]);
  });

  it('connecting to EventStoreDB loads its client, and starting traces the SDK (so the check above can fail)', () => {
    const { before, after } = loadedIn(['libs/platform/src/index.js'], `
      const platform = require(${JSON.stringify(join(dist, 'libs/platform/src/index.js'))});
      const store = require(${JSON.stringify(join(dist, 'libs/event-store/src/index.js'))});
      await store.connectEsdb('esdb://127.0.0.1:1?tls=false', { connectTimeoutMs: 50 }).catch(() => undefined);
      await platform.startTracing('console');
      await platform.stopTracing();`);
    expect(before).toEqual([]);
    expect(after).toEqual(expect.arrayContaining(['@eventstore/db-client', '@grpc/grpc-js', '@opentelemetry/sdk-trace', '@opentelemetry/context-async-hooks']));
  });
});
