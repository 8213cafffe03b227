import { Tier } from '../vocabulary';

/** Every timer the SLA policy sets on a case. Warnings are reminders (催办); overdue marks lateness. */
export const DEADLINE_KINDS = [
  'dispatch_warning', 'dispatch_overdue', 'sign_for_warning', 'sign_for_overdue', 'resolution_warning', 'resolution_overdue',
  'whistle_report_overdue', 'supervision_answer_overdue', 'rating_window_expired',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

type Event<Type extends string, Data extends Record<string, unknown>> = { type: Type; data: Data };
type HandlerDeadline = { deadlineId: string; dueAt: string; assigneeId: string; tier: Tier };
/** The dispatch centre's own limit: a case waiting for dispatch has no assignee. */
type QueueDeadline = { deadlineId: string; dueAt: string };

export type DispatchWarned = Event<'DispatchWarned', QueueDeadline>;
export type DispatchOverdue = Event<'DispatchOverdue', QueueDeadline>;

export type SignForWarned = Event<'SignForWarned', HandlerDeadline>;
export type SignForOverdue = Event<'SignForOverdue', HandlerDeadline>;
export type ResolutionWarned = Event<'ResolutionWarned', HandlerDeadline>;
export type ResolutionOverdue = Event<'ResolutionOverdue', HandlerDeadline>;
export type WhistleReportOverdue = Event<'WhistleReportOverdue', {
  deadlineId: string; dueAt: string; whistleId: string; departmentId: string;
}>;
export type SupervisionAnswerOverdue = Event<'SupervisionAnswerOverdue', { deadlineId: string; dueAt: string; supervisionId: string }>;

/**
 * A calendar import moved a pending deadline (the SLA terms stay those of intake; the calendar is a
 * fact about the world and its corrections apply). `calendarVersion` names the year's content.
 */
export type DeadlineRescheduled = Event<'DeadlineRescheduled', {
  deadlineId: string; kind: DeadlineKind; previousDueAt: string; dueAt: string; calendarVersion: string; provisional: boolean;
}>;

export type DeadlineEvent =
  | SignForWarned | SignForOverdue | ResolutionWarned | ResolutionOverdue
  | WhistleReportOverdue | SupervisionAnswerOverdue | DeadlineRescheduled | DispatchWarned | DispatchOverdue;

export const DEADLINE_EVENT_TYPES: readonly DeadlineEvent['type'][] = [
  'SignForWarned', 'SignForOverdue', 'ResolutionWarned', 'ResolutionOverdue',
  'WhistleReportOverdue', 'SupervisionAnswerOverdue', 'DeadlineRescheduled', 'DispatchWarned', 'DispatchOverdue',
];
