import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../app-config';
import { startTracing, stopTracing } from './tracing';

/** Starts traces when configured (before the first request or job) and sends the last spans on shutdown. */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await startTracing(this.config.tracingMode, { endpoint: this.config.OTEL_EXPORTER_OTLP_ENDPOINT });
  }

  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
