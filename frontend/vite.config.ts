import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// `npm run dev` proxies the API to a `frontdesk serve --fake-graph` on :8000 (FRONTDESK_URL to change).
const backend = process.env.FRONTDESK_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 300 },
  server: {
    proxy: {
      '/api/v1/ws': {
        target: backend,
        ws: true,
        changeOrigin: true,
        // The server accepts a cookie-authenticated socket only from its own origin.
        configure: (proxy) => proxy.on('proxyReqWs', (req) => req.setHeader('origin', backend)),
      },
      '/api': { target: backend, changeOrigin: true },
      '/_dev': { target: backend, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.spec.ts'],
  },
})
