import { Module } from '@nestjs/common';
import { CasesCoreModule } from '@civicloop/cases';
import { DeadlinesService } from './deadlines.service';

/** Deadlines that always fire: scheduled from the event store, fired by BullMQ, recorded as events. */
@Module({
  imports: [CasesCoreModule],
  providers: [DeadlinesService],
  exports: [DeadlinesService],
})
export class DeadlinesModule {}
