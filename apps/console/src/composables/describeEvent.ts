import type { HistoryEntry } from '../api/types';
import { formatTime } from './format';
import { i18n } from '../i18n';

type Names = { unitName(id: string | null | undefined): string };

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * One event in words: what happened beyond its type (to whom, why, with what result). Codes inside
 * the data (tiers, reasons, ratings, closure kinds, deadline kinds) go through the catalogue.
 */
export function describeEvent(event: HistoryEntry, names: Names): string {
  const t = i18n.global.t;
  const d = event.data;
  const unit = (key: string) => names.unitName(str(d[key]));
  switch (event.type) {
    case 'CaseReceived': return `${t(`channel.${str(d.channel)}`)} · ${t(`urgency.${str(d.urgency)}`)} · ${t(`requestType.${str(d.requestType)}`)} · ${str(d.description)}`;
    case 'CaseDispatched':
    case 'CaseAccepted': return `${unit('assigneeId')} · ${t(`tier.${str(d.tier)}`)}`;
    case 'CaseReturned': return `${unit('assigneeId')} · ${t(`returnReason.${str(d.reason)}`)}${d.note ? ` · ${str(d.note)}` : ''}`;
    case 'CaseNoteAdded': return str(d.text);
    case 'ExtensionRequested': return `${t('action.until')} ${formatTime(str(d.until))} · ${str(d.reason)}`;
    case 'ExtensionDecided': return `${d.approved ? t('action.approve') : t('action.reject')} · ${formatTime(str(d.until))}${d.note ? ` · ${str(d.note)}` : ''}`;
    case 'CaseResolved': return `${t(`outcome.${str(d.outcome)}`)} · ${str(d.summary)}`;
    case 'CaseEscalated': return `${t(`tier.${str(d.fromTier)}`)} → ${t(`tier.${str(d.toTier)}`)} · ${unit('toAssigneeId')} · ${str(d.reason)}`;
    case 'WhistleBlown': return `${(Array.isArray(d.departmentIds) ? d.departmentIds : []).map((id) => names.unitName(str(id))).join('、')} · ${str(d.reason)}`;
    case 'DepartmentReported': return unit('departmentId');
    case 'DepartmentActed': return `${unit('departmentId')} · ${str(d.action)}`;
    case 'SupervisionOrdered': return `${str(d.reason)}${d.answerBy ? ` · ${formatTime(str(d.answerBy))}` : ''}`;
    case 'SupervisionAnswered': return str(d.answer);
    case 'CaseRated': return `${t(`rating.${str(d.rating)}`)} · ${t(`ratingSource.${str(d.source)}`)}${d.comment ? ` · ${str(d.comment)}` : ''}`;
    case 'CaseReopened': return str(d.reason);
    case 'CaseClosed': return `${t(`closureKind.${str(d.kind)}`)} · ${str(d.reason)}`;
    case 'PersonalDataUnmasked': return str(d.reason);
    case 'PersonalDataErased': return str(d.reason);
    case 'WhistleReportOverdue': return unit('departmentId');
    default: return d.dueAt ? formatTime(str(d.dueAt)) : '';
  }
}

/** Who did it: role and unit in words (the actor's id is an account name, not a label). */
export function describeActor(event: HistoryEntry, names: Names): string {
  const t = i18n.global.t;
  const actor = event.metadata.actor;
  const role = i18n.global.te(`role.${actor.role}`) ? t(`role.${actor.role}`) : t('role.admin');
  return actor.unitId ? `${role}（${names.unitName(actor.unitId)}）` : role;
}
