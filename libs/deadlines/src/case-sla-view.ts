import { BusinessCalendar } from './calendar';
import { loadDefaultCalendar } from './calendar-files';
import { FactEvent, foldDeadlineFacts } from './deadline-facts';
import { PendingDeadline, pendingDeadlines, termsOf } from './pending-deadlines';
import { slaPolicyOf } from './sla-policy';

export interface CaseSlaView {
  /** The policy version recorded at intake (the current one for cases from before SLA terms). */
  policyVersion: string | null;
  calendar: string | null;
  pendingDeadlines: PendingDeadline[];
  /** True when any pending deadline was counted through a provisional or missing calendar year. */
  provisional: boolean;
}

/** What GET /cases/{id} shows: the same computation the scheduler and the reconciler use. */
export function caseSlaView(events: FactEvent[], policyFile: string | undefined, calendar: BusinessCalendar = loadDefaultCalendar()): CaseSlaView {
  const policy = slaPolicyOf(policyFile, [calendar.id]);
  const facts = foldDeadlineFacts(events);
  const terms = termsOf(facts, policy);
  const deadlines = pendingDeadlines(facts, policy, calendar);
  return {
    policyVersion: terms?.policyVersion ?? null,
    calendar: terms?.calendar ?? null,
    pendingDeadlines: deadlines,
    provisional: deadlines.some((d) => d.provisional === true),
  };
}
