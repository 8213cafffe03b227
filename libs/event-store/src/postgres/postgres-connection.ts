import { Client } from 'pg';

/** How the store's connections show in pg_stat_activity. */
export const APPLICATION = 'civicloop-event-store';

/** The store's name as it appears in messages: the connection string without credentials. */
export const describePostgres = (connectionString: string) =>
  `PostgreSQL at ${connectionString.replace(/\/\/[^@/]*@/, '//')}`;

export const isPostgresConnectionString = (spec: string) => /^postgres(ql)?:\/\//.test(spec);

/** The server answered but cannot hold the store (too old). */
export class ServerRefused extends Error {}

/** One connection before the pool: the version the schema needs and the durability the server defaults to. */
export async function probeServer(connectionString: string, timeoutMs: number): Promise<{ synchronousCommit: string }> {
  const client = new Client({ connectionString, connectionTimeoutMillis: timeoutMs, application_name: APPLICATION });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; sync: string }>(
      `SELECT current_setting('server_version_num') AS version, current_setting('synchronous_commit') AS sync`);
    if (Number(rows[0].version) < 130000) {
      throw new ServerRefused(`the PostgreSQL event store needs PostgreSQL 13 or later (pg_current_xact_id); this server is ${rows[0].version}`);
    }
    return { synchronousCommit: rows[0].sync };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
