import { ApiFailure } from '../api/client';

/** Refusals that pass on their own: a view still catching up, a store busy for a moment, the network gone for a moment. */
const PASSING = new Set(['VIEW_NOT_CAUGHT_UP', 'STORE_UNAVAILABLE', 'NETWORK']);
/** About half a minute in all before the failure is shown. */
const DELAYS_MS = [500, 1000, 2000, 4000, 8000];

/**
 * Runs a read of a live page again after a failure that passes on its own (at most `retries`
 * times), as long as it is still the read the page wants (`wanted`: no newer read started, the page
 * still shown). Without it, a page whose read after an event met a lagging view kept its old rows
 * until some other event came. Answers undefined once a newer read took over, failed or not: only
 * the newest read's failure is shown.
 */
export async function readUntilAnswered<T>(read: () => Promise<T>, wanted: () => boolean, retries = DELAYS_MS.length): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!wanted()) return undefined;
      if (!(error instanceof ApiFailure) || !PASSING.has(error.code) || attempt >= Math.min(retries, DELAYS_MS.length)) throw error;
      await new Promise((resolve) => setTimeout(resolve, DELAYS_MS[attempt]));
      if (!wanted()) return undefined;
    }
  }
}

/**
 * A view's read tied to an event (consistentWith), answered by the view as it is when the view stays
 * behind that event: a view catching up after a start, or an event from before a restore that it will
 * never reach, would otherwise leave the page empty and then in error. `behind` says the rows may miss
 * that event. `patient`: the page has rows already, so the tied read may take its retries first.
 */
export async function readView<T>(
  read: (consistentWith?: number) => Promise<T>, position: number | undefined, wanted: () => boolean, patient: boolean,
): Promise<{ value: T; behind: boolean } | undefined> {
  try {
    // Not patient and tied: one try, then the rows as they are (and a patient try after, by the page).
    const value = await readUntilAnswered(() => read(position), wanted, patient || position === undefined ? DELAYS_MS.length : 0);
    return value === undefined ? undefined : { value, behind: false };
  } catch (error) {
    if (position === undefined || !(error instanceof ApiFailure) || error.code !== 'VIEW_NOT_CAUGHT_UP') throw error;
    const value = await readUntilAnswered(() => read(undefined), wanted);
    return value === undefined ? undefined : { value, behind: true };
  }
}
