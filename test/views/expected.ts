import { DateTime } from 'luxon';
import { RecordedEvent } from '@civicloop/event-store';
import {
  addBusinessTime, BusinessCalendar, limitMillis, slaPolicyOf, slaTermsFor,
} from '@civicloop/deadlines';
import { Directory } from '@civicloop/directory';
import { slaTermsAtIntake, SlaTerms } from '@civicloop/domain';

/**
 * The test's own reading of the raw event log: one pass over every event, written without the
 * projection code, giving the facts each view must show. The views are then checked against it.
 */
export interface Limits {
  zone: string;
  terms: (intake: any) => SlaTerms;
  due: (terms: SlaTerms, limit: 'signFor' | 'resolve' | 'whistleReport' | 'dispatch', from: string) => string;
  w: number;
  weights: [number, number, number];
  business: (from: string, to: string) => number;
}

/** Terms and due instants straight from the deadlines library: what the scheduler would fire at. */
export function testSla(calendar: BusinessCalendar) {
  const policy = slaPolicyOf(undefined, [calendar.id]);
  return {
    terms: (intake: any) => slaTermsAtIntake(intake) ?? slaTermsFor(policy, intake.category, intake.urgency),
    due: (terms: SlaTerms, limit: 'signFor' | 'resolve' | 'whistleReport' | 'dispatch', from: string) => terms.calendar === 'wallclock'
      ? new Date(Date.parse(from) + limitMillis(terms[limit] ?? '', 'wallclock', calendar)).toISOString()
      : addBusinessTime(calendar, from, Math.round(limitMillis(terms[limit] ?? '', terms.calendar, calendar))),
  };
}

