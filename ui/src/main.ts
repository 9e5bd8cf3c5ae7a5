import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from '@/App.vue';
import { createApiClient } from '@/api/client';
import { setApiClient } from '@/api/app-client';
import { loadRuntimeConfig } from '@/config';
import { createAppRouter } from '@/router';
import { useSessionStore } from '@/stores/session';
import { useThemeStore } from '@/stores/theme';
import '@/styles/main.css';

async function start(): Promise<void> {
  const config = await loadRuntimeConfig();
  const app = createApp(App);
  const pinia = createPinia();
  app.use(pinia);
  const session = useSessionStore();
  setApiClient(
    createApiClient({
      baseUrl: config.gatewayUrl,
      auth: { accessToken: () => session.accessToken(), refresh: () => session.refresh() },
    }),
  );
  useThemeStore();
  app.use(createAppRouter());
  app.mount('#app');
}

start().catch((error: unknown) => {
  const root = document.getElementById('app');
  if (root) {
    root.textContent = '';
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.className = 'alert';
    message.style.margin = '2rem';
    message.textContent = `Shoshizan could not start: ${(error as Error).message}. Reload the page to try again.`;
    root.append(message);
  }
});
