import { Module } from '@nestjs/common';
import { CasesCoreModule } from '@civicloop/cases';
import { ReadModelsModule } from '@civicloop/read-models';
import { DeadlinesService } from './deadlines.service';
import { PersonalDataRetention } from '../retention/personal-data-retention';

/** Deadlines that always fire: scheduled from the event store, fired by BullMQ, recorded as events. */
@Module({
  imports: [CasesCoreModule, ReadModelsModule],
  providers: [DeadlinesService, PersonalDataRetention],
  exports: [DeadlinesService, PersonalDataRetention],
})
export class DeadlinesModule {}
