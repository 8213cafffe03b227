import { createRouter, createWebHashHistory } from 'vue-router';
import { homeOf, useSession } from './composables/useSession';
import { pages } from './pages';

/**
 * Hash routes (`/#/board`): the API serves only files at `/`, so no console path can ever shadow
 * an API path and no fallback route is needed.
 */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: () => homeOf(useSession().user.value?.role) },
    { path: '/sign-in', component: pages.signIn, meta: { public: true } },
    { path: '/board', component: pages.board },
    { path: '/cases/:id', component: pages.case, props: true },
    { path: '/workbench', component: pages.workbench },
    { path: '/dashboard', component: pages.dashboard },
    { path: '/audit', component: pages.audit },
    { path: '/resident', component: pages.resident },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !useSession().token.value) return '/sign-in';
  return true;
});
