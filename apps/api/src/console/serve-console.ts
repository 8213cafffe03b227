import { NestExpressApplication } from '@nestjs/platform-express';
import expressStaticGzip from 'express-static-gzip';
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
 * (`/#/board`), so no fallback route is needed and no console path can shadow an API path: only
 * existing files under dist/console are served, everything else falls through to the API. The build
 * writes brotli and gzip copies beside each asset; the one the browser accepts is sent as it is.
 */
export function serveConsole(app: NestExpressApplication): void {
  const dir = consoleDirectory();
  if (!dir) return;
  app.use(expressStaticGzip(dir, {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: 'index.html',
    serveStatic: {
      // Hashed bundle names never change content; index.html must be fetched fresh after a deploy.
      setHeaders: (response, path) => {
        response.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
    },
  }));
}
