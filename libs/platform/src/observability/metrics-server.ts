import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AppConfig } from '../app-config';
import { collectProcessMetrics, metricsRegistry } from './metrics';

/** `/metrics` on a port of its own (METRICS_PORT), e.g. one the load balancer does not publish. */
export async function startMetricsServer(port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  return server;
}

/**
 * Per process: collects the process metrics and, when METRICS_PORT is set, serves `/metrics` there
 * (the API then answers 404 on its own port). Provided by the API and the worker alike.
 */
@Injectable()
export class MetricsPort implements OnApplicationBootstrap, OnModuleDestroy {
  private server: Server | null = null;

  constructor(private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    collectProcessMetrics();
    if (this.config.METRICS_PORT !== undefined) this.server = await startMetricsServer(this.config.METRICS_PORT);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
