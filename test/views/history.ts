import { CommandBus } from '@nestjs/cqrs';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { Actor, CaseCommand, CaseState } from '@civicloop/domain';
import { CaseRepository, ExecuteCaseCommand } from '@civicloop/cases';
import {
  addBusinessTime, applyDeadlineFact, initialDeadlineFacts, loadDefaultCalendar, pendingDeadlines, slaPolicyOf, slaTermsFor,
} from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { ManualClock } from '@civicloop/platform';

export interface HistoryOptions {
  seed: number;
  cases: number;
  /** How many cases are in flight at once; more means longer waits between a case's steps. */
  concurrent: number;
}

/**
 * Writes a random but seeded history through the real command path (CommandBus, decider, event
 * store) with a manual clock: intake, wrong dispatches and returns, escalations up the ladder,
 * whistles with department reports and actions, extensions, supervision orders and answers,
 * ratings, reopen after an unsatisfied rating, closure, withdrawal and merging.
 */
export async function writeHistory(bus: CommandBus, cases: CaseRepository, directory: Directory, clock: ManualClock, options: HistoryOptions) {
  const rng = xoroshiro128plus(options.seed);
  const int = (min: number, max: number) => unsafeUniformIntDistribution(min, max, rng);
  const chance = (percent: number) => int(1, 100) <= percent;
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const units = directory.allUnits();
  const compounds = units.filter((u) => u.kind === 'compound');
  const grids = units.filter((u) => u.kind === 'grid');
  const departments = units.filter((u) => u.kind === 'department').map((u) => u.id);
  const categories = directory.allCategories().map((c) => c.code);
  const operator: Actor = { id: 'user-operator-1', role: 'operator', unitId: 'district-qinhuai' };
  const supervisor: Actor = { id: 'user-supervisor-x', role: 'supervisor', unitId: 'district-qinhuai' };
  const unitActor = (unitId: string): Actor => ({ id: `user-${unitId}`, role: 'handler', unitId });
  const calendar = loadDefaultCalendar();
  const policy = slaPolicyOf(undefined, [calendar.id]);
  const scheduler: Actor = { id: 'system:deadlines', role: 'system', unitId: null };
  let commands = 0;
  let refusals = 0;
  let seq = 0;

  const run = async (caseId: string, actor: Actor, command: CaseCommand) => {
    const id = `cmd-${++seq}`;
    try {
      await bus.execute(new ExecuteCaseCommand(caseId, command, { actor, commandId: id, correlationId: id, causationId: id }));
      commands++;
    } catch (error) {
      // The script may ask for something the decider refuses (that is the decider's job); it moves on.
      if ((error as { name?: string }).name !== 'CaseRefused') throw error;
      refusals++;
    }
  };

  const active: string[] = [];
  const closedIds: string[] = [];
  let created = 0;
  /** What the deadline worker would do: record an overdue deadline that has passed (which may escalate). */
  const overdue = async (caseId: string) => {
    const facts = initialDeadlineFacts();
    for (const event of await cases.history(caseId)) applyDeadlineFact(facts, event);
    const now = clock.now().toISOString();
    const due = pendingDeadlines(facts, policy, calendar).find((p) => p.kind.endsWith('_overdue') && p.dueAt <= now);
    if (!due) return false;
    await run(caseId, scheduler, {
      type: 'RecordDeadlineReached',
      data: {
        deadlineId: due.deadlineId, kind: due.kind, dueAt: due.dueAt, policyVersion: due.policyVersion,
        ...(due.whistleId !== undefined && { whistleId: due.whistleId, departmentId: due.departmentId }),
        ...(due.supervisionId !== undefined && { supervisionId: due.supervisionId }),
        ...(due.escalateTo !== undefined && { escalateTo: due.escalateTo }),
      },
    });
    return true;
  };

  const step = async (caseId: string, s: CaseState) => {
    if (!s.location) return;
    const compound = s.location.compoundId;
    if (chance(30) && await overdue(caseId)) return;
    const openSupervision = s.supervisions.find((o) => o.answer === null);
    if (openSupervision && chance(40)) {
      return run(caseId, unitActor(s.assigneeId ?? 'district-qinhuai'), { type: 'AnswerSupervision', data: { supervisionId: openSupervision.supervisionId, answer: 'on it' } });
    }
    if (s.status !== 'closed' && chance(4)) {
      // People choose due dates in working time (a date outside it is refused): the next working moment.
      const answerBy = addBusinessTime(calendar, new Date(clock.now().getTime() + 86_400_000).toISOString(), 0);
      return run(caseId, supervisor, { type: 'OrderSupervision', data: { supervisionId: `sv-${++seq}`, reason: 'stuck', answerBy } });
    }
    if ((s.status === 'dispatched' || s.status === 'accepted') && chance(3)) {
      return run(caseId, supervisor, { type: 'RemindCase', data: { note: 'please hurry' } });
    }
    switch (s.status) {
      case 'received': {
        // A return waits for the dispatch centre's review (退单审核) before anything else.
        if (s.pendingReturn) return run(caseId, operator, { type: 'ReviewReturn', data: { approved: true } });
        if (chance(4)) return run(caseId, operator, { type: 'CloseCase', data: { reason: 'withdrawn by the resident' } });
        if (chance(3) && closedIds.length) return run(caseId, operator, { type: 'MergeCase', data: { intoCaseId: pick(closedIds) } });
        const own = directory.ancestorOfKind(compound, 'grid')!.id;
        const company = directory.unit(compound)!.companyId!;
        // Now and then a unit of another area: the gate refuses it (属地), and the script moves on.
        const assigneeId = chance(10) ? pick(grids).id : chance(50) ? own : company;
        return run(caseId, operator, { type: 'DispatchCase', data: { assigneeId, tier: 'grid' } });
      }
      case 'dispatched': {
        const actor = unitActor(s.assigneeId!);
        const wrong = s.tier === 'grid' && directory.unit(s.assigneeId!)?.kind === 'grid' && !directory.isWithin(compound, s.assigneeId!);
        if (wrong || chance(8)) return run(caseId, actor, { type: 'ReturnCase', data: { reason: 'not_our_jurisdiction', ...(wrong ? { note: 'wrong grid' } : {}) } });
        if (chance(8) && s.tier !== 'district') return run(caseId, actor, { type: 'EscalateCase', data: { reason: 'beyond our means' } });
        return run(caseId, actor, { type: 'AcceptCase', data: {} });
      }
      case 'accepted': {
        const actor = unitActor(s.assigneeId!);
        const open = s.whistles.find((w) => w.completedAt === null);
        if (open) {
          const next = open.departmentIds.find((d) => !open.reportedAt[d]) ?? open.departmentIds.find((d) => !open.actions[d])!;
          return open.reportedAt[next]
            ? run(caseId, unitActor(next), { type: 'RecordDepartmentAction', data: { whistleId: open.whistleId, departmentId: next, action: 'cleared' } })
            : run(caseId, unitActor(next), { type: 'ReportDepartment', data: { whistleId: open.whistleId, departmentId: next } });
        }
        if (s.pendingExtension) return run(caseId, supervisor, { type: 'DecideExtension', data: { approved: chance(60) } });
        if (s.tier === 'street' && s.whistles.length === 0 && chance(50)) {
          const named = [...new Set([pick(departments), pick(departments)])];
          return run(caseId, actor, { type: 'BlowWhistle', data: { whistleId: `w-${++seq}`, departmentIds: named, reason: 'needs departments' } });
        }
        if (chance(12) && s.tier !== 'district') return run(caseId, actor, { type: 'EscalateCase', data: { reason: 'hard matter' } });
        if (chance(8) && !s.extendedUntil) {
          const until = addBusinessTime(calendar, new Date(clock.now().getTime() + int(12, 20) * 86_400_000).toISOString(), 0);
          return run(caseId, actor, { type: 'RequestExtension', data: { until, reason: 'waiting for parts' } });
        }
        if (chance(5)) return run(caseId, actor, { type: 'AddNote', data: { text: 'visited' } });
        return run(caseId, actor, { type: 'ResolveCase', data: { summary: 'fixed', outcome: chance(90) ? 'resolved' : 'explained_not_resolvable' } });
      }
      case 'resolved': {
        if (!s.rating) {
          const rating = pick(['satisfied', 'satisfied', 'basically_satisfied', 'unsatisfied'] as const);
          const resident: Actor = chance(60) ? { id: 'user-resident-1', role: 'resident', unitId: compound } : operator;
          return run(caseId, resident, { type: 'RateCase', data: { rating, solved: rating !== 'unsatisfied' && chance(85) } });
        }
        if ((s.rating.rating === 'unsatisfied' && chance(70)) || chance(3)) {
          return run(caseId, s.rating.rating === 'unsatisfied' ? operator : supervisor, { type: 'ReopenCase', data: { reason: 'not fixed' } });
        }
        return run(caseId, operator, { type: 'CloseCase', data: { reason: 'rated' } });
      }
    }
  };

  while (created < options.cases || active.length > 0) {
    clock.advance(int(1, 40) * 60_000);
    if (created < options.cases && (active.length < options.concurrent || chance(5))) {
      const caseId = `c${String(++created).padStart(4, '0')}`;
      const compound = pick(compounds).id;
      const channel = pick(['hotline_12345', 'phone', 'online', 'grid_patrol', 'visit'] as const);
      const category = pick(categories);
      const urgency = pick(['normal', 'normal', 'urgent', 'critical'] as const);
      // Who takes a case in follows its channel: the grid's patrol, the resident online, the operator otherwise.
      const receiver: Actor = channel === 'grid_patrol' ? unitActor(directory.ancestorOfKind(compound, 'grid')?.id ?? 'grid-111')
        : channel === 'online' ? { id: 'user-resident-1', role: 'resident', unitId: compound } : operator;
      await run(caseId, receiver, {
        type: 'ReceiveCase',
        data: {
          caseId, channel, category, urgency,
          // Most cases carry the terms recorded at intake; the rest fall back to the policy, as old cases do.
          ...(chance(80) ? { sla: slaTermsFor(policy, category, urgency) } : {}),
          requestType: 'help', description: `${pick(['Lift', 'Leak', 'Noise', 'Parking'])} problem #${created} at ${compound}`,
          location: { compoundId: compound }, reporter: { name: '王女士', phone: '13800000000' },
        },
      });
      active.push(caseId);
      continue;
    }
    const index = int(0, active.length - 1);
    const caseId = active[index];
    const { state } = await cases.load(caseId);
    if (state.status === 'closed') {
      active.splice(index, 1);
      closedIds.push(caseId);
      continue;
    }
    await step(caseId, state);
  }
  return { commands, refusals };
}
