/**
 * Builds the PWA (pwa/ -> pwa/dist) with a generated service worker that precaches the app
 * shell. API responses are never cached: per-person data must not outlive a logout on a
 * shared ward computer, so there is no runtime caching at all. Updates are offered
 * ('prompt'), never forced over unsent work. Web push handlers come from pwa/public/push-sw.js.
 * Last, every compressible file gets .br and .gz siblings for the server to send (pwa/build/precompress.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './pwa/build/precompress.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const apiTarget = 'http://127.0.0.1:8080';

export default defineConfig({
  root: path.join(here, 'pwa'),
  publicDir: path.join(here, 'pwa/public'),
  build: {
    outDir: path.join(here, 'pwa/dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/login': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget, changeOrigin: false },
    },
  },
  plugins: [
    react(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'generateSW',
      includeAssets: ['icons/icon.svg', 'icons/apple-touch-icon-180.png'],
      manifest: {
        id: '/',
        name: 'Huddle',
        short_name: 'Huddle',
        description: 'Have your say, anonymously: the staff conversation.',
        lang: 'en-GB',
        theme_color: '#005eb8',
        background_color: '#ffffff',
        display: 'standalone',
        orientation: 'any',
        categories: ['productivity', 'social'],
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/login\//, /^\/healthz/],
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // Web push: the push and notificationclick handlers (pwa/public/push-sw.js).
        importScripts: ['push-sw.js'],
        // No runtimeCaching: API responses are never cached by the service worker.
      },
      devOptions: { enabled: false },
    }),
    // After the PWA plugin, so sw.js and the workbox runtime are compressed too.
    precompress(),
  ],
});
