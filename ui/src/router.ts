import { createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router';
import { useSessionStore } from '@/stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Shown to signed-out visitors (the sign-in page); every other page needs a session. */
    public?: boolean;
    /** The page's title, for the document title and screen readers. */
    title?: string;
  }
}

export function createAppRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true, title: 'Sign in' } },
      { path: '/', name: 'home', component: () => import('@/pages/ChatPage.vue'), meta: { title: 'Chats' } },
      { path: '/c/:conversationId', name: 'chat', component: () => import('@/pages/ChatPage.vue'), meta: { title: 'Chat' } },
      { path: '/keys', name: 'keys', component: () => import('@/pages/KeysPage.vue'), meta: { title: 'API keys' } },
      { path: '/status', name: 'status', component: () => import('@/pages/StatusPage.vue'), meta: { title: 'Status' } },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach((to) => {
    const session = useSessionStore();
    if (!to.meta.public && !session.signedIn) {
      return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    }
    if (to.name === 'login' && session.signedIn) return { name: 'home' };
    return true;
  });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Shoshizan` : 'Shoshizan';
  });
  return router;
}
