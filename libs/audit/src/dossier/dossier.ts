import { CaseEvent, evolve, initialCaseState } from '@civicloop/domain';
import { RecordedEvent } from '@civicloop/event-store';
import { AuditStore } from '../audit-store';
import { contentHash, storedHash, storedPrevHash } from '../event-hash';
import { inclusionProof, verifyInclusion } from '../merkle';
import { checkpointSignatureValid, SignedCheckpoint } from '../signing';
import { Break, classifyStream } from '../verify/classify-break';
import { beijing, describeActor, describeEvent, label, maskName, maskPhone, UnitName } from './words';

export interface DossierEventProof {
  revision: number;
  position: number;
  hash: string | null;
  prevHash: string | null;
  /** The event as stored now still has the hash it was written with. */
  hashMatches: boolean;
  /** Its place in the global tree, and the RFC 6962 audit path to the checkpoint's root; null when not yet covered. */
  leafIndex: number | null;
  inclusionPath: string[] | null;
  provenInCheckpoint: boolean;
}

export interface Dossier {
  caseId: string;
  generatedAt: string;
  summary: { status: string; channel: string; category: string; urgency: string; requestType: string; description: string;
    compound: string; reporter: string; receivedAt: string | null; closedAt: string | null };
  timeline: { revision: number; at: string; actor: string; actorId: string; type: string; text: string }[];
  escalationChain: { via: string; tier: string; unit: string; from: string; to: string | null; endedBy: string | null }[];
  deadlines: { missed: { what: string; dueAt: string; recordedAt: string }[]; warned: { what: string; dueAt: string; recordedAt: string }[];
    pending: { kind: string; dueAt: string }[] };
  ratings: { at: string; rating: string; solved: boolean; comment: string | null; source: string }[];
  unmaskings: { at: string; auditor: string; reason: string }[];
  proof: {
    streamId: string;
    chainIntact: boolean;
    firstBreak: Break | null;
    checkpoint: (Pick<SignedCheckpoint, 'treeSize' | 'rootHash' | 'signedAt' | 'publicKey' | 'signature'> & { signedAtBeijing: string; signatureValid: boolean }) | null;
    eventsProven: number;
    events: DossierEventProof[];
  };
}

export interface DossierInput {
  caseId: string;
  /** The history as readers see it (personal data decrypted, or 已删除 once erased). */
  events: RecordedEvent[];
  /** The same events as stored (ciphertext), which the hashes cover; `events` when they are the same. */
  storedEvents?: RecordedEvent[];
  audit: AuditStore | null;
  unitName: UnitName;
  /** The catalogue's name for a category code (派单目录); the code itself when unknown. */
  categoryName?: (code: string) => string;
  generatedAt: string;
  /** Deadlines still running (from libs/deadlines, which the caller has configured). */
  pending?: { kind: string; dueAt: string }[];
}

const DEADLINE_WORDS: Record<string, string> = {
  SignForOverdue: '签收超期', ResolutionOverdue: '办理超期', WhistleReportOverdue: '吹哨报到超期', SupervisionAnswerOverdue: '督办反馈超期',
  SignForWarned: '签收即将超期', ResolutionWarned: '办理即将超期',
};
const PENDING_WORDS: Record<string, string> = {
  sign_for_warning: '签收预警', sign_for_overdue: '签收时限', resolution_warning: '办理预警', resolution_overdue: '办理时限',
  whistle_report_overdue: '吹哨报到时限', supervision_answer_overdue: '督办反馈时限', rating_window_expired: '回访期限',
};

/** Everything an auditor reads about one case, from its events and the audit tree. */
export function buildDossier({
  caseId, events, storedEvents = events, audit, unitName, categoryName = (code) => code, generatedAt, pending = [],
}: DossierInput): Dossier {
  const received = events.find((e) => e.type === 'CaseReceived');
  const closed = [...events].reverse().find((e) => e.type === 'CaseClosed');
  const d = received?.data ?? {};
  const at = (e: RecordedEvent) => beijing(e.metadata.occurredAt);
  return {
    caseId,
    generatedAt: beijing(generatedAt),
    summary: {
      status: label('status', statusOf(events)), channel: label('channel', d.channel), category: typeof d.category === 'string' ? categoryName(d.category) : '—',
      urgency: label('urgency', d.urgency), requestType: label('requestType', d.requestType), description: String(d.description ?? ''),
      compound: unitName(typeof d.compoundId === 'string' ? d.compoundId : null),
      reporter: d.anonymous ? '匿名' : `${maskName(d.reporterName)} ${maskPhone(d.reporterPhone)}`,
      receivedAt: received ? at(received) : null, closedAt: closed ? at(closed) : null,
    },
    timeline: events.map((e) => ({
      revision: e.revision, at: at(e), actor: describeActor(e, unitName), actorId: e.metadata.actor?.id ?? '', type: e.type, text: describeEvent(e, unitName),
    })),
    escalationChain: escalationChain(events, unitName),
    deadlines: {
      missed: events.filter((e) => e.type.endsWith('Overdue')).map((e) => deadlineLine(e, unitName)),
      warned: events.filter((e) => e.type.endsWith('Warned')).map((e) => deadlineLine(e, unitName)),
      pending: pending.map((p) => ({ kind: PENDING_WORDS[p.kind] ?? p.kind, dueAt: beijing(p.dueAt) })),
    },
    ratings: events.filter((e) => e.type === 'CaseRated').map((e) => ({
      at: at(e), rating: label('rating', e.data.rating), solved: e.data.solved === true,
      comment: typeof e.data.comment === 'string' ? e.data.comment : null, source: e.data.source === 'callback' ? '回访' : '居民评价',
    })),
    unmaskings: events.filter((e) => e.type === 'PersonalDataUnmasked').map((e) => ({
      at: at(e), auditor: e.metadata.actor?.id ?? '—', reason: String(e.data.reason ?? ''),
    })),
    proof: proofOf(`case-${caseId}`, storedEvents, audit),
  };
}

