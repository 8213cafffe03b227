import { RecordedEvent } from '@civicloop/event-store';
import { BusinessCalendar, caseSlaView } from '@civicloop/deadlines';

/**
 * When the resolution of a case is due now (its SLA terms, the calendar, an approved extension),
 * null while no resolution limit runs. Extensions must move this later, never earlier. `calendar` is
 * the one in force (imported years included), the same the deadline worker counts on.
 */
export function resolutionDueAt(events: readonly RecordedEvent[], policyFile: string | undefined, calendar: BusinessCalendar): string | null {
  const due = caseSlaView([...events], policyFile, calendar).pendingDeadlines.find((d) => d.kind === 'resolution_overdue');
  return due?.dueAt ?? null;
}
