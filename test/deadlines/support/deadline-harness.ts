import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, ExecuteCaseCommand } from '@civicloop/cases';
import { loadDefaultCalendar, slaTermsAtIntake } from '@civicloop/deadlines';
import { Actor, CaseCommand } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';
import { AppConfig, loadConfig } from '@civicloop/platform';
import { DeadlinesService } from '../../../libs/consumers/src/deadlines/deadlines.service';
import { WorkerAppModule } from '../../../apps/worker/src/worker-app.module';
import { writePolicy } from './seconds-policy';

export const actors = {
  operator: { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' },
  grid: { id: 'user-handler-grid-111', role: 'handler', unitId: 'grid-111' },
  street: { id: 'user-handler-street-fuzimiao', role: 'handler', unitId: 'street-fuzimiao' },
  urban: { id: 'user-handler-dept-urban', role: 'handler', unitId: 'dept-urban' },
  supervisor: { id: 'user-supervisor-street-fuzimiao', role: 'supervisor', unitId: 'street-fuzimiao' },
} satisfies Record<string, Actor>;

/** A temp DATA_DIR and the environment a worker (in this process or a child) runs with. */
export function workerEnvironment(redisUrl: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-deadlines-'));
  const env = {
    DATA_DIR: dir, REDIS_URL: redisUrl, SLA_POLICY_FILE: writePolicy(dir), NODE_ENV: 'test', DEADLINES_LOCK_MS: '1000', ...extra,
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The worker app in this process, with helpers to write case commands as the API would. */
export class DeadlineHarness {
  private constructor(readonly app: INestApplicationContext, readonly config: AppConfig) {}

  static async start(env: Record<string, string>): Promise<DeadlineHarness> {
    const config = loadConfig(env);
    const app = await NestFactory.createApplicationContext(WorkerAppModule.forRoot({ config }), { logger: ['error', 'warn'] });
    await app.init();
    await app.get(DeadlinesService).ready;
    return new DeadlineHarness(app, config);
  }

  run(caseId: string, command: CaseCommand, actor: Actor = actors.operator) {
    const id = randomUUID();
    return this.app.get(CommandBus).execute(new ExecuteCaseCommand(caseId, command, { actor, commandId: id, correlationId: id, causationId: id }));
  }

  /** Takes a case in as the receive-case endpoint does (with the SLA terms in force) and dispatches it. */
  async dispatchedCase(assigneeId = 'grid-111', tier: 'grid' | 'street' = 'grid', category = 'repair.water_leak'): Promise<string> {
    const caseId = randomUUID();
    const sla = slaTermsAtIntake(this.config.SLA_POLICY_FILE, [loadDefaultCalendar().id], category, 'normal');
    await this.run(caseId, {
      type: 'ReceiveCase',
      data: {
        caseId, channel: 'hotline_12345', category, urgency: 'normal', requestType: 'complaint', description: '漏水',
        location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' }, sla,
      },
    });
    await this.run(caseId, { type: 'DispatchCase', data: { assigneeId, tier } });
    return caseId;
  }

  events(caseId: string): Promise<RecordedEvent[]> {
    return this.app.get(CaseRepository).history(caseId);
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
