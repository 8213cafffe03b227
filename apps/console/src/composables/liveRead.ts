import { ApiFailure } from '../api/client';

/** Refusals that pass on their own: a view still catching up, a store busy for a moment, the network gone for a moment. */
const PASSING = new Set(['VIEW_NOT_CAUGHT_UP', 'STORE_UNAVAILABLE', 'NETWORK']);
/** About half a minute in all before the failure is shown. */
const DELAYS_MS = [500, 1000, 2000, 4000, 8000];

/**
 * Runs a read of a live page again after a failure that passes on its own, as long as it is still
 * the read the page wants (`wanted`: no newer read started). Without it, a page whose read after an
 * event met a lagging view kept its old rows until some other event came. Answers undefined when a
 * newer read took over while this one waited.
 */
export async function readUntilAnswered<T>(read: () => Promise<T>, wanted: () => boolean): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ApiFailure) || !PASSING.has(error.code) || attempt >= DELAYS_MS.length || !wanted()) throw error;
      await new Promise((resolve) => setTimeout(resolve, DELAYS_MS[attempt]));
      if (!wanted()) return undefined;
    }
  }
}
