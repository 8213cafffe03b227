import { CaseEventType } from '../case.events';
import { CaseState } from '../case.state';

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

const erasedUnlessNull = (value: string | null) => (value === null ? null : ERASED);

/**
 * Reads the intake's personal texts (the one place outside a view's own code that does): ERASED
 * once the case's data was erased, the building and unit null once the case moved to another compound.
 */
export function residentDetailsOf(state: CaseState): ResidentDetails {
  const intake = state.intake;
  if (!intake) return { description: null, reporter: null, building: null, unit: null };
  const shown = state.personalDataErasedAt === null ? (value: string | null) => value : erasedUnlessNull;
  const moved = state.movedFromIntakeAddress;
  return {
    description: shown(intake.description),
    reporter: { name: shown(intake.reporterName), phone: shown(intake.reporterPhone), anonymous: intake.anonymous },
    building: moved ? null : shown(intake.building),
    unit: moved ? null : shown(intake.unit),
  };
}
