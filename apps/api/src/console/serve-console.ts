import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `npm run build` puts the console: dist/console, seen from the built API, from its sources
 * (tests), or from the working directory (the benchmarks' separately compiled copy).
 */
const CANDIDATES = [
  join(__dirname, '..', '..', '..', '..', 'console'), join(__dirname, '..', '..', '..', '..', 'dist', 'console'), join(process.cwd(), 'dist', 'console'),
];

export function consoleDirectory(): string | null {
  return CANDIDATES.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * Serves the built console at `/` from the API's own origin. The console routes with the URL's hash
 * (`/#/board`), so no fallback route is needed and no console path can shadow an API path: one
 * route per file found under dist/console at start-up (`wildcard: false`), everything else reaches
 * the API's own routes or its 404. The build writes brotli and gzip copies beside each asset; the one
 * the browser accepts is sent as it is (`preCompressed`), nothing is compressed per request.
 */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  const dir = consoleDirectory();
  if (!dir) return;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    // `/` is its own route below: @fastify/static answers 404 for a directory's index when it looks
    // for a pre-compressed copy (an Accept-Encoding browsers always send).
    index: false,
    preCompressed: true,
    // Hashed bundle names (under assets/) never change content; everything else (index.html, the
    // icon) must be fetched fresh after a deploy. `path` may name the .br/.gz copy actually sent.
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.getHttpAdapter().getInstance().get('/', (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
}
