import {
  Actor, CaseCommand, Channel, Rating, ReceiveCase, RequestType, ResolutionOutcome, ReturnReason, Tier, Urgency, nextTier,
} from '@civicloop/domain';
import { addBusinessTime, loadDefaultCalendar } from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { Actors } from './actors';
import { COMPANY_CATEGORIES, hours, PROFILE } from './district-profile';
import { Random } from './random';

/** People choose due dates in working time (the API refuses others): the next working moment at or after `at`. */
const workingMoment = (at: number) => addBusinessTime(loadDefaultCalendar(), new Date(at).toISOString(), 0);

/** What the scheduler is asked to do next for one case: wait, or issue a command now. */
export type Step = { wait: number } | { actor: Actor; command: CaseCommand };

export interface PlannedCase {
  caseId: string;
  arrival: number;
  channel: Channel;
  category: string;
  urgency: Urgency;
  requestType: RequestType;
  compoundId: string;
  description: string;
  reporter: { name: string; phone: string } | null;
  /** Set when this case repeats an earlier report of the same problem. */
  duplicateOf: string | null;
}

export interface World {
  directory: Directory;
  /** What intake records besides the report itself (the SLA terms in force), as the HTTP intake does. */
  intakeTerms(category: string, urgency: Urgency): Partial<ReceiveCase['data']>;
  actors: Actors;
  now(): number;
  newId(): string;
  isOpen(caseId: string): boolean;
}

interface Assignment { unitId: string; tier: Tier }

const wait = (ms: number): Step => ({ wait: ms });
const between = (r: Random, [min, max]: readonly [number, number]) => hours(r.between(min, max));

/**
 * One case's life in the district, from intake to closure, written as the sequence of commands the
 * people involved would issue. Code between two yields runs at the simulated time of the wait.
 */
