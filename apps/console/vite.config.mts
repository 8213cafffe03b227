import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { compression } from 'vite-plugin-compression2';
import { fileURLToPath } from 'node:url';

// Built into dist/console, which the API serves at `/` (apps/api/src/console/serve-console.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [
    vue(),
    // Element Plus on demand: each page's chunk carries the components (and their CSS) it uses,
    // not the whole library; the board's first paint parses a fraction of it.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
    // Gzip and brotli beside each asset, served as they are (no compression per request).
    // Every file, index.html included: @fastify/static's preCompressed looks for a copy of each.
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 0 }),
  ],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // Vue, its router and i18n in one chunk every page needs; Element Plus's components go with
        // the pages that use them (the board does not load the dashboard's or the dialogs' widgets),
        // and ECharts apart (only the dashboard draws).
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (/node_modules\/(@vue|vue|vue-router|vue-i18n|@intlify)\//.test(id)) return 'vue';
          return undefined;
        },
      },
    },
  },
});
