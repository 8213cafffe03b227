import {
  ActorRole, Channel, Rating, RequestType, ResolutionOutcome, ReturnReason, Tier, Urgency,
} from './vocabulary';
import { DirectoryView } from '../directory/directory';
import { RecordDeadlineReached, RecordDeadlineRescheduled } from './deadline/deadline.command';
import { SlaTerms } from './deadline/sla-terms';
import { CaseState } from './case.state';

type Command<Type extends string, Data> = { type: Type; data: Data };

export type ReceiveCase = Command<'ReceiveCase', {
  caseId: string;
  channel: Channel;
  category: string;
  urgency: Urgency;
  requestType: RequestType;
  description: string;
  location: { compoundId: string; building?: string; unit?: string; lat?: number; long?: number };
  reporter?: { name?: string; phone?: string; anonymous?: boolean };
  /** The SLA terms in force at intake, resolved from the policy by the caller. */
  sla?: SlaTerms;
}>;
export type DispatchCase = Command<'DispatchCase', { assigneeId: string; tier: Tier }>;
export type AcceptCase = Command<'AcceptCase', Record<string, never>>;
export type ReturnCase = Command<'ReturnCase', { reason: ReturnReason; note?: string }>;
export type AddNote = Command<'AddNote', { text: string }>;
export type RequestExtension = Command<'RequestExtension', { until: string; reason: string }>;
export type DecideExtension = Command<'DecideExtension', { approved: boolean; note?: string }>;
export type ResolveCase = Command<'ResolveCase', { summary: string; outcome: ResolutionOutcome }>;
export type EscalateCase = Command<'EscalateCase', { reason: string; assigneeId?: string }>;
export type BlowWhistle = Command<'BlowWhistle', { whistleId: string; departmentIds: string[]; reason: string }>;
export type ReportDepartment = Command<'ReportDepartment', { whistleId: string; departmentId: string }>;
export type RecordDepartmentAction = Command<'RecordDepartmentAction', {
  whistleId: string; departmentId: string; action: string;
}>;
export type OrderSupervision = Command<'OrderSupervision', { supervisionId: string; reason: string; answerBy?: string }>;
export type AnswerSupervision = Command<'AnswerSupervision', { supervisionId: string; answer: string }>;
export type RateCase = Command<'RateCase', { rating: Rating; solved: boolean; comment?: string }>;
export type ReopenCase = Command<'ReopenCase', { reason: string }>;
export type CloseCase = Command<'CloseCase', { reason: string }>;
export type MergeCase = Command<'MergeCase', { intoCaseId: string }>;
export type UnmaskPersonalData = Command<'UnmaskPersonalData', { reason: string }>;
/** Erase the resident's personal data for good (PIPL): the case's data key is destroyed. */
export type ErasePersonalData = Command<'ErasePersonalData', { reason: string }>;
export type TransferCase = Command<'TransferCase', { compoundId: string; reason: string }>;
export type RemindCase = Command<'RemindCase', { note: string }>;
export type RecallDispatch = Command<'RecallDispatch', { reason: string }>;
export type WithdrawWhistle = Command<'WithdrawWhistle', { whistleId: string; reason: string }>;
export type ReviewReturn = Command<'ReviewReturn', { approved: boolean; note?: string }>;
/** The second half of a merge, on the primary: issued by the gate, never by a request. */
export type RecordDuplicateMerged = Command<'RecordDuplicateMerged', { duplicateCaseId: string }>;

export type CaseCommand =
  | ReceiveCase | DispatchCase | AcceptCase | ReturnCase | AddNote | RequestExtension | DecideExtension
  | ResolveCase | EscalateCase | BlowWhistle | ReportDepartment | RecordDepartmentAction
  | OrderSupervision | AnswerSupervision | RateCase | ReopenCase | CloseCase | MergeCase | RecordDeadlineReached
  | UnmaskPersonalData | ErasePersonalData | TransferCase | RemindCase | RecallDispatch | WithdrawWhistle | ReviewReturn | RecordDuplicateMerged
  | RecordDeadlineRescheduled;

export type CaseCommandType = CaseCommand['type'];

export interface Actor {
  id: string;
  role: ActorRole;
  /** The org unit the actor works for; residents have none. */
  unitId: string | null;
}

/** Everything a decision may depend on besides the command and the state: no hidden inputs. */
export interface DecisionContext {
  actor: Actor;
  /** ISO-8601, from the injected clock. */
  now: string;
  directory: DirectoryView;
  /** Merges only: the other case as it stands (the primary for MergeCase, the duplicate for RecordDuplicateMerged). */
  related?: CaseState;
  /** Extensions only: when the resolution is due now (from the SLA policy and calendar), null when no limit runs. */
  resolveDueAt?: string | null;
}
