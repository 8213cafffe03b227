export * from './directory';
import { join } from 'node:path';

/** The demo directory shipped with the engine, used when DIRECTORY_FILE is not set. */
export const DEMO_DIRECTORY_FILE = join(__dirname, '..', 'data', 'demo-directory.json');
