import { Duration } from 'luxon';
import { DeadlineKind, SlaTerms, Tier } from '@civicloop/domain';
import { addBusinessTime, BusinessCalendar, workingDayMillis } from './calendar';
import { countedOnProvisional } from './calendar-years';
import { DeadlineFacts } from './deadline-facts';
import { escalationTarget, SlaPolicy, slaTermsFor, WALLCLOCK } from './sla-policy';

export interface PendingDeadline {
  /** `<kind>[.<whistle>.<department> | .<supervision>]@<revision that set it>`: unique per case. */
  deadlineId: string;
  kind: DeadlineKind;
  dueAt: string;
  setAtRevision: number;
  policyVersion: string;
  whistleId?: string;
  departmentId?: string;
  supervisionId?: string;
  escalateTo?: Tier | null;
  /** Counted through a year whose State Council arrangement is not imported yet: it may still move. */
  provisional?: true;
}

/**
 * A limit in milliseconds of the time it is counted in. On a business calendar a day ("P1D") is
 * one working day (a week five) and hours are working hours; in wall-clock time a day is 24 hours.
 */
export function limitMillis(iso: string, calendarId: string, calendar: BusinessCalendar): number {
  const duration = Duration.fromISO(iso);
  if (calendarId === WALLCLOCK) return duration.toMillis();
  // Components as written: PT24H stays 24 working hours, it does not become one working day.
  const { weeks, days, hours, minutes, seconds, milliseconds } = duration;
  const timePart = ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds;
  return (weeks * 5 + days) * workingDayMillis(calendar) + timePart;
}

interface Due {
  dueAt: string;
  provisional: boolean;
}

function addLimit(terms: SlaTerms, calendar: BusinessCalendar, fromIso: string, ms: number): Due {
  if (terms.calendar === WALLCLOCK) return { dueAt: new Date(Date.parse(fromIso) + ms).toISOString(), provisional: false };
  const dueAt = addBusinessTime(calendar, fromIso, Math.round(ms));
  return { dueAt, provisional: countedOnProvisional(calendar, fromIso, dueAt) };
}

/** A date a person chose (an approved extension, a supervision order's answerBy) is not counted: never provisional. */
const chosen = (dueAt: string): Due => ({ dueAt, provisional: false });

/** The terms a case runs on: those recorded at intake; cases from before SLA terms get the current policy's. */
export function termsOf(facts: DeadlineFacts, policy: SlaPolicy): SlaTerms | null {
  if (facts.terms) return facts.terms;
  if (!facts.category || !facts.urgency) return null;
  return slaTermsFor(policy, facts.category, facts.urgency);
}

/**
 * Every deadline still waiting on this case, earliest first. The scheduler, the reconciler and
 * GET /cases/{id} all read this one function, so what is shown is what will fire.
 */
export function pendingDeadlines(facts: DeadlineFacts, policy: SlaPolicy, calendar: BusinessCalendar): PendingDeadline[] {
  const terms = termsOf(facts, policy);
  if (!terms || facts.status === 'closed' || facts.status === 'none') return [];
  const limit = (name: 'signFor' | 'resolve' | 'whistleReport' | 'supervisionAnswer' | 'ratingWindow') =>
    limitMillis(terms[name], terms.calendar, calendar);
  const out: PendingDeadline[] = [];
  const add = (kind: DeadlineKind, setAtRevision: number, due: Due, scope: string[] = [], extra: Partial<PendingDeadline> = {}) => {
    const deadlineId = `${[kind, ...scope].join('.')}@${setAtRevision}`;
    if (facts.reached.has(deadlineId)) return;
    out.push({
      deadlineId, kind, dueAt: due.dueAt, setAtRevision, policyVersion: terms.policyVersion, ...extra,
      ...(due.provisional && { provisional: true as const }),
    });
  };

  if (facts.status === 'received' && facts.dispatch && terms.dispatch) {
    const { at, revision } = facts.dispatch;
    const dispatchLimit = limitMillis(terms.dispatch, terms.calendar, calendar);
    add('dispatch_warning', revision, addLimit(terms, calendar, at, dispatchLimit * terms.warnAt));
    add('dispatch_overdue', revision, addLimit(terms, calendar, at, dispatchLimit));
  }
  if (facts.status === 'dispatched' && facts.signFor) {
    const { at, revision } = facts.signFor;
    add('sign_for_warning', revision, addLimit(terms, calendar, at, limit('signFor') * terms.warnAt));
    add('sign_for_overdue', revision, addLimit(terms, calendar, at, limit('signFor')));
  }
  if (facts.status === 'accepted' && facts.resolve) {
    const { at, revision, extendedUntil } = facts.resolve;
    const escalateTo = facts.tier ? escalationTarget(terms, facts.tier) : null;
    if (!extendedUntil) add('resolution_warning', revision, addLimit(terms, calendar, at, limit('resolve') * terms.warnAt));
    add('resolution_overdue', revision, extendedUntil ? chosen(extendedUntil) : addLimit(terms, calendar, at, limit('resolve')), [], { escalateTo });
  }
  for (const w of facts.whistles) {
    if (w.completed) continue;
    const dueAt = addLimit(terms, calendar, w.at, limit('whistleReport'));
    for (const departmentId of w.departmentIds) {
      if (w.reported.includes(departmentId)) continue;
      add('whistle_report_overdue', w.revision, dueAt, [w.whistleId, departmentId], { whistleId: w.whistleId, departmentId });
    }
  }
  for (const o of facts.supervisions) {
    if (o.answered) continue;
    const dueAt = o.answerBy ? chosen(o.answerBy) : addLimit(terms, calendar, o.at, limit('supervisionAnswer'));
    add('supervision_answer_overdue', o.revision, dueAt, [o.supervisionId], { supervisionId: o.supervisionId });
  }
  if (facts.status === 'resolved' && facts.ratingWindow) {
    add('rating_window_expired', facts.ratingWindow.revision, addLimit(terms, calendar, facts.ratingWindow.at, limit('ratingWindow')));
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}