export function* caseJourney(c: PlannedCase, r: Random, w: World): Generator<Step, void, void> {
  const { actors, directory } = w;
  const operator = actors.operator;
  // Who takes the case in follows the channel: a grid worker's patrol, a resident's own online report, the hotline's operator.
  const resident = c.channel === 'online' ? actors.resident(c.reporter?.phone ?? c.caseId) : null;
  const receiver = c.channel === 'grid_patrol' ? actors.handler(directory.ancestorOfKind(c.compoundId, 'grid')!.id) : resident ?? operator;
  yield {
    actor: receiver,
    command: {
      type: 'ReceiveCase',
      data: {
        caseId: c.caseId, channel: c.channel, category: c.category, urgency: c.urgency, requestType: c.requestType,
        description: c.description,
        location: { compoundId: c.compoundId, building: `${r.int(1, 30)}栋`, unit: `${r.int(1, 6)}单元` },
        reporter: c.channel === 'grid_patrol' ? undefined : c.reporter ?? { anonymous: true },
        ...w.intakeTerms(c.category, c.urgency),
      },
    },
  };
  if (c.duplicateOf) {
    yield wait(hours(r.between(0.1, 2)));
    if (w.isOpen(c.duplicateOf)) {
      yield { actor: operator, command: { type: 'MergeCase', data: { intoCaseId: c.duplicateOf } } };
      return;
    }
  }
  if (r.chance(PROFILE.withdrawn)) {
    yield wait(hours(r.between(0.5, 24)));
    yield { actor: operator, command: { type: 'CloseCase', data: { reason: '居民来电撤回：问题已自行解决' } } };
    return;
  }
  let satisfactionPenalty = 0;
  for (let rework = 0; ; rework++) {
    const receivedAt = w.now();
    let assignment = firstAssignment(c, r, directory);
    yield wait(c.urgency === 'normal' ? hours(r.between(0.1, 2)) : hours(r.between(0.02, 0.3)));
    yield dispatch(operator, assignment);
    for (let returns = 0; returns < 2 && r.chance(returns === 0 ? PROFILE.returnOnFirstDispatch : PROFILE.returnOnRedispatch); returns++) {
      yield wait(hours(r.between(0.5, 6)));
      const reason: ReturnReason = r.weighted({ not_our_jurisdiction: 5, unclear_ownership: 3, overlapping_remit: 2, other: 1 });
      yield { actor: actors.handler(assignment.unitId), command: { type: 'ReturnCase', data: { reason, note: '非本单位职责范围' } } };
      satisfactionPenalty += 0.08;
      assignment = otherAssignment(c, assignment, directory);
      yield wait(hours(r.between(0.1, 1)));
      yield { actor: operator, command: { type: 'ReviewReturn', data: { approved: true, note: '退单理由成立，重新派单' } } };
      yield wait(hours(r.between(0.1, 1)));
      yield dispatch(operator, assignment);
    }
    yield wait(signForDelay(r, c.urgency));
    yield { actor: actors.handler(assignment.unitId), command: { type: 'AcceptCase', data: {} } };

    for (let tier = assignment.tier; r.chance(PROFILE.escalation[tier]); tier = nextTier(tier)!) {
      yield wait(hours(r.between(2, 48)));
      yield { actor: actors.handler(assignment.unitId), command: { type: 'EscalateCase', data: { reason: '本级无法解决，申请上级协调' } } };
      satisfactionPenalty += 0.06;
      const upper = nextTier(tier)!;
      assignment = { tier: upper, unitId: directory.ancestorOfKind(c.compoundId, upper)!.id };
      yield wait(signForDelay(r, c.urgency));
      yield { actor: actors.handler(assignment.unitId), command: { type: 'AcceptCase', data: {} } };
      if (upper === 'street' && r.chance(PROFILE.whistleAtStreet)) yield* whistle(c, r, w, assignment);
    }
    const handler = actors.handler(assignment.unitId);
    if (r.chance(PROFILE.note)) {
      yield wait(hours(r.between(0.5, 12)));
      yield { actor: handler, command: { type: 'AddNote', data: { text: '已上门查看，正在协调维修' } } };
    }
    let promised = receivedAt + hours(PROFILE.promisedHours[c.urgency]);
    let work = between(r, PROFILE.workHours[c.urgency]);
    if (r.chance(PROFILE.extension)) {
      yield wait(Math.round(work / 3));
      // Later than the resolution deadline (7 working days from acceptance, up to ~15 calendar days over a holiday),
      // at a working moment (a date outside working time is refused).
      const until = Date.parse(workingMoment(w.now() + hours(r.between(16 * 24, 28 * 24))));
      yield { actor: handler, command: { type: 'RequestExtension', data: { until: new Date(until).toISOString(), reason: '需采购配件，工期较长' } } };
      yield wait(hours(r.between(1, 24)));
      const approved = r.chance(PROFILE.extensionApproved);
      yield {
        actor: actors.supervisorFor(c.compoundId, assignment.tier === 'district'),
        command: { type: 'DecideExtension', data: { approved, note: approved ? '同意延期' : '请按期办结' } },
      };
      if (approved) {
        promised = until;
        work += hours(r.between(24, 120));
      }
    }
    const late = w.now() + work > promised;
    if (r.chance(late ? PROFILE.supervision * 4 : PROFILE.supervision)) yield* supervision(c, r, w, assignment, handler);
    yield wait(Math.max(hours(0.5), receivedAt + work - w.now()));
    const outcome: ResolutionOutcome = c.category !== 'consult.policy' && r.chance(PROFILE.explainedNotResolvable)
      ? 'explained_not_resolvable' : 'resolved';
    yield { actor: handler, command: { type: 'ResolveCase', data: { summary: outcome === 'resolved' ? '已处理完毕' : '已向居民解释政策，暂无法解决', outcome } } };
    const resolvedLate = w.now() > promised;

    if (!r.chance(PROFILE.rated)) return; // nobody rates: the rating window closes it
    yield wait(hours(r.between(2, 72)));
    const rating = rate(r, satisfactionPenalty + (resolvedLate ? 0.12 : 0) + (outcome === 'resolved' ? 0 : 0.25) + rework * 0.1);
    // Residents rate the cases they reported themselves; every other rating is the operator's callback (回访).
    const rater = resident && r.chance(PROFILE.ratedByResident) ? resident : operator;
    yield { actor: rater, command: { type: 'RateCase', data: { rating, solved: outcome === 'resolved' && rating !== 'unsatisfied' } } };
    if (rating === 'unsatisfied' && rework < PROFILE.maxRework && r.chance(PROFILE.reopenAfterUnsatisfied)) {
      yield wait(hours(r.between(1, 24)));
      yield { actor: operator, command: { type: 'ReopenCase', data: { reason: '居民不满意，重新办理' } } };
      continue;
    }
    yield wait(hours(r.between(1, 48)));
    yield { actor: operator, command: { type: 'CloseCase', data: { reason: '回访完成，结案' } } };
    return;
  }
}

