import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { AppConfig, metricsRegistry, observeProjections } from '@civicloop/platform';
import { ReadModels } from '@civicloop/read-models';
import { Public } from '../auth/actor';

/**
 * Prometheus scrape endpoint, without a token: it holds counts and latencies by command type,
 * refusal code, projection and job state, never an id or a person. With METRICS_PORT set it is
 * served on that port instead (libs/platform MetricsPort), and here answers 404.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: AppConfig, models: ReadModels) {
    observeProjections(() => models.lags());
  }

  @Public()
  @Get()
  async metrics(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    if (this.config.METRICS_PORT !== undefined) throw new NotFoundException(`metrics are served on port ${this.config.METRICS_PORT}`);
    response.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  }
}
