import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Manifest } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const server = process.env.IOC_DEV_TARGET ?? 'http://localhost:8080';
const outDir = resolve(import.meta.dirname, 'dist/client');

/**
 * The files the field page needs, from Vite's build manifest: its entry, the chunks and CSS
 * it imports (statically or lazily, e.g. the map), and their assets (the MapLibre worker).
 * The console's files stay out of the field page's service-worker cache.
 */
function fieldFiles(): Set<string> {
  const manifest = JSON.parse(readFileSync(resolve(outDir, '.vite/manifest.json'), 'utf8')) as Manifest;
  const files = new Set<string>(['field/index.html']);
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(`chunk:${key}`)) return;
    files.add(`chunk:${key}`);
    files.add(chunk.file);
    for (const f of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(f);
    for (const k of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(k);
  };
  visit('field/index.html');
  return files;
}

/**
 * MapLibre (console, field pin map) and deck.gl with its GPU stack (console) in vendor chunks.
 * deck.gl's aggregation layers stay out (the console loads them only when the heat layer is shown),
 * and so do luma.gl's GPU operations, which it imports on demand.
 */
function vendorChunk(id: string): string | undefined {
  // Vite's and Rollup's small helpers, shared by every page: in a chunk of their own, or they land
  // in the first vendor chunk that uses them and every page would download deck.gl for them
  if (id.includes('vite/preload-helper') || id.includes('commonjsHelpers')) return 'runtime';
  if (!id.includes('/node_modules/')) return undefined;
  if (id.includes('/node_modules/maplibre-gl/')) return 'maplibre';
  // loaded on demand by their libraries: left to their own lazy chunks
  if (/\/node_modules\/(@deck\.gl\/aggregation-layers|@luma\.gl\/gpgpu\/dist\/operations)\//.test(id))
    return undefined;
  if (/\/node_modules\/(@deck\.gl|@luma\.gl|@math\.gl|@loaders\.gl|@probe\.gl|mjolnir\.js)\//.test(id))
    return 'deck';
  return undefined;
}

/** One entry per page; the IOC server serves dist/client and maps `/` to the console, `/report` to the field page. */
export default defineConfig({
  root: 'client',
  base: '/',
  // client/public: the field page's web manifest and icons, served at the root
  publicDir: 'public',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  // MapLibre 6 starts its worker as an ES module
  worker: { format: 'es' },
  build: {
    outDir: '../dist/client',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    // world-atlas and the like are fetched at run time, not inlined
    assetsInlineLimit: 4096,
    // read by the service-worker build to precache the field page's files only
    manifest: true,
    rollupOptions: {
      input: {
        console: resolve(import.meta.dirname, 'client/console/index.html'),
        field: resolve(import.meta.dirname, 'client/field/index.html'),
        dashboard: resolve(import.meta.dirname, 'client/dashboard/index.html'),
        login: resolve(import.meta.dirname, 'client/login/index.html'),
        admin: resolve(import.meta.dirname, 'client/admin/index.html'),
      },
      // the big libraries in chunks of their own: a release that changes the app's code leaves
      // them cached, and the browser fetches them side by side
      output: { manualChunks: vendorChunk },
    },
  },
  plugins: [
    VitePWA({
      // registered by client/field/main.tsx (no inline scripts under the CSP); the manifest
      // is a static file linked from the field page only
      injectRegister: false,
      manifest: false,
      strategies: 'generateSW',
      filename: 'report-sw.js',
      // the worker lives at the root so that its scope may be /report
      scope: '/report',
      base: '/',
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,png,webmanifest,svg,woff2}'],
        globIgnores: ['report-sw.js', 'workbox-*.js'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        manifestTransforms: [
          async (entries) => {
            const keep = fieldFiles();
            return {
              manifest: entries.filter(
                (e) =>
                  keep.has(e.url) ||
                  e.url === 'report.webmanifest' ||
                  e.url.startsWith('report-icon-') ||
                  // the pin map's worker (a `?worker&url` file the build manifest does not list)
                  /^assets\/maplibre-gl-worker-[\w-]+\.js$/.test(e.url),
              ),
              warnings: [],
            };
          },
        ],
        // /report opens offline: every navigation in scope gets the cached field page
        navigateFallback: '/field/index.html',
        navigateFallbackAllowlist: [/^\/report(\/|\?|$)/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // the pin map's city model: the network when it answers, the last copy offline
            urlPattern: ({ url }) => url.pathname === '/api/city',
            handler: 'NetworkFirst',
            options: { cacheName: 'ioc-field-city', networkTimeoutSeconds: 4 },
          },
        ],
      },
    }),
  ],
  server: {
    proxy: {
      '/api': server,
      '/metrics': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
