import 'reflect-metadata';
import { runDialect } from './projections-common';

/** Rebuild of all views from 1,000,000 events into PostgreSQL, next to a raw batched insert of the same rows. */
export const run = () => runDialect('postgres', __filename);

if (require.main === module) run().catch((error) => { console.error(error); process.exit(1); });
