import { Module } from '@nestjs/common';
import { ReadModelsModule } from '@civicloop/read-models';
import { ProjectionRunners } from './projection-runners';

/** Keeps the read models of the views up to date from the event log. */
@Module({
  imports: [ReadModelsModule],
  providers: [ProjectionRunners],
  exports: [ProjectionRunners],
})
export class ProjectionsModule {}
