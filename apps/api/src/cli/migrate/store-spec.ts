import { existsSync, statSync } from 'node:fs';

export class StoreSpecRefused extends Error {}

/** Schemes some store adapter reads; anything else is a typo, not a file name. */
const SCHEMES = ['sqlite', 'file', 'esdb', 'esdb+discover', 'postgres', 'postgresql'];

/**
 * Checks a store named on the command line before anything opens it, and writes SQLite forms as
 * `sqlite:<path>`: a mistyped path or scheme once made an empty SQLite file and "migrated 0 events".
 * A source that is a SQLite file must exist; a target may be new.
 */
export function checkStoreSpec(spec: string, role: 'source' | 'target'): string {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(spec)?.[1]?.toLowerCase();
  if (scheme !== undefined && !SCHEMES.includes(scheme)) {
    throw new StoreSpecRefused(`--${role === 'source' ? 'from' : 'to'} ${spec}: unsupported scheme ${scheme}: (use esdb://…, postgres://…, or a SQLite file as sqlite:<path> or a plain path)`);
  }
  if (scheme !== undefined && scheme !== 'sqlite' && scheme !== 'file') return spec;
  const path = spec.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (!path) throw new StoreSpecRefused(`--${role === 'source' ? 'from' : 'to'} ${spec}: names no file`);
  if (role === 'source' && !(existsSync(path) && statSync(path).isFile())) {
    throw new StoreSpecRefused(`--from ${spec}: no SQLite event store at ${path} (nothing is created for a source)`);
  }
  return `sqlite:${path}`;
}
