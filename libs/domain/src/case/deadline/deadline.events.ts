import { Tier } from '../vocabulary';

/** Every timer the SLA policy sets on a case. Warnings are reminders (催办); overdue marks lateness. */
export const DEADLINE_KINDS = [
  'sign_for_warning', 'sign_for_overdue', 'resolution_warning', 'resolution_overdue',
  'whistle_report_overdue', 'supervision_answer_overdue', 'rating_window_expired',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

type Event<Type extends string, Data extends Record<string, unknown>> = { type: Type; data: Data };
type HandlerDeadline = { deadlineId: string; dueAt: string; assigneeId: string; tier: Tier };

export type SignForWarned = Event<'SignForWarned', HandlerDeadline>;
export type SignForOverdue = Event<'SignForOverdue', HandlerDeadline>;
export type ResolutionWarned = Event<'ResolutionWarned', HandlerDeadline>;
export type ResolutionOverdue = Event<'ResolutionOverdue', HandlerDeadline>;
export type WhistleReportOverdue = Event<'WhistleReportOverdue', {
  deadlineId: string; dueAt: string; whistleId: string; departmentId: string;
}>;
export type SupervisionAnswerOverdue = Event<'SupervisionAnswerOverdue', { deadlineId: string; dueAt: string; supervisionId: string }>;

export type DeadlineEvent =
  | SignForWarned | SignForOverdue | ResolutionWarned | ResolutionOverdue
  | WhistleReportOverdue | SupervisionAnswerOverdue;

export const DEADLINE_EVENT_TYPES: readonly DeadlineEvent['type'][] = [
  'SignForWarned', 'SignForOverdue', 'ResolutionWarned', 'ResolutionOverdue',
  'WhistleReportOverdue', 'SupervisionAnswerOverdue',
];
