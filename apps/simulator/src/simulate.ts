import { Module, DynamicModule, INestApplicationContext } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { CasesCoreModule, ExecuteCaseCommand } from '@civicloop/cases';
import { CaseRefused } from '@civicloop/domain';
import { loadDefaultCalendar, slaTermsAtIntake } from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { EVENT_STORE, EventStore, KeyMaker, storedEventsOf } from '@civicloop/event-store';
import { AppConfig, InfrastructureModule, InfrastructureOptions, ManualClock, seededIdGenerator } from '@civicloop/platform';
import { Actors } from './actors';
import { caseJourney, Step, World } from './case-journey';
import { historyHash } from './history-hash';
import { planArrivals } from './plan-arrivals';
import { Random } from './random';
import { Schedule } from './schedule';

const DAY = 86_400_000;

/** Only the write path: no worker consumers, so nothing but the simulator issues commands. */
@Module({})
export class SimulatorModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return { module: SimulatorModule, imports: [InfrastructureModule.forRoot(options), CqrsModule.forRoot(), CasesCoreModule] };
  }
}

export interface SimulationOptions {
  config: AppConfig;
  seed: number;
  cases: number;
  days: number;
  start: Date;
  onProgress?: (progress: { simulatedHours: number; commands: number }) => void;
}

export interface SimulationReport {
  seed: number;
  cases: number;
  days: number;
  start: string;
  end: string;
  commands: number;
  /** Commands the engine refused, by code: a realistic journey should see none. */
  refused: Record<string, number>;
  commandsByType: Record<string, number>;
  openCases: number;
  events: number;
  historyHash: string;
  wallSeconds: number;
}

/** Each case's data key derived from the seed, so the same seed stores the same ciphertext (and history hash). */
const seededKeyMaker = (seed: number): KeyMaker => (caseId) => createHmac('sha256', `civicloop-simulator-${seed}`).update(caseId).digest();

interface Running { caseId: string; journey: Generator<Step, void, void> }

/**
 * Plays a district: every case's journey runs through the real command path (CommandBus →
 * ExecuteCaseCommand → decider → event store), in simulated time order, on a clock it moves itself.
 */
export async function simulateDistrict(options: SimulationOptions): Promise<SimulationReport> {
  const began = Date.now();
  const clock = new ManualClock(options.start);
  const newId = seededIdGenerator(options.seed);
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    SimulatorModule.forRoot({ config: options.config, clock, idGenerator: newId, keyMaker: seededKeyMaker(options.seed) }), { logger: ['error', 'warn'] },
  );
  try {
    const commandBus = app.get(CommandBus);
    const directory = app.get(Directory);
    const store = app.get<EventStore>(EVENT_STORE);
    const random = new Random(options.seed);
    const start = options.start.getTime();
    const end = start + options.days * DAY;
    const closed = new Set<string>();
    const calendars = [loadDefaultCalendar().id];
    const world: World = {
      directory, actors: new Actors(directory), now: () => clock.now().getTime(), newId, isOpen: (id) => !closed.has(id),
      intakeTerms: (category, urgency) => ({ sla: slaTermsAtIntake(options.config.SLA_POLICY_FILE, calendars, category, urgency) }),
    };
    const schedule = new Schedule<Running>();
    for (const planned of planArrivals(random, directory, options.cases, options.days, start, newId)) {
      schedule.push(planned.arrival, { caseId: planned.caseId, journey: caseJourney(planned, random.fork(), world) });
    }
    const report = { commands: 0, refused: {} as Record<string, number>, commandsByType: {} as Record<string, number> };
    let lastProgress = 0;
    while ((schedule.peekTime() ?? Infinity) < end) {
      const { at, item } = schedule.pop()!;
      clock.set(new Date(at));
      for (let step = item.journey.next(); !step.done; step = item.journey.next()) {
        if ('wait' in step.value) {
          schedule.push(at + step.value.wait, item);
          break;
        }
        const { actor, command } = step.value;
        const commandId = newId();
        try {
          await commandBus.execute(new ExecuteCaseCommand(item.caseId, command, { actor, commandId, correlationId: commandId, causationId: commandId }));
        } catch (error) {
          if (!(error instanceof CaseRefused)) throw error;
          report.refused[error.code] = (report.refused[error.code] ?? 0) + 1;
          break; // the journey cannot go on from a state it did not expect
        }
        report.commands += 1;
        report.commandsByType[command.type] = (report.commandsByType[command.type] ?? 0) + 1;
        if (command.type === 'CloseCase' || command.type === 'MergeCase') closed.add(item.caseId);
      }
      if (options.onProgress && (report.commands - lastProgress >= 200 || schedule.size === 0)) {
        lastProgress = report.commands;
        options.onProgress({ simulatedHours: (at - start) / 3_600_000, commands: report.commands });
      }
    }
    options.onProgress?.({ simulatedHours: options.days * 24, commands: report.commands });
    const { hash, events } = await historyHash(storedEventsOf(store));
    return {
      seed: options.seed, cases: options.cases, days: options.days,
      start: options.start.toISOString(), end: new Date(end).toISOString(),
      ...report, openCases: options.cases - closed.size, events, historyHash: hash,
      wallSeconds: (Date.now() - began) / 1000,
    };
  } finally {
    await app.close();
  }
}
