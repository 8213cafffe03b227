import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { ReadModels } from '@civicloop/read-models';
import { Public } from '../auth/actor';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: Directory,
    private readonly readModels: ReadModels,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        try {
          return indicator.up({ headPosition: await this.store.headPosition() });
        } catch (error) {
          return indicator.down({ error: (error as Error).message });
        }
      },
      async () => {
        // Lag is reported, not judged: a rebuild or a burst is not an outage.
        const indicator = this.indicators.check('projections');
        try {
          return indicator.up({ lags: (await this.readModels.lags()).map(({ name, position, lag, owner }) => ({ name, position, lag, owner })) });
        } catch (error) {
          return indicator.down({ error: (error as Error).message });
        }
      },
      async () => this.indicators.check('directory').up({
        version: this.directory.data.version,
        units: this.directory.allUnits().length,
        categories: this.directory.allCategories().length,
      }),
    ]);
  }
}
