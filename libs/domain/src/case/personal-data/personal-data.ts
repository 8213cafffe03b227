import { CaseEventType } from '../case.events';

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

/** The personal fields of an event of this type (none for most). */
export const personalFieldsOf = (type: string): readonly string[] =>
  (PERSONAL_DATA_FIELDS as Partial<Record<string, readonly string[]>>)[type] ?? [];
