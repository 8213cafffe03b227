import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
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
        // Vue, its router and i18n in one chunk every page needs; library code that three or more
        // chunks share (Element Plus's base, popper, the widgets most pages use) in one more; the
        // rest of Element Plus goes with the pages that use it, ECharts apart (only the dashboard
        // draws). A browser opens six connections to the API over HTTP/1.1: dozens of small shared
        // chunks queued the board's own reads behind them.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/ },
            { name: 'lib', test: /node_modules[\\/]/, minShareCount: 3 },
          ],
        },
      },
    },
  },
});
