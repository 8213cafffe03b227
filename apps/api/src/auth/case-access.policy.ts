import { Actor, CaseState, Role } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';

/** What a rule may look at: who asks, the case as it stands (null for intake), the raw body. */
export interface AccessContext {
  actor: Actor;
  state: CaseState | null;
  body: Record<string, unknown>;
  directory: Directory;
}

type Scope = (context: AccessContext) => boolean;

const anywhere: Scope = () => true;
const assignedToMe: Scope = ({ actor, state }) => actor.unitId !== null && actor.unitId === state?.assigneeId;
const withinMySubtree: Scope = ({ actor, state, directory }) =>
  actor.unitId !== null && !!state?.location && directory.isWithin(state.location.compoundId, actor.unitId);
const myOwnCase: Scope = ({ actor, state }) => state?.residentId === actor.id;
const involvesMyUnit: Scope = ({ actor, state }) => actor.unitId !== null && !!state?.involvedUnitIds.includes(actor.unitId);
const myDepartmentSummoned: Scope = ({ actor, state, body }) =>
  actor.unitId !== null && body.departmentId === actor.unitId &&
  !!state?.whistles.some((w) => w.whistleId === body.whistleId && w.departmentIds.includes(actor.unitId!));
const gridPatrolInMyArea: Scope = ({ actor, body, directory }) => {
  const compoundId = (body.location as { compoundId?: unknown } | undefined)?.compoundId;
  const kind = actor.unitId ? directory.unit(actor.unitId)?.kind : undefined;
  return body.channel === 'grid_patrol' && (kind === 'grid' || kind === 'community') &&
    typeof compoundId === 'string' && directory.isWithin(compoundId, actor.unitId!);
};
const withdrawMyOwn: Scope = (context) =>
  myOwnCase(context) && ['received', 'dispatched', 'accepted'].includes(context.state?.status ?? '');

/**
 * Who may do what, and where. Deny by default: a role missing from a row may not do it at all,
 * a role whose scope says no gets a 403. Every endpoint names its row with @Access.
 */
export const CASE_POLICY = {
  receive: { resident: anywhere, operator: anywhere, handler: gridPatrolInMyArea },
  read: { resident: myOwnCase, operator: anywhere, handler: involvesMyUnit, supervisor: withinMySubtree, auditor: anywhere },
  dispatch: { operator: anywhere },
  accept: { handler: assignedToMe },
  return: { handler: assignedToMe },
  note: { handler: assignedToMe, operator: anywhere },
  'extension-request': { handler: assignedToMe },
  'extension-decision': { supervisor: withinMySubtree },
  resolve: { handler: assignedToMe },
  escalate: { handler: assignedToMe, supervisor: withinMySubtree },
  whistle: { supervisor: withinMySubtree },
  'department-report': { handler: myDepartmentSummoned },
  'department-action': { handler: myDepartmentSummoned },
  supervise: { supervisor: withinMySubtree },
  'supervision-answer': { handler: assignedToMe },
  rate: { resident: myOwnCase, operator: anywhere },
  reopen: { supervisor: withinMySubtree, operator: anywhere },
  close: { operator: anywhere, resident: withdrawMyOwn },
  merge: { operator: anywhere },
  unmask: { auditor: anywhere },
  dossier: { auditor: anywhere, supervisor: withinMySubtree },
  directory: { resident: anywhere, operator: anywhere, handler: anywhere, supervisor: anywhere, auditor: anywhere, admin: anywhere },
  views: { operator: anywhere, handler: anywhere, supervisor: anywhere, auditor: anywhere },
} satisfies Record<string, Partial<Record<Role, Scope>>>;

export type AccessRule = keyof typeof CASE_POLICY;

export type Decision = 'allow' | 'role' | 'scope';

export function decideAccess(rule: AccessRule, context: AccessContext): Decision {
  const scope = (CASE_POLICY[rule] as Partial<Record<Role, Scope>>)[context.actor.role];
  if (!scope) return 'role';
  return scope(context) ? 'allow' : 'scope';
}

/**
 * Residents' personal data (name, phone, exact unit) is shown to operators, to the unit the case is
 * assigned to now, and to the resident who reported it; everyone else, auditors included, sees it
 * masked unless an auditor unmasks it with a recorded reason.
 */
export function maySeePersonalData(actor: Actor, state: CaseState): boolean {
  return actor.role === 'operator' || state.residentId === actor.id ||
    (actor.role === 'handler' && actor.unitId !== null && actor.unitId === state.assigneeId);
}
