import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CaseRepository } from './case-repository';
import { ExecuteCaseCommandHandler } from './gate/execute-case-command';

/** The case write path, shared by the HTTP API and the worker's policies: both issue case commands. */
@Module({
  imports: [CqrsModule],
  providers: [CaseRepository, ExecuteCaseCommandHandler],
  exports: [CaseRepository],
})
export class CasesCoreModule {}
