import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';
import SERVICE_PORTS from '../shared-interfaces/src/ports.json' with { type: 'json' };

// The gateway's URL is not baked in: the app reads /config.json at start. In development
// the gateway's routes are proxied, so the app talks to its own origin (gatewayUrl ""); by
// default to local mode's gateway.
const GATEWAY = process.env.GATEWAY_URL ?? `http://127.0.0.1:${SERVICE_PORTS.gateway.port}`;

export default defineConfig({
  plugins: [
    vue(),
    {
      name: 'shoshizan-dev-config',
      configureServer(server) {
        server.middlewares.use('/config.json', (_req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ gatewayUrl: '' }));
        });
      },
    },
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/v1': { target: GATEWAY, changeOrigin: false },
      '/health': { target: GATEWAY, changeOrigin: false },
    },
  },
  build: { outDir: 'dist', sourcemap: true, target: 'es2022' },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
    restoreMocks: true,
  },
});
