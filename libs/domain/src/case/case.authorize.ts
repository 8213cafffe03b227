import { Actor, CaseCommand, CaseCommandType } from './case.commands';
import { refuse } from './case.errors';
import { CaseState } from './case.state';
import { ActorRole, CaseStatus, Channel } from './vocabulary';
import { DirectoryView } from '../directory/directory';
import { isWithin } from '../directory/jurisdiction';

/** What an access rule may look at: who asks, what they ask, the case as it stands, the org tree. */
export interface AccessRequest<C = CaseCommand> {
  actor: Actor;
  command: C;
  state: CaseState;
  directory: DirectoryView;
}
type Rule<C = CaseCommand> = (request: AccessRequest<C>) => boolean;
/** A rule that looks only at the case and the actor: serves commands and reads alike. */
type CaseRule = (request: Omit<AccessRequest, 'command'>) => boolean;
type CommandOf<T extends CaseCommandType> = Extract<CaseCommand, { type: T }>;

const anyone: CaseRule = () => true;
const holdsCase: CaseRule = ({ actor, state }) => actor.unitId !== null && actor.unitId === state.assigneeId;
const inMySubtree: CaseRule = ({ actor, state, directory }) =>
  actor.unitId !== null && state.location !== null && isWithin(directory, state.location.compoundId, actor.unitId);
const streetOrAboveOverCase: CaseRule = (request) => {
  const kind = request.actor.unitId === null ? undefined : request.directory.unit(request.actor.unitId)?.kind;
  return (kind === 'street' || kind === 'district') && inMySubtree(request);
};
const streetHoldsCase: CaseRule = (request) => holdsCase(request) && request.state.tier === 'street';
const myOwnCase: CaseRule = ({ actor, state }) => state.residentId !== null && state.residentId === actor.id;
const WITHDRAWABLE: readonly CaseStatus[] = ['received', 'dispatched', 'accepted'];
const myOwnOpenCase: CaseRule = (request) =>
  myOwnCase(request) && request.state.status !== 'none' && WITHDRAWABLE.includes(request.state.status);
const summonedDepartment: Rule<CommandOf<'ReportDepartment' | 'RecordDepartmentAction'>> = ({ actor, command, state }) =>
  actor.unitId !== null && command.data.departmentId === actor.unitId &&
  state.whistles.some((w) => w.whistleId === command.data.whistleId && w.departmentIds.includes(command.data.departmentId));
const patrolInMyArea: Rule<CommandOf<'ReceiveCase'>> = ({ actor, command, directory }) => {
  const kind = actor.unitId === null ? undefined : directory.unit(actor.unitId)?.kind;
  return actor.unitId !== null && (kind === 'grid' || kind === 'community') &&
    isWithin(directory, command.data.location.compoundId, actor.unitId);
};

/**
 * Who may do what to a case, and where: role × jurisdiction × state, one row per command. Deny by
 * default: a role missing from a row may not do it at all (403 ROLE_NOT_ALLOWED); a role whose rule
 * says no is out of scope (403 OUT_OF_SCOPE). The one gate runs this before every decision, again
 * on every retry, whoever calls it (HTTP, worker, simulator, imports).
 */
export const CASE_ACCESS: { [T in CaseCommandType]: Partial<Record<ActorRole, Rule<CommandOf<T>>>> } = {
  ReceiveCase: { resident: anyone, operator: anyone, handler: patrolInMyArea },
  DispatchCase: { operator: anyone },
  RecallDispatch: { operator: anyone },
  TransferCase: { operator: anyone },
  AcceptCase: { handler: holdsCase },
  ReturnCase: { handler: holdsCase },
  ReviewReturn: { operator: anyone },
  AddNote: { handler: holdsCase, operator: anyone },
  RequestExtension: { handler: holdsCase },
  DecideExtension: { supervisor: inMySubtree },
  ResolveCase: { handler: holdsCase },
  EscalateCase: { handler: holdsCase, supervisor: inMySubtree },
  BlowWhistle: { supervisor: streetOrAboveOverCase, handler: streetHoldsCase },
  WithdrawWhistle: { supervisor: streetOrAboveOverCase },
  ReportDepartment: { handler: summonedDepartment },
  RecordDepartmentAction: { handler: summonedDepartment },
  OrderSupervision: { supervisor: inMySubtree },
  AnswerSupervision: { handler: holdsCase },
  RemindCase: { operator: anyone, supervisor: inMySubtree },
  RateCase: { resident: myOwnCase, operator: anyone },
  ReopenCase: { supervisor: inMySubtree, operator: anyone },
  CloseCase: { operator: anyone, resident: myOwnOpenCase },
  MergeCase: { operator: anyone },
  RecordDuplicateMerged: { operator: anyone },
  UnmaskPersonalData: { auditor: anyone },
  ErasePersonalData: { operator: anyone, admin: anyone, system: anyone },
  RecordDeadlineReached: { system: anyone },
  RecordDeadlineRescheduled: { system: anyone },
};