function signForDelay(r: Random, urgency: Urgency): number {
  return between(r, r.chance(PROFILE.slowSignFor) ? PROFILE.slowSignForHours : PROFILE.signForHours[urgency]);
}

function dispatch(operator: Actor, to: Assignment): Step {
  return { actor: operator, command: { type: 'DispatchCase', data: { assigneeId: to.unitId, tier: to.tier } } };
}

function firstAssignment(c: PlannedCase, r: Random, directory: Directory): Assignment {
  if (c.category === 'consult.policy' || r.chance(PROFILE.dispatchToCommunity)) {
    return { tier: 'community', unitId: directory.ancestorOfKind(c.compoundId, 'community')!.id };
  }
  if (COMPANY_CATEGORIES.has(c.category)) return { tier: 'grid', unitId: directory.unit(c.compoundId)!.companyId! };
  return { tier: 'grid', unitId: directory.ancestorOfKind(c.compoundId, 'grid')!.id };
}

/** After a return the operator tries the other party of the compound: company ↔ grid, community → grid. */
function otherAssignment(c: PlannedCase, previous: Assignment, directory: Directory): Assignment {
  const companyId = directory.unit(c.compoundId)!.companyId!;
  const gridId = directory.ancestorOfKind(c.compoundId, 'grid')!.id;
  return { tier: 'grid', unitId: previous.unitId === gridId ? companyId : gridId };
}

function rate(r: Random, penalty: number): Rating {
  const satisfied = Math.max(0.2, 0.93 - penalty);
  if (!r.chance(satisfied)) return 'unsatisfied';
  return r.chance(0.75) ? 'satisfied' : 'basically_satisfied';
}

/** The street whistles; each named department reports, then acts, on its own timetable. */
function* whistle(c: PlannedCase, r: Random, w: World, at: Assignment): Generator<Step, void, void> {
  const whistleId = w.newId();
  const defaults = w.directory.category(c.category)?.defaultDepartmentIds ?? [];
  const others = w.directory.allUnits().filter((u) => u.kind === 'department' && !defaults.includes(u.id)).map((u) => u.id);
  const count = r.weighted({ 1: 5, 2: 3, 3: 2 } as Record<string, number>);
  const departmentIds = [...r.sample(defaults, Number(count)), ...r.sample(others, Math.max(0, Number(count) - defaults.length))];
  yield wait(hours(r.between(1, 24)));
  yield { actor: w.actors.handler(at.unitId), command: { type: 'BlowWhistle', data: { whistleId, departmentIds, reason: '涉及多部门职责，吹哨请相关部门报到' } } };
  const start = w.now();
  const moves = departmentIds.flatMap((departmentId) => {
    const reportAt = start + between(r, r.chance(PROFILE.lateReport) ? PROFILE.lateReportHours : PROFILE.reportHours);
    return [
      { at: reportAt, departmentId, command: { type: 'ReportDepartment', data: { whistleId, departmentId } } as CaseCommand },
      { at: reportAt + hours(r.between(4, 72)), departmentId, command: { type: 'RecordDepartmentAction', data: { whistleId, departmentId, action: '已到场联合处置' } } as CaseCommand },
    ];
  }).sort((a, b) => a.at - b.at);
  for (const move of moves) {
    yield wait(Math.max(0, move.at - w.now()));
    yield { actor: w.actors.handler(move.departmentId), command: move.command };
  }
}

/** A supervisor orders supervision on a slow case; the handler answers, sometimes after the answer-by time. */
function* supervision(c: PlannedCase, r: Random, w: World, at: Assignment, handler: Actor): Generator<Step, void, void> {
  const supervisionId = w.newId();
  yield wait(hours(r.between(12, 72)));
  const answerBy = Date.parse(workingMoment(w.now() + hours(48)));
  yield {
    actor: w.actors.supervisorFor(c.compoundId, at.tier === 'district'),
    command: { type: 'OrderSupervision', data: { supervisionId, reason: '群众反映强烈，请加快办理', answerBy: new Date(answerBy).toISOString() } },
  };
  yield wait(r.chance(PROFILE.lateSupervisionAnswer) ? hours(r.between(50, 90)) : hours(r.between(2, 40)));
  yield { actor: handler, command: { type: 'AnswerSupervision', data: { supervisionId, answer: '已督促落实，预计近期办结' } } };
}
