import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { loadConfig } from '@civicloop/platform';

// No Docker engine runs here, so the deployment files are kept honest by reading them: every
// service the app needs is there, healthy-checked, and the app's own config loader accepts the
// environment each app container gets.

const ROOT = join(__dirname, '..', '..');
const DOCKER = join(ROOT, 'docker');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  deploy?: { replicas?: number };
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

function readCompose(file: string): Compose {
  return parse(readFileSync(join(DOCKER, file), 'utf8'), { merge: true }) as Compose;
}

// production refuses the demo directory: the deployment brings its own (here the demo's tree, unmarked)
const ownDirectory = join(mkdtempSync(join(tmpdir(), 'civicloop-docker-')), 'directory.json');
writeFileSync(ownDirectory, JSON.stringify({ ...JSON.parse(readFileSync(DEMO_DIRECTORY_FILE, 'utf8')), demo: false }));

/** Docker Compose interpolation: `${X:-default}` takes the default, `${X:?message}` needs X set. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_]+)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind?: string, rest?: string) => {
    if (env[name] !== undefined) return env[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} must be set: ${rest}`);
  });
}

function appEnvironment(service: Service): Record<string, string> {
  const given = { JWT_SECRET: 'a'.repeat(64), DIRECTORY_FILE: ownDirectory };
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), given)]));
}

function hostsOf(url: string): string[] {
  const match = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(url);
  if (!match) throw new Error(`not a URL: ${url}`);
  return match[1].split(',').map((hostPort) => hostPort.split(':')[0]);
}

function checkAppService(compose: Compose, name: 'api' | 'worker', main: string, eventStorePrefix = 'esdb://'): void {
  const service = compose.services[name];
  expect(service).toBeDefined();
  expect(service.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
  expect(service.command).toEqual(['node', main]);
  expect(existsSync(join(ROOT, main.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
  expect(service.healthcheck?.test.length).toBeGreaterThan(0);

  const env = appEnvironment(service);
  expect(() => loadConfig(env)).not.toThrow();
  expect(env.NODE_ENV).toBe('production');
  expect(env.WORKER_IN_PROCESS).toBe('false');
  for (const [variable, prefix] of [['EVENTSTORE_CONNECTION_STRING', eventStorePrefix], ['REDIS_URL', 'redis://'], ['DATABASE_URL', 'postgres://']]) {
    expect(env[variable]).toMatch(new RegExp(`^${prefix}`));
    for (const host of hostsOf(env[variable])) {
      expect(compose.services[host]).toBeDefined();
      expect(service.depends_on?.[host]?.condition).toBe('service_healthy');
    }
  }
  expect(() => interpolate(String(service.environment?.JWT_SECRET), {})).toThrow(/JWT_SECRET must be set/);
  expect(() => interpolate(String(service.environment?.DIRECTORY_FILE), {})).toThrow(/DIRECTORY_FILE must be set/);
}

function checkStores(compose: Compose): void {
  const redis = compose.services.redis;
  expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
  expect(redis.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
  expect(compose.services.postgres.image).toMatch(/^postgres:15/);
  for (const [name, service] of Object.entries(compose.services)) {
    expect({ name, healthcheck: Boolean(service.healthcheck) }).toEqual({ name, healthcheck: true });
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0];
      const declared = source.startsWith('.') ? existsSync(join(DOCKER, source)) : source in (compose.volumes ?? {});
      expect({ name, volume: source, declared }).toEqual({ name, volume: source, declared: true });
    }
  }
}

describe('docker/docker-compose.yml (single-node EventStoreDB)', () => {
  const compose = readCompose('docker-compose.yml');

  it('starts EventStoreDB, Redis, PostgreSQL, the API and the worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'eventstore', 'postgres', 'redis', 'worker']);
  });

  it('runs EventStoreDB as one insecure node on a data volume', () => {
    const esdb = compose.services.eventstore;
    expect(esdb.image).toMatch(/^eventstore\/eventstore:/);
    expect(esdb.environment).toMatchObject({ EVENTSTORE_CLUSTER_SIZE: '1', EVENTSTORE_INSECURE: 'true' });
    expect(esdb.volumes?.some((v) => v.endsWith(':/var/lib/eventstore'))).toBe(true);
  });

  it('keeps Redis durable and never evicting, and checks every service health', () => checkStores(compose));

  it('wires the API and the worker to the stores with a configuration the app accepts', () => {
    checkAppService(compose, 'api', 'dist/apps/api/src/main.js');
    checkAppService(compose, 'worker', 'dist/apps/worker/src/main.js');
    expect(appEnvironment(compose.services.api).EVENTSTORE_CONNECTION_STRING).toContain('tls=false');
  });
});

describe('docker/docker-compose.cluster.yml (3-node EventStoreDB cluster)', () => {
  const compose = readCompose('docker-compose.cluster.yml');
  const nodes = ['esdb-1', 'esdb-2', 'esdb-3'];

  it('runs three EventStoreDB nodes that know each other', () => {
    for (const node of nodes) {
      const env = compose.services[node].environment ?? {};
      expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('3');
      expect(env.EVENTSTORE_GOSSIP_SEED.split(',').map((s) => s.split(':')[0]).sort()).toEqual(nodes.filter((n) => n !== node));
      expect(compose.services[node].volumes?.some((v) => v.endsWith(':/var/lib/eventstore'))).toBe(true);
    }
  });

  it('keeps Redis durable and never evicting, and checks every service health', () => checkStores(compose));

  it('runs two API and two worker replicas against every node of the cluster', () => {
    checkAppService(compose, 'api', 'dist/apps/api/src/main.js');
    checkAppService(compose, 'worker', 'dist/apps/worker/src/main.js');
    expect(compose.services.api.deploy?.replicas).toBe(2);
    expect(compose.services.worker.deploy?.replicas).toBe(2);
    expect(hostsOf(appEnvironment(compose.services.api).EVENTSTORE_CONNECTION_STRING).sort()).toEqual(nodes);
  });
});

describe('docker/docker-compose.postgres.yml (PostgreSQL as the event store)', () => {
  const compose = readCompose('docker-compose.postgres.yml');

  it('starts a PostgreSQL for the events, one for the read models, Redis, the API and the worker; no EventStoreDB', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'events-db', 'postgres', 'redis', 'worker']);
    expect(compose.services['events-db'].image).toMatch(/^postgres:1[3-9]/); // pg_current_xact_id needs 13+
  });

  it('runs the events server durable (commit waits for the WAL), archiving WAL, ending idle transactions', () => {
    const command = (compose.services['events-db'].command ?? []).join(' ');
    for (const setting of ['synchronous_commit=on', 'fsync=on', 'archive_mode=on', 'idle_in_transaction_session_timeout=']) {
      expect(command).toContain(setting);
    }
    expect(command).toMatch(/exec docker-entrypoint\.sh postgres/);
    expect(compose.services['events-db'].volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('keeps Redis durable and never evicting, and checks every service health', () => checkStores(compose));

  it('wires the API and the worker to the events server by a postgres:// connection string the app accepts', () => {
    checkAppService(compose, 'api', 'dist/apps/api/src/main.js', 'postgres://');
    checkAppService(compose, 'worker', 'dist/apps/worker/src/main.js', 'postgres://');
    expect(hostsOf(appEnvironment(compose.services.api).EVENTSTORE_CONNECTION_STRING)).toEqual(['events-db']);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs the compiled app in another as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages[stages.length - 1];
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/^CMD \["node", "dist\/apps\/api\/src\/main\.js"\]/m);
    // the service listens on 127.0.0.1 unless told otherwise; inside a container that is unreachable
    expect(runtime).toMatch(/^\s*HOST=0\.0\.0\.0\b/m);
    for (const copied of runtime.matchAll(/^COPY (docker\/\S+)/gm)) expect(existsSync(join(ROOT, copied[1]))).toBe(true);
  });

  it('builds with the same script a developer uses', () => {
    expect(stages[0]).toMatch(/RUN npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
  });
});
