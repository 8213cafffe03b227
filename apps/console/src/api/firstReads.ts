import { BOARD_PAGE, boardQuery, NO_FILTERS } from '../composables/boardQuery';
import { storedToken } from '../composables/sessionToken';

/**
 * Reads a page starts with, asked for by the entry (main.ts) before the framework has loaded, and
 * handed to the page's own request for the same URL when it comes (api/client.ts): the page waits
 * for what is left of the read instead of all of it. Each is answered once, with the token it was
 * asked with, and only soon after the start (a later request reads afresh).
 */
interface FirstRead { token: string; startedAt: number; response: Promise<Response> }

const reads = new Map<string, FirstRead>();
const FRESH_MS = 15_000;

/** Path and query, the query's parameters sorted: the same read however its parameters are ordered. */
function keyOf(url: URL): string {
  const params = [...url.searchParams].sort(([a], [b]) => a.localeCompare(b));
  return `${url.pathname}?${new URLSearchParams(params).toString()}`;
}

function readsOf(path: string): string[] {
  if (path === '/board') {
    const query = Object.entries(boardQuery('all', NO_FILTERS, BOARD_PAGE)).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return ['/directory', `/views/board?${new URLSearchParams(query).toString()}`];
  }
  const oneCase = /^\/cases\/([^/?]+)$/.exec(path);
  if (oneCase) return ['/directory', `/cases/${oneCase[1]}`, `/cases/${oneCase[1]}/events`];
  return [];
}

export function startFirstReads(path: string): void {
  const token = storedToken();
  if (!token) return;
  for (const read of readsOf(path)) {
    const url = new URL(read, location.origin);
    const response = fetch(url, { headers: { authorization: `Bearer ${token}` }, priority: 'high' });
    // A read nobody takes must not surface as an unhandled rejection; the page's own request fails on its own.
    response.catch(() => undefined);
    reads.set(keyOf(url), { token, startedAt: performance.now(), response });
  }
}

/** fetch for the API client: a GET that a first read already asked for takes that read's answer, once. */
export function fetchWithFirstReads(request: Request): Promise<Response> {
  if (request.method === 'GET' && reads.size) {
    const key = keyOf(new URL(request.url));
    const read = reads.get(key);
    reads.delete(key);
    if (read && performance.now() - read.startedAt < FRESH_MS && request.headers.get('authorization') === `Bearer ${read.token}`) return read.response;
  }
  return fetch(request);
}
