import { CaseView } from '@civicloop/cases';
import { ERASED } from '@civicloop/domain';

/**
 * 王女士 → 王**, 孙丽 → 孙*, 孙 → *: the first character only, and only while it is at most half of
 * the name, so a one-character name shows nothing.
 */
const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

export const maskName = (name: string | null) => {
  // What erasure left (已删除) is no resident's data: shown as it is, not masked into a name like 已**.
  if (!name || name === ERASED) return name;
  // user-perceived characters: an emoji family or a letter with its accent is one, not several code points
  const characters = [...graphemes.segment(name)].map((s) => s.segment);
  const shown = characters.length >= 2 ? 1 : 0;
  return `${characters.slice(0, shown).join('')}${'*'.repeat(characters.length - shown)}`;
};

/** A mainland mobile number, with or without +86 and separators. */
const MOBILE = /^(?:86)?(1[3-9]\d{9})$/;

/**
 * Mobile numbers keep the usual first 3 and last 4 (13800138000 → 138****8000); any other number
 * keeps at most its last 4 digits and never more than half of them (84561234 → ****1234), with a
 * fixed run of stars so the length does not show either.
 */
export const maskPhone = (phone: string | null) => {
  if (!phone || phone === ERASED) return phone;
  const digits = phone.replace(/\D/g, '');
  const mobile = MOBILE.exec(digits)?.[1];
  if (mobile) return `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  const kept = Math.min(4, Math.floor(digits.length / 2));
  return `****${kept ? digits.slice(-kept) : ''}`;
};
const maskUnit = (unit: string | null) => (!unit || unit === ERASED ? unit : '***');

export function maskCaseView(view: CaseView): CaseView {
  return {
    ...view,
    reporter: view.reporter && { ...view.reporter, name: maskName(view.reporter.name), phone: maskPhone(view.reporter.phone) },
    location: view.location && { ...view.location, unit: maskUnit(view.location.unit) },
  };
}

export function maskEventData(type: string, data: Record<string, unknown>): Record<string, unknown> {
  if (type !== 'CaseReceived') return data;
  return {
    ...data,
    reporterName: maskName(data.reporterName as string | null),
    reporterPhone: maskPhone(data.reporterPhone as string | null),
    unit: maskUnit(data.unit as string | null),
  };
}
