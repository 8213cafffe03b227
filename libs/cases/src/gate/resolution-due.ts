import { RecordedEvent } from '@civicloop/event-store';
import { caseSlaView } from '@civicloop/deadlines';

/**
 * When the resolution of a case is due now (its SLA terms, the calendar, an approved extension),
 * null while no resolution limit runs. Extensions must move this later, never earlier.
 */
export function resolutionDueAt(events: readonly RecordedEvent[], policyFile: string | undefined): string | null {
  const due = caseSlaView([...events], policyFile).pendingDeadlines.find((d) => d.kind === 'resolution_overdue');
  return due?.dueAt ?? null;
}