/** The status as the domain folds it (the same evolve the write path uses). */
function statusOf(events: RecordedEvent[]): string {
  return events.reduce((state, e) => evolve(state, e as unknown as CaseEvent, e.metadata.occurredAt), initialCaseState()).status;
}

function deadlineLine(e: RecordedEvent, unitName: UnitName) {
  const whom = e.data.assigneeId ?? e.data.departmentId;
  return {
    what: `${DEADLINE_WORDS[e.type] ?? e.type}${typeof whom === 'string' ? `（${unitName(whom)}）` : ''}`,
    dueAt: beijing(String(e.data.dueAt ?? '')), recordedAt: beijing(e.metadata.occurredAt),
  };
}

/** Who held the case, tier by tier: each dispatch or escalation opens a step, a return, escalation or closing ends it. */
function escalationChain(events: RecordedEvent[], unitName: UnitName): Dossier['escalationChain'] {
  const steps: Dossier['escalationChain'] = [];
  const end = (at: string, how: string) => {
    const open = steps[steps.length - 1];
    if (open && open.to === null) Object.assign(open, { to: at, endedBy: how });
  };
  for (const e of events) {
    const at = beijing(e.metadata.occurredAt);
    const d = e.data;
    if (e.type === 'CaseDispatched') {
      end(at, '重新派单');
      steps.push({ via: '派单', tier: label('tier', d.tier), unit: unitName(String(d.assigneeId)), from: at, to: null, endedBy: null });
    } else if (e.type === 'CaseEscalated') {
      end(at, '上报');
      steps.push({ via: '上报', tier: label('tier', d.toTier), unit: unitName(String(d.toAssigneeId)), from: at, to: null, endedBy: null });
    } else if (e.type === 'CaseReturnReviewed' && d.approved === false) {
      steps.push({ via: '退回办理', tier: label('tier', d.tier), unit: unitName(String(d.assigneeId)), from: at, to: null, endedBy: null });
    } else if (e.type === 'CaseReturned') end(at, '退单');
    else if (e.type === 'DispatchRecalled') end(at, '撤回');
    else if (e.type === 'CaseTransferred') end(at, '转办');
    else if (e.type === 'CaseResolved') end(at, '办结');
    else if (e.type === 'CaseClosed') end(at, '结案');
  }
  return steps;
}

function proofOf(streamId: string, events: RecordedEvent[], audit: AuditStore | null): Dossier['proof'] {
  const firstBreak = classifyStream(events);
  const checkpoint = audit?.latestCheckpoint() ?? null;
  const leaves = new Map((audit?.leavesOf(streamId) ?? []).map((l) => [l.revision, l]));
  const proofs = events.map((e): DossierEventProof => {
    const now = contentHash(e);
    const hash = storedHash(e) ?? null;
    const leaf = leaves.get(e.revision);
    const covered = audit !== null && checkpoint !== null && leaf !== undefined && leaf.eventId === e.metadata.eventId && leaf.index < checkpoint.treeSize;
    const path = covered ? inclusionProof(audit.node, leaf.index, checkpoint.treeSize) : null;
    return {
      revision: e.revision, position: e.position, hash, prevHash: storedPrevHash(e) ?? null, hashMatches: hash === null || hash === now,
      leafIndex: leaf?.index ?? null, inclusionPath: path,
      provenInCheckpoint: covered && path !== null && verifyInclusion(now, leaf.index, checkpoint.treeSize, path, checkpoint.rootHash),
    };
  });
  return {
    streamId, chainIntact: firstBreak === null, firstBreak,
    checkpoint: checkpoint && {
      treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, signedAt: checkpoint.signedAt, signedAtBeijing: beijing(checkpoint.signedAt),
      publicKey: checkpoint.publicKey, signature: checkpoint.signature, signatureValid: checkpointSignatureValid(checkpoint),
    },
    eventsProven: proofs.filter((p) => p.provenInCheckpoint).length,
    events: proofs,
  };
}
