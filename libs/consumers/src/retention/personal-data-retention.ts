import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { Actor, CaseRefused } from '@civicloop/domain';
import { AppConfig, CLOCK, Clock } from '@civicloop/platform';
import { BoardRebuilding, casesPastRetention, ReadModels, RetentionEntry } from '@civicloop/read-models';
import { Inject } from '@nestjs/common';

/** The engine itself, acting on the retention setting: the access table lets `system` erase. */
export const RETENTION_ACTOR: Actor = { id: 'system:retention', role: 'system', unitId: null };

export interface RetentionReport {
  /** Cases whose personal data this run erased. */
  erased: string[];
  /** Cases another run (or an operator) had erased already: nothing changed. */
  alreadyErased: number;
  /** Cases whose erasure failed this run (each logged); the next run tries them again. */
  failed: string[];
  /** Why this run erased nothing yet (the board is being rebuilt after an upgrade); the next run goes on. */
  waiting?: string;
}

const DAY_MS = 86_400_000;
const PAGE = 500;

/**
 * PERSONAL_DATA_RETENTION_DAYS: the personal data of cases closed more than that many days ago is
 * erased through the one gate, as an operator's erasure would be. Idempotent: the work list skips
 * erased cases, and one erased in between is refused by the decider and counted, never erased twice.
 */
@Injectable()
export class PersonalDataRetention {
  private readonly log = new Logger('Retention');

  constructor(
    private readonly config: AppConfig, private readonly models: ReadModels, private readonly commandBus: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get days(): number {
    return this.config.PERSONAL_DATA_RETENTION_DAYS;
  }

  /** One case that cannot be erased (refused, a store error) is logged and counted; the others are still erased. */
  async run(): Promise<RetentionReport> {
    const report: RetentionReport = { erased: [], alreadyErased: 0, failed: [] };
    if (this.days <= 0) return report;
    const closedBefore = new Date(this.clock.now().getTime() - this.days * DAY_MS).toISOString();
    for (let after: RetentionEntry | undefined; ;) {
      let page: RetentionEntry[];
      try {
        page = await casesPastRetention(this.models, closedBefore, PAGE, after);
      } catch (error) {
        if (!(error instanceof BoardRebuilding)) throw error;
        this.log.warn({ msg: 'personal data retention waits for the board', reason: error.message });
        return { ...report, waiting: error.message };
      }
      if (page.length === 0) break;
      for (const { caseId } of page) {
        try {
          if (await this.erase(caseId)) report.erased.push(caseId);
          else report.alreadyErased += 1;
        } catch (error) {
          report.failed.push(caseId);
          this.log.error({ msg: 'personal data retention: erasure failed', caseId, error: error instanceof Error ? error.message : String(error) });
        }
      }
      after = page[page.length - 1];
    }
    if (report.erased.length || report.failed.length) {
      this.log.log({ msg: 'personal data erased after retention', cases: report.erased.length, failed: report.failed.length, closedBefore });
    }
    return report;
  }

  private async erase(caseId: string): Promise<boolean> {
    const commandId = randomUUID();
    const command = { type: 'ErasePersonalData' as const, data: { reason: `保存期限届满：结案已超过 ${this.days} 天` } };
    try {
      await this.commandBus.execute(new ExecuteCaseCommand(caseId, command, { actor: RETENTION_ACTOR, commandId, correlationId: commandId, causationId: commandId }));
      return true;
    } catch (error) {
      if (error instanceof CaseRefused && error.code === 'PERSONAL_DATA_ALREADY_ERASED') return false;
      throw error;
    }
  }
}
