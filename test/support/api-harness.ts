import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore, SqliteEventStore } from '@civicloop/event-store';
import Database from 'better-sqlite3';
import { AppConfig, loadConfig, ManualClock } from '@civicloop/platform';
import { createApp } from '../../apps/api/src/bootstrap';
import { demoUser, signToken } from '../../apps/api/src/cli/token';

export interface ApiHarness {
  app: INestApplication;
  baseUrl: string;
  clock: ManualClock;
  config: AppConfig;
  dataDir: string;
  token(role: Role, org?: string): string;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** A key made at random for this test process, shared by the services it starts as replicas share theirs. */
const TEST_KEY = randomBytes(32).toString('hex');

/** The real API on a free port over a fresh SQLite data directory, with a clock the test moves. */
export async function startApi(env: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'civicloop-api-'))): Promise<ApiHarness> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, WORKER_IN_PROCESS: 'false', JWT_SECRET: TEST_KEY, ...env });
  const clock = new ManualClock(new Date('2026-03-02T01:00:00.000Z'));
  const app = await createApp({ config, clock }, false);
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  const directory = Directory.fromFile(config.DIRECTORY_FILE);
  return {
    app, baseUrl, clock, config, dataDir,
    token: (role, org) => signToken(config.JWT_SECRET, demoUser(directory, role, org), '1h'),
    async request(method, path, { token, body, headers = {} } = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another replica of `primary`'s deployment: its own SQLite file (so a test sees where a command
 * ran) that carries the primary store's identity, as replicas of one shared store do, so both use
 * the same Redis keys (libs/platform store-identity).
 */
export async function startReplica(primary: ApiHarness, env: Record<string, string> = {}): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'civicloop-api-'));
  const id = await primary.app.get<EventStore>(EVENT_STORE).storeId!();
  await new SqliteEventStore(join(dataDir, 'events.sqlite')).close();
  const db = new Database(join(dataDir, 'events.sqlite'));
  db.prepare('UPDATE store_identity SET id = ?').run(id);
  db.close();
  return startApi(env, dataDir);
}
