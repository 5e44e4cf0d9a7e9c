import { defineConfig } from 'vite';

const server = 'http://localhost:8080';

/** Vite build of the cockpit: a static SPA the citybrain server serves at `/`. */
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // maplibre-gl alone is ~800 kB minified; it is one chunk on purpose.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      '/api': server,
      '/ngsi-ld': server,
      '/health': server,
      '/metrics': server,
    },
  },
});
