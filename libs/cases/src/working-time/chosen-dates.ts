import { Injectable } from '@nestjs/common';
import { foldDeadlineFacts, nextWorkingMoment, WALLCLOCK } from '@civicloop/deadlines';
import { CaseCommand, refuse } from '@civicloop/domain';
import { CalendarRegistry } from '../calendar/calendar-registry';
import { RecordedEvent } from '@civicloop/event-store';

/** The due dates a person chooses on a command: an extension's `until`, a supervision order's `answerBy`. */
function chosenDate(command: CaseCommand): { field: string; iso: string } | null {
  if (command.type === 'RequestExtension') return { field: 'until', iso: command.data.until };
  if (command.type === 'OrderSupervision' && command.data.answerBy) return { field: 'answerBy', iso: command.data.answerBy };
  return null;
}

/**
 * A date a person chooses must fall in working time on the case's calendar (a case on wall-clock
 * terms may choose any time): otherwise 400 naming the field and the next working moment. Kept
 * out of the pure decider, which knows no calendar; the command handler calls it before deciding.
 */
@Injectable()
export class ChosenDatesInWorkingTime {
  constructor(private readonly calendars: CalendarRegistry) {}

  async check(command: CaseCommand, events: readonly RecordedEvent[]): Promise<void> {
    const chosen = chosenDate(command);
    if (!chosen || Number.isNaN(Date.parse(chosen.iso))) return; // a malformed date is the decider's to refuse
    const terms = foldDeadlineFacts([...events]).terms;
    if (terms?.calendar === WALLCLOCK) return;
    const calendar = await this.calendars.fresh();
    const next = nextWorkingMoment(calendar, chosen.iso);
    if (next === null) return;
    throw refuse.invalid('OUTSIDE_WORKING_TIME', chosen.field,
      `${chosen.field} ${chosen.iso} is outside working time on calendar ${calendar.id}; the next working moment is ${next}`);
  }
}
