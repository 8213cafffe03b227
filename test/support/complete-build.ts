import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = join(__dirname, '..', '..', 'dist', '.build-stamp');

/**
 * When the last complete build (`npm run build` writes dist/.build-stamp last) finished; throws when
 * there is none, so a test never runs a half-written or missing dist.
 */
export function requireCompleteBuild(): number {
  if (!existsSync(STAMP)) throw new Error('dist has no complete build (dist/.build-stamp): run `npm run build` first');
  return statSync(STAMP).mtimeMs;
}
