import { answer, api, type CommandAnswer } from '../api/client';
import type { CaseView } from '../api/types';
import type { SessionUser } from './useSession';

export type FieldKind =
  | 'text' | 'textarea' | 'returnReason' | 'outcome' | 'rating' | 'departments' | 'datetime' | 'boolean' | 'whistle' | 'supervision'
  | 'compound' | 'mergeTarget';
/** A form field; `optional` ones may stay empty, every other one is checked before the request is sent. */
export interface Field { name: string; label: string; kind: FieldKind; optional?: true }
export type Values = Record<string, string | string[] | boolean>;

export interface CaseAction {
  key: string;
  /** i18n key of the button. */
  label: string;
  fields: Field[];
  send(id: string, v: Values): Promise<CommandAnswer>;
}

const s = (v: Values, key: string) => String(v[key] ?? '');
const iso = (value: string) => new Date(value).toISOString();
const path = (id: string) => ({ path: { id } });

const ACTIONS: Record<string, CaseAction> = {
  accept: { key: 'accept', label: 'action.accept', fields: [], send: (id) => answer(api.POST('/cases/{id}/accept', { params: path(id), body: {} })) },
  return: {
    key: 'return', label: 'action.return', fields: [{ name: 'reason', label: 'action.reason', kind: 'returnReason' }, { name: 'note', label: 'action.text', kind: 'textarea', optional: true }],
    send: (id, v) => answer(api.POST('/cases/{id}/return', { params: path(id), body: { reason: s(v, 'reason') as 'other', note: s(v, 'note') || undefined } })),
  },
  note: { key: 'note', label: 'action.note', fields: [{ name: 'text', label: 'action.text', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/note', { params: path(id), body: { text: s(v, 'text') } })) },
  extension: {
    key: 'extension', label: 'action.extension', fields: [{ name: 'until', label: 'action.until', kind: 'datetime' }, { name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/extension-request', { params: path(id), body: { until: iso(s(v, 'until')), reason: s(v, 'reason') } })),
  },
  extensionDecision: {
    key: 'extensionDecision', label: 'action.extensionDecision', fields: [{ name: 'approved', label: 'action.approve', kind: 'boolean' }, { name: 'note', label: 'action.text', kind: 'textarea', optional: true }],
    send: (id, v) => answer(api.POST('/cases/{id}/extension-decision', { params: path(id), body: { approved: v.approved === true, note: s(v, 'note') || undefined } })),
  },
  resolve: {
    key: 'resolve', label: 'action.resolve', fields: [{ name: 'outcome', label: 'action.outcome', kind: 'outcome' }, { name: 'summary', label: 'action.summary', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/resolve', { params: path(id), body: { outcome: s(v, 'outcome') as 'resolved', summary: s(v, 'summary') } })),
  },
  escalate: {
    key: 'escalate', label: 'action.escalate', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/escalate', { params: path(id), body: { reason: s(v, 'reason') } })),
  },
  whistle: {
    key: 'whistle', label: 'action.whistle', fields: [{ name: 'departmentIds', label: 'action.departments', kind: 'departments' }, { name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/whistle', { params: path(id), body: { departmentIds: Array.isArray(v.departmentIds) ? v.departmentIds : [], reason: s(v, 'reason') } })),
  },
  report: {
    key: 'report', label: 'action.report', fields: [{ name: 'whistleId', label: 'case.whistles', kind: 'whistle' }],
    send: (id, v) => answer(api.POST('/cases/{id}/department-report', { params: path(id), body: { whistleId: s(v, 'whistleId'), departmentId: s(v, 'departmentId') } })),
  },
  act: {
    key: 'act', label: 'action.act', fields: [{ name: 'whistleId', label: 'case.whistles', kind: 'whistle' }, { name: 'action', label: 'action.text', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/department-action', { params: path(id), body: { whistleId: s(v, 'whistleId'), departmentId: s(v, 'departmentId'), action: s(v, 'action') } })),
  },
  supervise: {
    key: 'supervise', label: 'action.supervise', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/supervise', { params: path(id), body: { reason: s(v, 'reason') } })),
  },
  answer: {
    key: 'answer', label: 'action.answer', fields: [{ name: 'supervisionId', label: 'case.supervisions', kind: 'supervision' }, { name: 'answer', label: 'action.answerText', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/supervision-answer', { params: path(id), body: { supervisionId: s(v, 'supervisionId'), answer: s(v, 'answer') } })),
  },
  rate: {
    key: 'rate', label: 'action.rate', fields: [{ name: 'rating', label: 'action.rate', kind: 'rating' }, { name: 'solved', label: 'action.solved', kind: 'boolean' }, { name: 'comment', label: 'action.comment', kind: 'textarea', optional: true }],
    send: (id, v) => answer(api.POST('/cases/{id}/rate', { params: path(id), body: { rating: s(v, 'rating') as 'satisfied', solved: v.solved === true, comment: s(v, 'comment') || undefined } })),
  },
  reopen: { key: 'reopen', label: 'action.reopen', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/reopen', { params: path(id), body: { reason: s(v, 'reason') } })) },
  close: { key: 'close', label: 'action.close', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/close', { params: path(id), body: { reason: s(v, 'reason') } })) },
  merge: { key: 'merge', label: 'action.merge', fields: [{ name: 'intoCaseId', label: 'action.intoCase', kind: 'mergeTarget' }], send: (id, v) => answer(api.POST('/cases/{id}/merge', { params: path(id), body: { intoCaseId: s(v, 'intoCaseId') } })) },
  transfer: {
    key: 'transfer', label: 'action.transfer', fields: [{ name: 'compoundId', label: 'action.toCompound', kind: 'compound' }, { name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/transfer', { params: path(id), body: { compoundId: s(v, 'compoundId'), reason: s(v, 'reason') } })),
  },
  remind: { key: 'remind', label: 'action.remind', fields: [{ name: 'note', label: 'action.text', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/remind', { params: path(id), body: { note: s(v, 'note') } })) },
  recall: { key: 'recall', label: 'action.recall', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/recall', { params: path(id), body: { reason: s(v, 'reason') } })) },
  reviewReturn: {
    key: 'reviewReturn', label: 'action.reviewReturn', fields: [{ name: 'approved', label: 'action.approveReturn', kind: 'boolean' }, { name: 'note', label: 'action.text', kind: 'textarea', optional: true }],
    send: (id, v) => answer(api.POST('/cases/{id}/return-review', { params: path(id), body: { approved: v.approved === true, note: s(v, 'note') || undefined } })),
  },
  withdrawWhistle: {
    key: 'withdrawWhistle', label: 'action.withdrawWhistle', fields: [{ name: 'whistleId', label: 'case.whistles', kind: 'whistle' }, { name: 'reason', label: 'action.reason', kind: 'textarea' }],
    send: (id, v) => answer(api.POST('/cases/{id}/whistle-withdraw', { params: path(id), body: { whistleId: s(v, 'whistleId'), reason: s(v, 'reason') } })),
  },
  unmask: { key: 'unmask', label: 'action.unmask', fields: [{ name: 'reason', label: 'action.reason', kind: 'textarea' }], send: (id, v) => answer(api.POST('/cases/{id}/unmask', { params: path(id), body: { reason: s(v, 'reason') } })) },
};

const open = (c: CaseView) => ['received', 'dispatched', 'accepted'].includes(c.status);
const held = (c: CaseView) => ['dispatched', 'accepted'].includes(c.status);
const openWhistles = (c: CaseView) => c.whistles.filter((w) => w.status === 'open');

/** The dispatch centre's actions, on the same conditions as the decider (libs/domain/src/case/decide). */
function operatorActions(c: CaseView): string[] {
  const keys: string[] = [];
  if (c.status === 'received' && c.pendingReturn) keys.push('reviewReturn');
  if (c.status === 'dispatched' && c.heldBy === 'dispatch') keys.push('recall');
  if (held(c)) keys.push('remind');
  if (open(c) && !c.pendingReturn && openWhistles(c).length === 0) keys.push('transfer');
  if (open(c)) keys.push('note', 'merge');
  if (c.status === 'resolved' && !c.rating) keys.push('rate');
  if (c.status === 'resolved' && c.rating) keys.push('close');
  if (c.status === 'resolved' && c.rating?.rating === 'unsatisfied') keys.push('reopen');
  return keys;
}

/**
 * The actions worth offering this user on this case now, on the rules of the API's access table
 * (libs/domain/src/case/case.authorize.ts) and the decider; `unitKind` is the kind of the user's
 * unit (a whistle is withdrawn by the street or the district). Only a convenience: the API refuses
 * anything else, and a refusal is shown in words.
 */
export function actionsFor(user: SessionUser, c: CaseView, unitKind?: string): CaseAction[] {
  const keys: string[] = [];
  const mine = user.unitId !== null && user.unitId === c.assigneeId;
  const myWhistle = openWhistles(c).find((w) => w.departments.some((d) => d.departmentId === user.unitId));
  switch (user.role) {
    case 'operator':
      keys.push(...operatorActions(c));
      break;
    case 'handler':
      if (mine && c.status === 'dispatched') keys.push('accept', 'return');
      if (mine && c.status === 'accepted') keys.push('resolve', 'extension');
      if (mine && open(c) && c.status !== 'received') keys.push('escalate', 'note');
      if (mine && c.supervisions.some((o) => o.status === 'open')) keys.push('answer');
      if (myWhistle) {
        const me = myWhistle.departments.find((d) => d.departmentId === user.unitId);
        keys.push(me?.reportedAt ? 'act' : 'report');
      }
      break;
    case 'supervisor':
      if (c.status === 'accepted' && c.tier === 'street') keys.push('whistle');
      if (open(c) && openWhistles(c).length > 0 && (unitKind === 'street' || unitKind === 'district')) keys.push('withdrawWhistle');
      if (held(c)) keys.push('escalate', 'remind');
      if (open(c)) keys.push('supervise');
      if (c.extension.pending) keys.push('extensionDecision');
      if (c.status === 'resolved') keys.push('reopen');
      break;
    case 'resident':
      if (c.status === 'resolved' && !c.rating) keys.push('rate');
      break;
    case 'auditor':
      keys.push('unmask');
      break;
    default:
      break;
  }
  return keys.map((k) => ACTIONS[k]);
}
