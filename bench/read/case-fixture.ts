import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { CasesCoreModule, ExecuteCaseCommand } from '@civicloop/cases';
import { CaseCommand } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { AppConfig, InfrastructureModule, ManualClock } from '@civicloop/platform';
import { demoUser } from '../../apps/api/src/cli/token';

@Module({ imports: [CqrsModule.forRoot(), CasesCoreModule] })
export class WritePathModule {}

/** Writes one case through the real command path until it holds `events` events. */
export async function caseWithEvents(config: AppConfig, clock: ManualClock, caseId: string, events: number): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    { module: WritePathModule, imports: [InfrastructureModule.forRoot({ config, clock }), WritePathModule] }, { logger: ['error'] },
  );
  try {
    const bus = app.get(CommandBus);
    const directory = app.get(Directory);
    let n = 0;
    const run = async (actor: ReturnType<typeof demoUser>, command: CaseCommand) => {
      clock.advance(60_000);
      const id = `bench-${caseId}-${n++}`;
      return bus.execute(new ExecuteCaseCommand(caseId, command, { actor: { id: actor.id, role: actor.role, unitId: actor.unitId }, commandId: id, correlationId: id, causationId: id }));
    };
    const operator = demoUser(directory, 'operator');
    const handler = demoUser(directory, 'handler', 'company-jinling');
    let { revision } = await run(operator, {
      type: 'ReceiveCase',
      data: { caseId, channel: 'hotline_12345', category: 'repair.lift', urgency: 'normal', requestType: 'complaint', description: '电梯经常停在两层之间', location: { compoundId: 'compound-01' }, reporter: { name: '王女士', phone: '13800138000' } },
    });
    ({ revision } = await run(operator, { type: 'DispatchCase', data: { assigneeId: 'company-jinling', tier: 'grid' } }));
    ({ revision } = await run(handler, { type: 'AcceptCase', data: {} }));
    for (let i = 0; revision + 1 < events; i++) ({ revision } = await run(handler, { type: 'AddNote', data: { text: `第${i + 1}次跟进：已联系维保单位，等待配件` } }));
  } finally {
    await app.close();
  }
}

