import { Injectable, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  authorize, CaseCommand, CaseRefused, CaseState, decide, DecisionContext, MergeCase, occurredAtOf, refuse, Tier,
} from '@civicloop/domain';
import { ConcurrencyError } from '@civicloop/event-store';
import { Directory } from '@civicloop/directory';
import { AppConfig, appendSeconds, commandSeconds, commandsTotal, inSpan, refusalsTotal, rememberCommandSpan } from '@civicloop/platform';
import { CaseRepository, CommandContext, LoadedCase } from '../case-repository';
import { resolutionDueAt } from './resolution-due';
import { ChosenDatesInWorkingTime } from '../working-time/chosen-dates';
import { CalendarRegistry } from '../calendar/calendar-registry';

export interface CommandAnswer {
  id: string;
  revision: number;
  position: number;
}

export interface GateOptions {
  /** Act only on the case exactly at this revision (the deadline worker checked that state). */
  atRevision?: number;
}

/** Every change to a case, from any caller (HTTP, worker, simulator, imports), is one of these. */
export class ExecuteCaseCommand {
  constructor(
    readonly caseId: string,
    readonly command: CaseCommand,
    readonly context: CommandContext,
    readonly options: GateOptions = {},
  ) {}
}

const ATTEMPTS = 3;

type Holding = { assigneeId: string | null; tier: Tier | null };
const holdingOf = (state: CaseState): Holding => ({ assigneeId: state.assigneeId, tier: state.tier });

/**
 * The one gate: load once → authorize → decide → append with the revision that was read. A lost
 * race reloads and runs authorize and decide again on the new state, and never lets a retried
 * command act on another holder or tier than the one it was first authorized for (409 CASE_MOVED).
 * A merge touches two cases: each half passes the gate, the stream whose id sorts first written first.
 */
@Injectable()
@CommandHandler(ExecuteCaseCommand)
export class ExecuteCaseCommandHandler implements ICommandHandler<ExecuteCaseCommand, CommandAnswer> {
  private readonly log = new Logger('Gate');

  constructor(
    private readonly cases: CaseRepository, private readonly directory: Directory, private readonly config: AppConfig,
    private readonly chosenDates: ChosenDatesInWorkingTime, private readonly calendars: CalendarRegistry,
  ) {}

  execute(gateCommand: ExecuteCaseCommand): Promise<CommandAnswer> {
    const attributes = { 'civicloop.command': gateCommand.command.type, 'civicloop.correlation_id': gateCommand.context.correlationId };
    return inSpan(`command ${gateCommand.command.type}`, { attributes }, () => {
      rememberCommandSpan(gateCommand.context.correlationId);
      return this.executeInSpan(gateCommand);
    });
  }

  private async executeInSpan({ caseId, command, context, options }: ExecuteCaseCommand): Promise<CommandAnswer> {
    const stopTimer = commandSeconds.startTimer({ type: command.type });
    try {
      const answer = await (command.type === 'MergeCase' ? this.merge(caseId, command, context) : this.pass(caseId, command, context, options));
      commandsTotal.inc({ type: command.type, outcome: 'accepted' });
      stopTimer({ outcome: 'accepted' });
      return answer;
    } catch (error) {
      const outcome = error instanceof CaseRefused ? 'refused' : 'failed';
      commandsTotal.inc({ type: command.type, outcome });
      stopTimer({ outcome });
      if (error instanceof CaseRefused) {
        refusalsTotal.inc({ code: error.code, type: command.type });
        this.log.debug({ msg: 'refused', correlationId: context.correlationId, commandId: context.commandId, command: command.type, caseId, code: error.code });
      }
      throw error;
    }
  }

  private async pass(caseId: string, command: CaseCommand, context: CommandContext, options: GateOptions = {}, relatedId?: string)
    : Promise<CommandAnswer> {
    let authorizedFor: Holding | undefined;
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.cases.load(caseId);
      if (options.atRevision !== undefined && loaded.revision !== options.atRevision) {
        throw refuse.conflict('CASE_MOVED', `case ${caseId} is at revision ${loaded.revision}, not ${options.atRevision}`);
      }
      authorize(command, loaded.state, context.actor, this.directory);
      const holding = holdingOf(loaded.state);
      if (authorizedFor && (authorizedFor.assigneeId !== holding.assigneeId || authorizedFor.tier !== holding.tier)) {
        throw refuse.conflict('CASE_MOVED', `case ${caseId} moved to ${holding.assigneeId ?? 'the dispatch queue'} while this command waited`);
      }
      authorizedFor = holding;
      await this.chosenDates.check(command, loaded.events);
      const now = this.cases.now();
      const events = decide(command, loaded.state, await this.decisionContext(command, loaded, context, now, relatedId));
      if (events.length === 0) return { id: caseId, revision: loaded.revision, position: loaded.position };
      try {
        const stopAppend = appendSeconds.startTimer();
        const { revision, position } = await inSpan('append', { attributes: { 'civicloop.events': events.length } }, () => this.cases
          .append(caseId, events, loaded.revision, context, occurredAtOf(command, now), loaded.hash)).finally(stopAppend);
        this.log.debug({
          msg: 'appended', correlationId: context.correlationId, commandId: context.commandId, command: command.type,
          caseId, revision, position, events: events.map((e) => e.type), actorId: context.actor.id,
        });
        return { id: caseId, revision, position };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async decisionContext(command: CaseCommand, loaded: LoadedCase, context: CommandContext, now: string, relatedId?: string)
    : Promise<DecisionContext> {
    const ctx: DecisionContext = { actor: context.actor, now, directory: this.directory };
    if (relatedId !== undefined) ctx.related = (await this.cases.load(relatedId)).state;
    if (command.type === 'RequestExtension' || command.type === 'DecideExtension') {
      ctx.resolveDueAt = resolutionDueAt(loaded.events, this.config.SLA_POLICY_FILE, await this.calendars.fresh());
    }
    return ctx;
  }

  /**
   * 合并重复工单: the duplicate closes into the primary and the primary records it. Two opposite
   * merges (A→B, B→A) both write the stream that sorts first first, so they meet there and only
   * one wins; the loser re-decides on the winner's event and is refused (closed, or a cycle).
   */
  private async merge(duplicateId: string, command: MergeCase, context: CommandContext): Promise<CommandAnswer> {
    const primaryId = command.data.intoCaseId;
    const closeDuplicate = () => this.pass(duplicateId, command, context, {}, primaryId);
    const recordOnPrimary = () =>
      this.pass(primaryId, { type: 'RecordDuplicateMerged', data: { duplicateCaseId: duplicateId } }, context, {}, duplicateId);
    if (primaryId === duplicateId || duplicateId < primaryId) {
      const answer = await closeDuplicate();
      await recordOnPrimary();
      return answer;
    }
    await recordOnPrimary();
    return closeDuplicate();
  }
}
