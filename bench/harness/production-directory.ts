import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';

/**
 * The benchmarks run the service as production does, which refuses a demo directory: they get the
 * demo org tree copied into `dir` without its demo mark.
 */
export function productionDirectoryFile(dir: string): string {
  const file = join(dir, 'bench-directory.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(DEMO_DIRECTORY_FILE, 'utf8')), demo: false }));
  return file;
}
