import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { compression } from 'vite-plugin-compression2';
import { fileURLToPath } from 'node:url';

// The console's own shared code and the widgets every list paints (with the library code they
// import): one chunk, not a dozen small ones each a request of its own before the first paint.
const SHELL = /apps[\\/]console[\\/]src[\\/](composables|api|i18n|components[\\/](StatusTag|SlaCountdown|RowSla)\.vue)/;
// What the entry (main.ts) imports itself: it must stay small, it asks for the first reads.
const ENTRY_ONLY = /apps[\\/]console[\\/]src[\\/](composables[\\/](boardQuery|sessionToken)|api[\\/]firstReads)\.ts$/;

// Built into dist/console, which the API serves at `/` (apps/api/src/console/serve-console.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [
    vue(),
    // The catalogues compiled to message functions at build time, and vue-i18n's runtime-only
    // build: the browser neither downloads the message compiler nor compiles a message.
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/i18n/{zh-CN,en}.ts', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
      strictMessage: false,
      dropMessageCompiler: true,
    }),
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
        // Vue, its router and i18n in one chunk every page needs; ECharts apart (only the dashboard
        // draws). The rest of Element Plus is split by the pages that use it: one chunk for all
        // the code three pages share made the board and the case page download and compile the
        // table, the date picker and the forms (~430 kB) before their first paint.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/ },
            { name: 'app', test: (id) => SHELL.test(id) && !ENTRY_ONLY.test(id), includeDependenciesRecursively: false },
          ],
        },
      },
    },
  },
});
