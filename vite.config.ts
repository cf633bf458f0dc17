import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const server = process.env.IOC_DEV_TARGET ?? 'http://localhost:8080';

/** One entry per page; the IOC server serves dist/client and maps `/` to the console. */
export default defineConfig({
  root: 'client',
  base: '/',
  publicDir: false,
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
    rollupOptions: {
      input: {
        console: resolve(import.meta.dirname, 'client/console/index.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/metrics': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
