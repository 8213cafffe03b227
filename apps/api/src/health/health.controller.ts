import { Controller, Get, HttpException, HttpStatus, Inject, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { CalendarRegistry } from '@civicloop/cases';
import { calendarCoverage, daysOfOfficialCoverageLeft, OFFICIAL_COVERAGE_WARNING_DAYS } from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { Clock, CLOCK } from '@civicloop/platform';
import { EVENT_STORE, EventStore } from '@civicloop/event-store';
import { eventsBehind } from './events-behind';
import { ReadModels } from '@civicloop/read-models';
import { DeadlinesService } from '@civicloop/consumers';
import { Public } from '../auth/actor';

/**
 * Views more than this many events behind make the service "degraded" (still 200: commands are
 * taken and views answer, only late). A burst of commands leaves a few hundred at most.
 */
export const PROJECTIONS_BEHIND_EVENTS = 1000;

@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleInit {
  /** Present when the worker runs inside this process (the embedded default). */
  private deadlines: DeadlinesService | null = null;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly directory: Directory,
    private readonly readModels: ReadModels,
    private readonly modules: ModuleRef,
    private readonly calendars: CalendarRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    try {
      this.deadlines = this.modules.get(DeadlinesService, { strict: false });
    } catch {
      this.deadlines = null;
    }
  }

  @Public()
  @Get()
  @HealthCheck()
  async check() {
    try {
      return await this.runChecks();
    } catch (error) {
      // Terminus throws the whole result; keep it in our error shape so the monitor sees what is down.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as { error?: Record<string, unknown> };
      const down = Object.keys(result.error ?? {});
      throw new HttpException({ code: 'UNHEALTHY', message: `down: ${down.join(', ')}`, ...result }, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  /**
   * Degraded, not down: deadlines still fire, but those counted past the official years may move
   * when the State Council arrangement is imported (the same 60 days as `npm run calendar -- check`).
   */
  private async calendarHealth() {
    const calendar = await this.calendars.fresh();
    const now = this.clock.now().toISOString();
    const coverage = calendarCoverage(calendar, now);
    const daysLeft = daysOfOfficialCoverageLeft(calendar, now);
    const degraded = daysLeft <= OFFICIAL_COVERAGE_WARNING_DAYS;
    return this.indicators.check('calendar').up({
      degraded,
      ...(degraded && {
        warning: `official calendar ends in ${daysLeft} days: deadlines from ${coverage.firstUncoveredDate} on are provisional until the State Council arrangement is imported`,
      }),
      officialUntil: coverage.officialUntil,
      firstUncoveredDate: coverage.firstUncoveredDate,
      years: coverage.years.map(({ year, status, version }) => ({ year, status, version })),
    });
  }

  private runChecks() {
    const deadlines = this.deadlines;
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        try {
          // the writer too: a SQLite writer thread that stopped and cannot open the file again fails every append
          const writer = await this.store.writerStatus?.();
          return indicator.up({ headPosition: await this.store.headPosition(), ...(writer && { writer }) });
        } catch (error) {
          return indicator.down({ error: (error as Error).message });
        }
      },
      async () => {
        // Lag is reported, not judged down: a catch-up at start, a rebuild or a burst is not an outage.
        const indicator = this.indicators.check('projections');
        try {
          const lags = (await this.readModels.lags()).map(({ name, position, lag, owner }) => ({ name, position, lag, owner }));
          const behind = Math.max(0, ...await Promise.all(lags.map((l) => eventsBehind(this.store, l.position, l.lag, PROJECTIONS_BEHIND_EVENTS))));
          const degraded = behind > PROJECTIONS_BEHIND_EVENTS;
          return indicator.up({
            degraded,
            ...(degraded && { warning: `views are more than ${PROJECTIONS_BEHIND_EVENTS} events behind the log (catching up): they answer, but late` }),
            lags,
          });
        } catch (error) {
          return indicator.down({ error: (error as Error).message });
        }
      },
      ...(deadlines ? [async () => {
        const { up, details } = await deadlines.health();
        const indicator = this.indicators.check('deadlines');
        return up ? indicator.up(details) : indicator.down(details);
      }] : []),
      async () => this.calendarHealth(),
      async () => this.indicators.check('directory').up({
        version: this.directory.data.version,
        units: this.directory.allUnits().length,
        categories: this.directory.allCategories().length,
      }),
    ]);
  }
}
