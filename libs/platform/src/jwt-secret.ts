import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a service without JWT_SECRET keeps the key it made for itself, readable by its owner only. */
export const JWT_SECRET_FILE_NAME = 'jwt-secret';

export class JwtSecretUnsafe extends Error {}

/**
 * The HS256 key of a data directory: made once, at random, on first use. The service and the token
 * CLI may start at the same moment, so the key is written whole to a private temp file and then
 * hard-linked into place: link() fails if the name exists, so exactly one key wins and nobody can
 * read a half-written one. A key file others can read is refused rather than trusted.
 */
export function dataDirJwtSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, JWT_SECRET_FILE_NAME);
  const draft = join(dataDir, `.${JWT_SECRET_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}`);
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new JwtSecretUnsafe(`${file} can be read by others (mode ${mode.toString(8)}); run chmod 600 on it or set JWT_SECRET`);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret) < 32) throw new JwtSecretUnsafe(`${file} holds a key shorter than 32 bytes; delete it to make a new one`);
  return secret;
}
