import { BusinessCalendar, loadDefaultCalendar, loadSlaPolicy, SlaPolicy } from '@civicloop/deadlines';

/** The policy in force and the calendar it counts working time on. */
export interface SlaRules {
  policy: SlaPolicy;
  calendar: BusinessCalendar;
}

export function loadSlaRules(policyFile: string | undefined): SlaRules {
  const calendar = loadDefaultCalendar();
  return { policy: loadSlaPolicy(policyFile, [calendar.id]), calendar };
}
