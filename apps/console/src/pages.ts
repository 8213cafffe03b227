/**
 * Each page's code, loaded when first shown. Shared by the router and the entry (main.ts), which
 * asks for the page in the address bar before the app starts; the browser loads each chunk once.
 */
export const pages = {
  signIn: () => import('./pages/SignInPage.vue'),
  board: () => import('./pages/BoardPage.vue'),
  case: () => import('./pages/CasePage.vue'),
  workbench: () => import('./pages/WorkbenchPage.vue'),
  dashboard: () => import('./pages/DashboardPage.vue'),
  audit: () => import('./pages/AuditPage.vue'),
  resident: () => import('./pages/ResidentPage.vue'),
};

const PREFIXES: [string, keyof typeof pages][] = [
  ['/sign-in', 'signIn'], ['/board', 'board'], ['/cases/', 'case'], ['/workbench', 'workbench'],
  ['/dashboard', 'dashboard'], ['/audit', 'audit'], ['/resident', 'resident'],
];

/** Starts loading the page a route path shows (null for `/`, whose page depends on the role). */
export function loadPageOf(path: string): Promise<unknown> | null {
  const found = PREFIXES.find(([prefix]) => path.startsWith(prefix));
  return found ? pages[found[1]]() : null;
}
