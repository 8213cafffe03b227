import { createRouter, createWebHashHistory } from 'vue-router';
import { homeOf, useSession } from './composables/useSession';

/**
 * Hash routes (`/#/board`): the API serves only files at `/`, so no console path can ever shadow
 * an API path and no fallback route is needed.
 */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: () => homeOf(useSession().user.value?.role) },
    { path: '/sign-in', component: () => import('./pages/SignInPage.vue'), meta: { public: true } },
    { path: '/board', component: () => import('./pages/BoardPage.vue') },
    { path: '/cases/:id', component: () => import('./pages/CasePage.vue'), props: true },
    { path: '/workbench', component: () => import('./pages/WorkbenchPage.vue') },
    { path: '/dashboard', component: () => import('./pages/DashboardPage.vue') },
    { path: '/audit', component: () => import('./pages/AuditPage.vue') },
    { path: '/resident', component: () => import('./pages/ResidentPage.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach((to) => {
  if (!to.meta.public && !useSession().token.value) return '/sign-in';
  return true;
});
