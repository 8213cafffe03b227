import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/** The PostgreSQL 15 binaries (initdb, pg_ctl, pg_dump …) of scripts/install.sh --with-postgres. */
export const BIN = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> (trust auth, local only). */
  url: string;
  port: number;
  /** A URL for another database on the same server; create it first with createDatabase. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m immediate`: every server process exits at once, no checkpoint (as a crash). */
  stopImmediately(): Promise<void>;
  /** Starts the server again on the same data directory and port (after stopImmediately). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresServerOptions {
  /** fsync, synchronous_commit and full_page_writes on, as in production (default off: tests run faster). */
  durable?: boolean;
}


const asPostgres = (args: string[]) => {
  const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args[0]} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
};

/**
 * Starts a throw-away PostgreSQL 15 cluster in a temp dir on a free port, run as the `postgres`
 * user (root may not run postgres). Trust auth on 127.0.0.1 only; stop() removes everything.
 */
export async function startPostgres({ durable = false }: PostgresServerOptions = {}): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-pg-'));
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const data = join(dir, 'data');
  asPostgres([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', ...(durable ? [] : ['--no-sync'])]);
  const port = await freePort();
  const durability = durable ? '-c fsync=on -c synchronous_commit=on -c full_page_writes=on'
    : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${durability}`;
  const start = () => asPostgres([`${BIN}/pg_ctl`, '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    async createDatabase(name: string) {
      asPostgres([`${BIN}/createdb`, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return urlFor(name);
    },
    async stopImmediately() {
      // Not spawnSync: the caller's load keeps running while the server goes down.
      await promisify(execFile)('runuser', ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async restart() {
      start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // Already down after stopImmediately without restart: nothing to stop.
        if (spawnSync('runuser', ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', data, 'status']).status === 0) {
          asPostgres([`${BIN}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
