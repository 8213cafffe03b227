// The entry imports nothing heavy, so it runs as soon as it arrives: the page in the address bar
// and the API reads that page starts with are asked for now, while the browser is still fetching
// and evaluating the framework and the component library (boot.ts), not after the app has mounted.
import { startFirstReads } from './api/firstReads';
import { loadPageOf } from './pages';

const path = location.hash.replace(/^#/, '') || '/';
// The reads first: a browser opens at most six connections to the API over HTTP/1.1, and a read
// asked after the page's chunks waits in that queue behind all of them.
startFirstReads(path);
// A failed load here is left to the router, which asks again and shows the failure.
loadPageOf(path)?.catch(() => undefined);
void import('./boot');
