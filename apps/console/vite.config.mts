import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { compression } from 'vite-plugin-compression2';
import { fileURLToPath } from 'node:url';

// What the entry (main.ts) runs itself, kept apart and small: it asks for the page's first reads
// before anything else has loaded.
const ENTRY = /apps[\\/]console[\\/]src[\\/](pages|composables[\\/](boardQuery|sessionToken)|api[\\/]firstReads)\.ts$/;
// What every page stands on, with every module it imports (Vue, its router and i18n, the base of
// Element Plus, the API client, the catalogues, the header, the status and SLA tags, the card, alert
// and empty state most pages draw): one chunk, one request, not a dozen small ones queued on the
// browser's six connections to the API.
const SHELL = new RegExp([
  /apps[\\/]console[\\/]src[\\/](boot\.ts|router\.ts|App\.vue|composables[\\/]|api[\\/]|i18n[\\/](index|zh-CN)\.ts|components[\\/](AppHeader|StatusTag|SlaCountdown|RowSla)\.vue)/.source,
  /node_modules[\\/]element-plus[\\/]es[\\/](components[\\/](card|alert|empty)[\\/]|utils[\\/]vue[\\/]vnode)/.source,
].join('|'));

/**
 * index.html asks for the shell (and its styles) itself, beside the entry: the browser fetches it
 * while the entry starts the page's first reads, not after the entry has run.
 */
function preloadShell(): Plugin {
  return {
    name: 'civicloop:preload-shell',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const shell = Object.values(context.bundle ?? {}).find((file) => file.type === 'chunk' && file.name === 'shell');
        if (shell?.type !== 'chunk') return [];
        // The entry's own imports are preloaded by Vite already.
        const scripts = [shell.fileName, ...shell.imports].filter((file) => !html.includes(file)).map((file) => ({ rel: 'modulepreload', href: `./${file}` }));
        const styles = [...(shell.viteMetadata?.importedCss ?? [])].map((file) => ({ rel: 'preload', as: 'style', href: `./${file}` }));
        return [...scripts, ...styles].map((attrs) => ({ tag: 'link', attrs: { ...attrs, crossorigin: '' }, injectTo: 'head' as const }));
      },
    },
  };
}

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
    preloadShell(),
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 0 }),
  ],
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      output: {
        // The shell (above) every page needs, ECharts apart (only the dashboard draws); the rest of
        // Element Plus is split by the pages that use it. One chunk for all the library code three
        // pages share made the board and the case page download and compile the table, the date
        // picker and the forms (~430 kB) before their first paint.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'entry', test: ENTRY, priority: 2 },
            { name: 'shell', test: SHELL, priority: 1 },
          ],
        },
      },
    },
  },
});
