import { CaseEventType } from '../case.events';
import { CaseState, IntakeDetails } from '../case.state';

/** What every read shows in place of a resident's personal data once it has been erased (PIPL art. 47). */
export const ERASED = '已删除';

/**
 * The fields of each event that a resident provided (their name, phone, home unit, the description in
 * their words, a note quoting them, their rating comment). They are stored encrypted with the case's
 * data key and shown as ERASED once that key is destroyed. Everything else (category, times, units,
 * statuses) stays plain so every statistic survives an erasure. The one table the store, the
 * read models and the migration consult.
 */
export const PERSONAL_DATA_FIELDS: Partial<Record<CaseEventType, readonly string[]>> = {
  CaseReceived: ['description', 'building', 'unit', 'reporterName', 'reporterPhone'],
  CaseNoteAdded: ['text'],
  CaseRated: ['comment'],
};

const FIELDS_BY_TYPE = new Map<string, readonly string[]>(Object.entries(PERSONAL_DATA_FIELDS));
const NONE: readonly string[] = [];

/** The personal fields of an event of this type (none for most). A Map: every event of every read asks. */
export const personalFieldsOf = (type: string): readonly string[] => FIELDS_BY_TYPE.get(type) ?? NONE;

/** The resident's details as a view shows them (before any masking). */
export interface ResidentDetails {
  description: string | null;
  reporter: { name: string | null; phone: string | null; anonymous: boolean } | null;
  building: string | null;
  unit: string | null;
}

/** A resident's text once erased: ERASED where something was given, null where nothing was. */
export const erasedUnlessNull = (value: string | null): string | null => (value === null ? null : ERASED);

/**
 * The intake's details with the resident's texts erased: plain values, no longer the event's
 * (revealed) data, so a state keeps neither the texts nor what could still open them.
 */
export const erasedIntake = (intake: IntakeDetails | null): IntakeDetails | null => intake && {
  description: ERASED, building: erasedUnlessNull(intake.building), unit: erasedUnlessNull(intake.unit),
  reporterName: erasedUnlessNull(intake.reporterName), reporterPhone: erasedUnlessNull(intake.reporterPhone), anonymous: intake.anonymous,
};

/**
 * Reads the intake's personal texts (the one place outside a view's own code that does). An erasure
 * already replaced them (erasedIntake); the building and unit read null once the case moved to
 * another compound.
 */
export function residentDetailsOf(state: CaseState): ResidentDetails {
  const intake = state.intake;
  if (!intake) return { description: null, reporter: null, building: null, unit: null };
  const moved = state.movedFromIntakeAddress;
  return {
    description: intake.description,
    reporter: { name: intake.reporterName, phone: intake.reporterPhone, anonymous: intake.anonymous },
    building: moved ? null : intake.building,
    unit: moved ? null : intake.unit,
  };
}