/** Intake channel by role: residents report online, grid staff record patrol findings, operators the rest. */
const CHANNELS_BY_ROLE: Partial<Record<ActorRole, (channel: Channel) => boolean>> = {
  resident: (channel) => channel === 'online',
  handler: (channel) => channel === 'grid_patrol',
  operator: (channel) => channel !== 'grid_patrol',
};

/** Ids a command names inside the case: unknown ones are a 404 before any scope is judged. */
function requireNamedParts(command: CaseCommand, state: CaseState): void {
  if (command.type === 'ReportDepartment' || command.type === 'RecordDepartmentAction' || command.type === 'WithdrawWhistle') {
    if (!state.whistles.some((w) => w.whistleId === command.data.whistleId)) {
      throw refuse.notFound('UNKNOWN_WHISTLE', `no whistle ${command.data.whistleId} on this case`);
    }
  }
  if (command.type === 'AnswerSupervision' && !state.supervisions.some((o) => o.supervisionId === command.data.supervisionId)) {
    throw refuse.notFound('UNKNOWN_SUPERVISION', `no supervision order ${command.data.supervisionId} on this case`);
  }
}

/** Throws a refusal unless `actor` may issue `command` on the case as it stands now. */
export function authorize(command: CaseCommand, state: CaseState, actor: Actor, directory: DirectoryView): void {
  if (command.type !== 'ReceiveCase' && state.status === 'none') throw refuse.notFound('CASE_NOT_FOUND', 'case does not exist');
  const row: Partial<Record<ActorRole, Rule<never>>> = CASE_ACCESS[command.type];
  const rule = row[actor.role] as Rule | undefined;
  if (!rule) throw refuse.forbidden('ROLE_NOT_ALLOWED', `a ${actor.role} may not ${command.type}`);
  if (command.type === 'ReceiveCase' && !(CHANNELS_BY_ROLE[actor.role]?.(command.data.channel) ?? true)) {
    throw refuse.invalid('CHANNEL_NOT_ALLOWED', 'channel', `a ${actor.role} may not take in a case through ${command.data.channel}`);
  }
  requireNamedParts(command, state);
  if (!rule({ actor, command, state, directory })) {
    throw refuse.forbidden('OUT_OF_SCOPE', `this case is outside what ${actor.id} may ${command.type}`);
  }
}

const involvesMyUnit: CaseRule = ({ actor, state }) => actor.unitId !== null && state.involvedUnitIds.includes(actor.unitId);

/**
 * Reads, in the same terms: `case` is one case and its history, chain and dossier; `views` the
 * aggregate views (narrowed to the caller's jurisdiction by the queries); `directory` the org tree.
 */
export const READ_ACCESS: Record<'case' | 'dossier' | 'views' | 'ownCases' | 'directory', Partial<Record<ActorRole, CaseRule>>> = {
  case: { resident: myOwnCase, operator: anyone, handler: involvesMyUnit, supervisor: inMySubtree, auditor: anyone },
  /** The list of the caller's own reported cases (GET /views/my-cases): the query narrows it to the caller. */
  ownCases: { resident: anyone },
  /** The audit dossier of a case (GET /cases/{id}/dossier). */
  dossier: { supervisor: inMySubtree, auditor: anyone },
  views: { operator: anyone, handler: anyone, supervisor: anyone, auditor: anyone },
  directory: {
    resident: anyone, operator: anyone, handler: anyone, supervisor: anyone, auditor: anyone, admin: anyone,
  },
};
export type ReadAccess = keyof typeof READ_ACCESS;

/** Throws a refusal unless `actor` may read what `access` names (`state` for a case, null otherwise). */
export function authorizeRead(access: ReadAccess, state: CaseState | null, actor: Actor, directory: DirectoryView): void {
  const rule = READ_ACCESS[access][actor.role];
  if (!rule) throw refuse.forbidden('ROLE_NOT_ALLOWED', `a ${actor.role} may not read ${access}`);
  if (state && !rule({ actor, state, directory })) {
    throw refuse.forbidden('OUT_OF_SCOPE', `this case is outside what ${actor.id} may read`);
  }
}

/**
 * Residents' personal data (name, phone, exact unit) is shown to operators, to the unit the case is
 * assigned to now, and to the resident who reported it; everyone else, auditors included, sees it
 * masked unless an auditor unmasks it with a recorded reason.
 */
export function maySeePersonalData(actor: Actor, state: CaseState): boolean {
  return actor.role === 'operator' || (state.residentId !== null && state.residentId === actor.id) ||
    (actor.role === 'handler' && actor.unitId !== null && actor.unitId === state.assigneeId);
}
