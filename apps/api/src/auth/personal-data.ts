import { CaseView } from '@civicloop/cases';

/** 王女士 → 王**: enough for an operator on the phone to recognise, not enough to identify. */
export const maskName = (name: string | null) => (name ? `${[...name][0]}${'*'.repeat(Math.max([...name].length - 1, 1))}` : name);
/** 13800138000 → 138****8000 */
export const maskPhone = (phone: string | null) =>
  phone ? (phone.length >= 8 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****') : phone;
const maskUnit = (unit: string | null) => (unit ? '***' : unit);

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
