import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { ExecuteCaseCommand } from '@civicloop/cases';
import { Actor, CaseRefused } from '@civicloop/domain';
import { AppConfig, CLOCK, Clock } from '@civicloop/platform';
import { casesPastRetention, ReadModels } from '@civicloop/read-models';
import { Inject } from '@nestjs/common';

/** The engine itself, acting on the retention setting: the access table lets `system` erase. */
export const RETENTION_ACTOR: Actor = { id: 'system:retention', role: 'system', unitId: null };

export interface RetentionReport {
  /** Cases whose personal data this run erased. */
  erased: string[];
  /** Cases another run (or an operator) had erased already: nothing changed. */
  alreadyErased: number;
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

  async run(): Promise<RetentionReport> {
    const report: RetentionReport = { erased: [], alreadyErased: 0 };
    if (this.days <= 0) return report;
    const closedBefore = new Date(this.clock.now().getTime() - this.days * DAY_MS).toISOString();
    const seen = new Set<string>();
    for (;;) {
      const page = (await casesPastRetention(this.models, closedBefore, PAGE)).filter((id) => !seen.has(id));
      if (page.length === 0) break;
      for (const caseId of page) {
        seen.add(caseId);
        if (await this.erase(caseId)) report.erased.push(caseId);
        else report.alreadyErased += 1;
      }
    }
    if (report.erased.length) this.log.log({ msg: 'personal data erased after retention', cases: report.erased.length, closedBefore });
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
