import { BusinessCalendar, loadDefaultCalendar, loadSlaPolicy, SlaPolicy } from '@civicloop/deadlines';

/** The policy in force and the calendar it counts working time on. */
export interface SlaRules {
  policy: SlaPolicy;
  /** Read at each use: an imported calendar year takes effect without a restart. */
  readonly calendar: BusinessCalendar;
}

/** `calendars` is the CalendarRegistry of a running worker; without it, the shipped calendar. */
export function loadSlaRules(policyFile: string | undefined, calendars?: { readonly calendar: BusinessCalendar }): SlaRules {
  const shipped = loadDefaultCalendar();
  const policy = loadSlaPolicy(policyFile, [shipped.id]);
  return {
    policy,
    get calendar() {
      return calendars?.calendar ?? shipped;
    },
  };
}
