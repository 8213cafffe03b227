import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { InfrastructureModule, InfrastructureOptions, loggingParams, MetricsPort, TracingLifecycle } from '@civicloop/platform';
import { ConsumersModule } from '@civicloop/consumers';

/** The worker process on its own: the shared infrastructure plus the worker's consumers. */
@Module({})
export class WorkerAppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [LoggerModule.forRoot(loggingParams(options.config)), InfrastructureModule.forRoot(options), CqrsModule.forRoot(), ConsumersModule],
      providers: [MetricsPort, TracingLifecycle],
    };
  }
}
