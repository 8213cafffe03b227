import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ReadModels } from '@civicloop/read-models';
import { Access } from '../../auth/access.guard';
import { Public } from '../../auth/actor';

/** How far behind the event log each projection is: for operators and for the metrics scraper. */
@ApiTags('views') @ApiBearerAuth()
@Controller('views/projections')
export class ProjectionsController {
  constructor(private readonly models: ReadModels) {}

  @Get()
  @Access('views')
  async status() {
    return { projections: await this.models.lags() };
  }

  /** Prometheus text format: civicloop_projection_lag_events and the checkpoint position. */
  @Public()
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    const lags = await this.models.lags();
    return [
      '# HELP civicloop_projection_lag_events Events in the log the projection has not applied yet.',
      '# TYPE civicloop_projection_lag_events gauge',
      ...lags.map((l) => `civicloop_projection_lag_events{projection="${l.name}"} ${l.lag}`),
      '# HELP civicloop_projection_position Position of the last event the projection applied.',
      '# TYPE civicloop_projection_position gauge',
      ...lags.map((l) => `civicloop_projection_position{projection="${l.name}"} ${l.position ?? 0}`),
      '',
    ].join('\n');
  }
}
