import { loadDefaultCalendar } from './calendar';
import { FactEvent, foldDeadlineFacts } from './deadline-facts';
import { PendingDeadline, pendingDeadlines, termsOf } from './pending-deadlines';
import { slaPolicyOf } from './sla-policy';

export interface CaseSlaView {
  /** The policy version recorded at intake (the current one for cases from before SLA terms). */
  policyVersion: string | null;
  calendar: string | null;
  pendingDeadlines: PendingDeadline[];
}

/** What GET /cases/{id} shows: the same computation the scheduler and the reconciler use. */
export function caseSlaView(events: FactEvent[], policyFile: string | undefined): CaseSlaView {
  const calendar = loadDefaultCalendar();
  const policy = slaPolicyOf(policyFile, [calendar.id]);
  const facts = foldDeadlineFacts(events);
  const terms = termsOf(facts, policy);
  return {
    policyVersion: terms?.policyVersion ?? null,
    calendar: terms?.calendar ?? null,
    pendingDeadlines: pendingDeadlines(facts, policy, calendar),
  };
}
