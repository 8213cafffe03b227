import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { TerminusModule } from '@nestjs/terminus';
import { intakeThrottleModule } from './abuse/intake-throttle.module';
import { AccessGuard } from './auth/access.guard';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { ResidentIdentityProvider } from './auth/resident-identity-provider';
import { CasesCoreModule } from '@civicloop/cases';
import { CasesModule } from './cases/cases.module';
import { ViewsModule } from './views/views.module';
import { EventsStreamModule } from './events-stream/events-stream.module';
import { DemoSignInModule } from './demo-sign-in/demo-sign-in.module';
import { AuditUnmasksModule } from './audit-unmasks/audit-unmasks.module';
import { ErrorFilter } from './common/error.filter';
import { GetDirectoryController } from './directory/get-directory/get-directory.controller';
import { GetDirectoryHandler } from './directory/get-directory/get-directory.query';
import { ConsumersModule } from '@civicloop/consumers';
import { HealthController } from './health/health.controller';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { idempotencyStoreProvider } from './idempotency/idempotency-store.provider';
import { LoggerModule } from 'nestjs-pino';
import { InfrastructureModule, InfrastructureOptions, loggingParams, MetricsPort, TracingLifecycle } from '@civicloop/platform';
import { TracingInterceptor } from './observability/tracing.interceptor';
import { MetricsController } from './metrics/metrics.controller';

@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions, logLevel = options.config.LOG_LEVEL): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggingParams({ LOG_LEVEL: logLevel })),
        InfrastructureModule.forRoot(options),
        CqrsModule.forRoot(),
        JwtModule.register({
          // A KeyObject, not the string: jsonwebtoken first tries a string as a PEM public key and
          // throws, which cost ~15% of the CPU of every authenticated request.
          secret: createSecretKey(Buffer.from(options.config.jwtSecret(), 'utf8')),
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        TerminusModule,
        CasesCoreModule,
        CasesModule,
        ViewsModule,
        EventsStreamModule,
        DemoSignInModule,
        AuditUnmasksModule,
        intakeThrottleModule(options.config),
        ...(options.config.WORKER_IN_PROCESS ? [ConsumersModule] : []),
      ],
      controllers: [HealthController, GetDirectoryController, MetricsController],
      providers: [
        MetricsPort,
        TracingLifecycle,
        GetDirectoryHandler,
        idempotencyStoreProvider,
        ResidentIdentityProvider,
        // Guards run in this order: who you are, then what you may do here.
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        // Registered only when traces are on: a pass-through interceptor still costs every request
        // Nest's per-interceptor wrapping (an AsyncResource and an Observable).
        ...(options.config.tracingMode === 'off' ? [] : [{ provide: APP_INTERCEPTOR, useClass: TracingInterceptor }]),
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
