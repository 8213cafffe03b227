import { DateTime } from 'luxon';
import { ERASED } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';

/** How the dossier names things: the labels operators already use (docs DOMAIN.md, "Words on screen"). */
export const LABELS: Record<string, Record<string, string>> = {
  channel: { hotline_12345: '12345热线', phone: '电话', visit: '来访', mailbox: '信箱', online: '网络', grid_patrol: '网格巡查', joint_meeting: '联席会议' },
  urgency: { normal: '一般', urgent: '紧急', critical: '特急' },
  requestType: { consult: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议' },
  tier: { grid: '网格', community: '社区', street: '街道', district: '区' },
  returnReason: { not_our_jurisdiction: '不属本单位管辖', unclear_ownership: '权属不清', overlapping_remit: '职责交叉', other: '其他' },
  rating: { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' },
  outcome: { resolved: '已解决', explained_not_resolvable: '已解释，暂无法解决' },
  closure: { rated: '评价后结案', withdrawn: '撤诉结案', duplicate: '合并重复工单', rating_window_expired: '回访期满未评价，自动结案' },
  status: { none: '不存在', received: '待派单', dispatched: '待签收', accepted: '办理中', resolved: '已办结', closed: '已结案' },
  role: { resident: '居民', operator: '派单员', handler: '处置人员', supervisor: '督办人员', auditor: '审计人员', admin: '系统' },
};

export const label = (group: string, value: unknown) => LABELS[group]?.[String(value)] ?? String(value ?? '—');

/** Dossier times are read by people in China: Beijing time, to the minute. */
export const beijing = (iso: string | null | undefined) =>
  (iso ? DateTime.fromISO(iso, { zone: 'utc' }).setZone('Asia/Shanghai').toFormat('yyyy-MM-dd HH:mm') : '—');

/**
 * 王女士 → 王**, 13800138000 → 138****8000: the dossier is for auditors, who see personal data masked.
 * What erasure left (已删除) is shown as it is, not masked into a name like 已**.
 */
export const maskName = (name: unknown) => (name === ERASED ? ERASED : typeof name === 'string' && name ? `${[...name][0]}**` : '—');
export const maskPhone = (phone: unknown) => (phone === ERASED ? ERASED : typeof phone === 'string' && phone.length >= 8 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '—');

export type UnitName = (unitId: string | null | undefined) => string;

const str = (value: unknown) => (typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value));

/** One event in words (what happened, not how it is stored). */
export function describeEvent(event: RecordedEvent, unit: UnitName): string {
  const d = event.data;
  switch (event.type) {
    case 'CaseReceived':
      return `经${label('channel', d.channel)}受理${label('requestType', d.requestType)}（${label('urgency', d.urgency)}）：${str(d.description)}`;
    case 'CaseDispatched': return `派单至${unit(str(d.assigneeId))}（${label('tier', d.tier)}层级）`;
    case 'CaseAccepted': return `${unit(str(d.assigneeId))}签收`;
    case 'CaseReturned': return `${unit(str(d.assigneeId))}退单，原因：${label('returnReason', d.reason)}${d.note ? `（${str(d.note)}）` : ''}`;
    case 'CaseNoteAdded': return `办理记录：${str(d.text)}`;
    case 'ExtensionRequested': return `申请延期至 ${beijing(str(d.until))}，理由：${str(d.reason)}`;
    case 'ExtensionDecided': return d.approved ? `延期审批通过，办理时限延至 ${beijing(str(d.until))}` : `延期申请未获批准${d.note ? `：${str(d.note)}` : ''}`;
    case 'CaseResolved': return `办结（${label('outcome', d.outcome)}）：${str(d.summary)}`;
    case 'CaseEscalated':
      return `由${unit(str(d.fromAssigneeId))}（${label('tier', d.fromTier)}）上报至${unit(str(d.toAssigneeId))}（${label('tier', d.toTier)}），原因：${str(d.reason)}`;
    case 'WhistleBlown': return `吹哨，召集${(Array.isArray(d.departmentIds) ? d.departmentIds : []).map((id) => unit(str(id))).join('、')}：${str(d.reason)}`;
    case 'DepartmentReported': return `${unit(str(d.departmentId))}报到`;
    case 'DepartmentActed': return `${unit(str(d.departmentId))}处置：${str(d.action)}`;
    case 'WhistleCompleted': return '吹哨事项全部报到并处置完毕';
    case 'SupervisionOrdered': return `督办：${str(d.reason)}${d.answerBy ? `，要求于 ${beijing(str(d.answerBy))} 前反馈` : ''}`;
    case 'SupervisionAnswered': return `督办反馈：${str(d.answer)}`;
    case 'CaseRated':
      return `${d.source === 'callback' ? '回访' : '居民评价'}：${label('rating', d.rating)}，${d.solved ? '问题已解决' : '问题未解决'}${d.comment ? `（${str(d.comment)}）` : ''}`;
    case 'CaseReopened': return `重办（第 ${str(d.reworkCount)} 次），原因：${str(d.reason)}`;
    case 'CaseClosed': return `结案（${label('closure', d.kind)}）：${str(d.reason)}${d.mergedIntoCaseId ? `，并入工单 ${str(d.mergedIntoCaseId)}` : ''}`;
    case 'PersonalDataUnmasked': return `审计人员查看了居民个人信息，理由：${str(d.reason)}`;
    case 'PersonalDataErased': return `居民个人信息已删除（密钥销毁），理由：${str(d.reason)}`;
    case 'CaseTransferred': return `转办：由${unit(str(d.fromCompoundId))}转至${unit(str(d.toCompoundId))}，原因：${str(d.reason)}`;
    case 'CaseReminded': return `催办${unit(str(d.assigneeId))}：${str(d.note)}`;
    case 'DispatchRecalled': return `撤回派给${unit(str(d.assigneeId))}的工单，原因：${str(d.reason)}`;
    case 'WhistleWithdrawn': return `撤回吹哨，原因：${str(d.reason)}`;
    case 'CaseReturnReviewed': return d.approved ? `退单审核通过，工单待重新派单${d.note ? `（${str(d.note)}）` : ''}` : `退单审核未通过，退回${unit(str(d.assigneeId))}继续办理${d.note ? `（${str(d.note)}）` : ''}`;
    case 'DuplicateMerged': return `重复工单 ${str(d.duplicateCaseId)} 已并入本工单`;
    case 'SupervisionEnded': return `督办结束：${str(d.reason)}`;
    case 'SignForWarned': return `催办：${unit(str(d.assigneeId))}签收即将超期（时限 ${beijing(str(d.dueAt))}）`;
    case 'SignForOverdue': return `${unit(str(d.assigneeId))}签收已超期（应于 ${beijing(str(d.dueAt))} 前签收）`;
    case 'ResolutionWarned': return `催办：${unit(str(d.assigneeId))}办理即将超期（时限 ${beijing(str(d.dueAt))}）`;
    case 'ResolutionOverdue': return `${unit(str(d.assigneeId))}办理已超期（应于 ${beijing(str(d.dueAt))} 前办结）`;
    case 'WhistleReportOverdue': return `${unit(str(d.departmentId))}未按时报到（应于 ${beijing(str(d.dueAt))} 前）`;
    case 'SupervisionAnswerOverdue': return `督办未按时反馈（应于 ${beijing(str(d.dueAt))} 前）`;
    default: return `${event.type}`;
  }
}

/** Who did it, in words: role and unit (the actor id stays in the JSON). */
export function describeActor(event: RecordedEvent, unit: UnitName): string {
  const actor = event.metadata.actor;
  if (!actor) return '—';
  if (actor.id.startsWith('system:')) return '系统（时限监控）';
  return actor.unitId ? `${label('role', actor.role)}（${unit(actor.unitId)}）` : label('role', actor.role);
}
