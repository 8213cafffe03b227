import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CalendarRegistry } from './calendar/calendar-registry';
import { CaseRepository } from './case-repository';
import { ExecuteCaseCommandHandler } from './gate/execute-case-command';
import { ChosenDatesInWorkingTime } from './working-time/chosen-dates';

/** The case write path, shared by the HTTP API and the worker's policies: both issue case commands. */
@Module({
  imports: [CqrsModule],
  providers: [CaseRepository, CalendarRegistry, ChosenDatesInWorkingTime, ExecuteCaseCommandHandler],
  exports: [CaseRepository, CalendarRegistry],
})
export class CasesCoreModule {}
