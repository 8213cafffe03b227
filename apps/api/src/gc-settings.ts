import { setFlagsFromString } from 'node:v8';

/**
 * Imported first by main.ts (and by bench/read, which measures reads as the service runs them).
 *
 * V8's allocation-site pretenuring, having seen objects from a site survive (a cached stream's
 * events, a kept fold), allocates everything later made there straight in the old space. The same
 * sites then build every cold read's short-lived events and states, so the old space filled at
 * ~130 MB/s with a mark-compact every second: a cold 200-event read's p99 was 15–22 ms against a
 * p50 of 0.5 ms. Without pretenuring they die young: p99 2.6 ms (0.7 ms with scripts/run.sh's 64 MB
 * young space). Set at start-up, before the heap holds anything it would apply to.
 */
setFlagsFromString('--no-allocation-site-pretenuring');