export function foldHistory(events: RecordedEvent[], directory: Directory, L: Limits) {
  const local = (iso: string) => DateTime.fromISO(iso, { zone: L.zone });
  const periods = (iso: string) => ({ day: local(iso).toISODate()!, week: `${local(iso).weekYear}-W${String(local(iso).weekNumber).padStart(2, '0')}`, month: local(iso).toFormat('yyyy-MM') });
  const up = (unitId: string, kind: string) => directory.ancestorOfKind(unitId, kind as never)?.id ?? null;
  const dept = (unitId: string | null) => (unitId && directory.unit(unitId)?.kind === 'department' ? unitId : null);
  /** attribution=assignee: the street or community a unit belongs to (itself included). */
  const unitIn = (unitId: string | null, kind: 'street' | 'community') => (unitId ? directory.ancestorOfKind(unitId, kind)?.id ?? null : null);

  const cases = new Map<string, any>();  
  const dispatches: any[] = [];  
  const ratings: any[] = [];  
  const rounds: any[] = [];  
  const custody: any[] = [];  
  const whistles: any[] = [];  
  const supervisions: any[] = [];  

  /** The dispatch centre holds a case from intake, a return or a reopen until the next dispatch or closure. */
  const queue = (k: any, at: string) => {
    k.held = { caseId: k.id, unit: 'dispatch-centre', area: k.area, category: k.category, from: at, to: null, end: null, ...periods(at) };
    custody.push(k.held);
  };
  /** The dispatch limit runs from intake, a return or a reopen (terms without one: none). */
  const waitDispatch = (k: any, at: string) => {
    k.dispatchDue = k.terms.dispatch === undefined ? null : L.due(k.terms, 'dispatch', at);
    k.dispatchFlag = false;
  };
  for (const e of events) {
    const id = String(e.metadata.caseId);
    const at = e.metadata.occurredAt;
    const d = e.data as any;  
    if (e.type === 'CaseReceived') {
      const c = directory.unit(d.compoundId)!;
      const area = { compoundId: c.id, gridId: up(c.id, 'grid'), communityId: up(c.id, 'community'), streetId: up(c.id, 'street'), districtId: up(c.id, 'district'), companyId: c.companyId };
      const round = { caseId: id, handler: null, start: at, due: null, resolvedAt: null, closedAt: null, ...periods(at) };
      rounds.push(round);
      cases.set(id, {
        id, area, terms: L.terms(d), signFlag: false, resolveFlag: false, everSign: false, everResolve: false, everDispatch: false, category: d.category, channel: d.channel, urgency: d.urgency, description: d.description, receivedAt: at, ...periods(at),
        status: 'received', tier: null, assignee: null, dispatchedAt: null, signDue: null, signLate: false, resolveLate: false,
        returns: 0, escalations: 0, reworks: 0, reminders: 0, whistles: 0, whistleDepts: new Set(), supervisionsOpen: 0, supervisions: 0, updatedAt: at,
        round, dispatch: null, held: null, steps: [], openWhistles: new Map(),
      });
      queue(cases.get(id), at);
      waitDispatch(cases.get(id), at);
      continue;
    }
    const k = cases.get(id);
    if (e.type !== 'PersonalDataUnmasked') k.updatedAt = at;
    const startHolding = (unit: string, tier: string, via: string, reason: string | null) => {
      k.status = 'dispatched'; k.tier = tier; k.assignee = unit; k.dispatchedAt = at; k.signDue = L.due(k.terms, 'signFor', at); k.signLate = false; k.signFlag = false;
      k.resolveFlag = false; // a new holder: the previous holder's resolution flag is history (everResolve)
      k.dispatch = { caseId: id, unit, area: k.area, category: k.category, at, due: k.signDue, acceptedAt: null, ...periods(at) };
      dispatches.push(k.dispatch);
      k.held = { caseId: id, unit, area: k.area, category: k.category, from: at, to: null, end: null, ...periods(at) };
      custody.push(k.held);
      k.steps.push({ via, tier, assigneeId: unit, from: at, to: null, endedBy: null, escalationReason: reason });
    };
    const stopHolding = (end: string) => {
      if (k.held) Object.assign(k.held, { to: at, end });
      k.held = null;
      k.dispatch = null;
    };
    const endStep = (end: string) => {
      const last = k.steps[k.steps.length - 1];
      if (last && last.to === null) Object.assign(last, { to: at, endedBy: end });
    };
    switch (e.type) {
      case 'SignForOverdue': k.signFlag = true; k.everSign = true; break;
      case 'ResolutionOverdue': k.resolveFlag = true; k.everResolve = true; break;
      case 'DispatchOverdue': k.dispatchFlag = true; k.everDispatch = true; break;
      case 'CaseDispatched': if (k.dispatchDue !== null && at > k.dispatchDue) k.everDispatch = true; stopHolding('dispatched'); startHolding(d.assigneeId, d.tier, 'dispatch', null); break;
      case 'CaseEscalated':
        stopHolding('escalated'); endStep('escalated'); k.escalations++;
        startHolding(d.toAssigneeId, d.toTier, 'escalation', d.reason); break;
      case 'CaseAccepted':
        k.status = 'accepted'; k.signLate = at > k.signDue; k.everSign ||= k.signLate; k.dispatch.acceptedAt = at; k.dispatch = null;
        k.round.due = L.due(k.terms, 'resolve', at); k.resolveFlag = false; break;
      case 'CaseReturnReviewed':
        if (k.lastReturned) k.lastReturned.returnReview = d.approved ? 'approved' : 'rejected';
        k.lastReturned = null; break;
      case 'CaseReturned':
        k.lastReturned = k.dispatch;
        stopHolding('returned'); endStep('returned'); Object.assign(k.steps[k.steps.length - 1], { returnReason: d.reason, returnNote: d.note });
        k.returns++; Object.assign(k, { status: 'received', tier: null, assignee: null, dispatchedAt: null, signDue: null, signLate: false, signFlag: false });
        queue(k, at); waitDispatch(k, at); break;
      case 'ExtensionDecided': if (d.approved) k.round.due = d.until; break;
      case 'CaseReminded': k.reminders++; break;
      case 'CaseResolved':
        stopHolding('resolved'); endStep('resolved'); k.status = 'resolved'; k.resolveLate = k.round.due !== null && at > k.round.due; k.everResolve ||= k.resolveLate;
        Object.assign(k.round, { handler: k.assignee, resolvedAt: at }); break;
      case 'CaseRated':
        ratings.push({ caseId: id, handler: k.assignee, area: k.area, category: k.category, rating: d.rating, solved: d.solved, ...periods(at) }); break;
      case 'CaseReopened':
        endStep('reopened');
        k.round = { caseId: id, handler: null, start: at, due: null, resolvedAt: null, closedAt: null, ...periods(at) };
        rounds.push(k.round);
        Object.assign(k, { status: 'received', tier: null, assignee: null, dispatchedAt: null, signDue: null, signLate: false, resolveLate: false, signFlag: false, resolveFlag: false, reworks: d.reworkCount });
        queue(k, at); waitDispatch(k, at);
        break;
      case 'CaseClosed':
        stopHolding('closed'); endStep('closed'); k.status = 'closed';
        k.round.closedAt = at; k.round.handler ??= k.assignee; break;
      case 'WhistleBlown':
        k.whistles++;
        for (const departmentId of d.departmentIds) {
          k.whistleDepts.add(departmentId);
          const w = { caseId: id, whistleId: d.whistleId, departmentId, area: k.area, reason: d.reason, blownAt: at, due: L.due(k.terms, 'whistleReport', at), reportedAt: null, action: null, actedAt: null, completedAt: null, ...periods(at) };
          whistles.push(w);
        }
        break;
      case 'DepartmentReported': whistles.find((w) => w.caseId === id && w.whistleId === d.whistleId && w.departmentId === d.departmentId).reportedAt = at; break;
      case 'DepartmentActed': Object.assign(whistles.find((w) => w.caseId === id && w.whistleId === d.whistleId && w.departmentId === d.departmentId), { action: d.action, actedAt: at }); break;
      case 'WhistleCompleted': whistles.filter((w) => w.caseId === id && w.whistleId === d.whistleId).forEach((w) => (w.completedAt = at)); break;
      case 'SupervisionOrdered':
        k.supervisionsOpen++; k.supervisions++;
        supervisions.push({ caseId: id, supervisionId: d.supervisionId, orderedByUnitId: e.metadata.actor.unitId, reason: d.reason, orderedAt: at, answerBy: d.answerBy, answer: null, answeredAt: null });
        break;
      case 'SupervisionEnded': k.supervisionsOpen--; break;
      case 'SupervisionAnswered':
        k.supervisionsOpen--;
        Object.assign(supervisions.find((o) => o.caseId === id && o.supervisionId === d.supervisionId), { answer: d.answer, answeredAt: at });
        break;
    }
  }
  return { cases, dispatches, ratings, rounds, custody, whistles, supervisions, L, dept, unitIn, overdueEvents: events.filter((e) => e.type.endsWith('Overdue')).length };
}

export type Folded = ReturnType<typeof foldHistory>;
