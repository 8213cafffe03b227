import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CaseCommand, decide, occurredAtOf } from '@civicloop/domain';
import { ConcurrencyError } from '@civicloop/event-store';
import { Directory } from '@civicloop/directory';
import { CaseRepository, CommandContext, LoadedCase } from './case-repository';
import { ChosenDatesInWorkingTime } from './working-time/chosen-dates';

export interface CommandAnswer {
  id: string;
  revision: number;
  position: number;
}

/** A check that needs more than the case's own stream (another case, say); throws to refuse. */
export type Precondition = (loaded: LoadedCase) => Promise<void>;

export class ExecuteCaseCommand {
  constructor(
    readonly caseId: string,
    readonly command: CaseCommand,
    readonly context: CommandContext,
    readonly precondition?: Precondition,
  ) {}
}

const ATTEMPTS = 3;

/**
 * Read the stream, fold, decide, append with the revision that was read. A lost race is retried
 * on fresh state a few times (the decision may still hold, e.g. two notes); then it is a 409.
 */
@Injectable()
@CommandHandler(ExecuteCaseCommand)
export class ExecuteCaseCommandHandler implements ICommandHandler<ExecuteCaseCommand, CommandAnswer> {
  constructor(private readonly cases: CaseRepository, private readonly directory: Directory, private readonly chosenDates: ChosenDatesInWorkingTime) {}

  async execute({ caseId, command, context, precondition }: ExecuteCaseCommand): Promise<CommandAnswer> {
    await this.chosenDates.check(caseId, command);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.cases.load(caseId);
      await precondition?.(loaded);
      const now = this.cases.now();
      const events = decide(command, loaded.state, { actor: context.actor, now, directory: this.directory });
      try {
        const { revision, position } = await this.cases.append(caseId, events, loaded.revision, context, occurredAtOf(command, now));
        return { id: caseId, revision, position };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
