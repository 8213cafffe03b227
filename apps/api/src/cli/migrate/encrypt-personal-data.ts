import { GENESIS_HASH, linkHashOf, sealEvents } from '@civicloop/audit';
import {
  CaseKey, caseIdOf, EventStore, isCiphertext, keyIdOf, NewEvent, PersonalDataKeys, protectEvent, RecordedEvent, sealedFieldsOf,
} from '@civicloop/event-store';
import { PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { asNew } from './migrate';

export interface EncryptionReport {
  /** Events whose personal data was encrypted here (it was plain text in the source). */
  encrypted: number;
  /** Events written with a new hash: the encrypted ones and every later event of their streams. */
  rechained: number;
  /** Streams with a new chain. */
  streams: number;
}

const personalTexts = (event: RecordedEvent) => PERSONAL_DATA_POLICY.fieldsOf(event.type).filter((field) => typeof event.data[field] === 'string');
const holdsPlainText = (event: RecordedEvent) => personalTexts(event).some((field) => !isCiphertext(event.data[field]));
/** Texts that start like a sealed value but do not open under the key the event names (or its case's): a resident typed them. */
const holdsLookalike = (event: RecordedEvent, caseKey: CaseKey) => {
  if (caseKey.state !== 'active') return false; // erased, or no key here: nothing to tell them apart with (and nothing opens)
  const sealed = sealedFieldsOf(event, caseKey, PERSONAL_DATA_POLICY);
  return personalTexts(event).some((field) => !sealed.has(field));
};

/**
 * The one-time migration of a log written before personal data was encrypted (`migrate --encrypt-personal-data`).
 * Each event holding plain personal text is encrypted with its case's key; from that event on its
 * stream is sealed again (sealEvents), each re-sealed event recording in its metadata the hash it had
 * before (`rechainedFrom`): the recorded genesis that ties the new chain to checkpoints signed over
 * the old one. Events before it, and streams without personal data, are copied byte for byte.
 * Deterministic (nonces from event ids and keys), so a resumed run rewrites a repeated page exactly
 * as before and the target recognises the retry: an event the target already holds is sealed again
 * with the key its copy there names, not the case's key on record, whose claim (written without an
 * fsync of its own) a power cut may have lost.
 */
export class PersonalDataEncryption {
  readonly report: EncryptionReport = { encrypted: 0, rechained: 0, streams: 0 };
  /** Link hash of the last event written to the target, per stream. */
  private readonly links = new Map<string, string>();
  private readonly diverged = new Set<string>();
  /** The key each event of a repeated page was sealed with, by `streamId@revision` (from the target's copy). */
  private readonly sealedWith = new Map<string, string>();
  /** The target's copies of a repeated page, by `streamId@revision`: written again as they are, and chained from. */
  private readonly held = new Map<string, RecordedEvent>();

  constructor(private readonly keys: PersonalDataKeys, private readonly target: EventStore) {}

  readonly rewrite = async (run: RecordedEvent[]): Promise<NewEvent[]> => {
    const streamId = run[0].streamId;
    if (!this.links.has(streamId)) await this.resume(streamId, run[0].revision);
    const out: NewEvent[] = [];
    for (const event of run) {
      const copy = this.held.get(`${streamId}@${event.revision}`);
      if (copy) {
        // Already in the target (a repeated page): the append is a retry whatever this run would seal
        // (another version may have sealed it), so the chain goes on from the copy actually stored.
        this.held.delete(`${streamId}@${event.revision}`);
        out.push(asNew(copy));
        this.links.set(streamId, linkHashOf(copy));
        if (typeof copy.metadata.rechainedFrom === 'string') this.diverged.add(streamId);
        continue;
      }
      const caseId = caseIdOf(event);
      const plain = caseId !== null && (holdsPlainText(event) || holdsLookalike(event, await this.sealedKeyOf(event, caseId)));
      if (!plain && !this.diverged.has(streamId)) {
        out.push(asNew(event));
        this.links.set(streamId, linkHashOf(event));
        continue;
      }
      let next: NewEvent = { ...asNew(event), metadata: { ...event.metadata, rechainedFrom: linkHashOf(event) } };
      if (plain && caseId !== null) {
        const caseKey = await this.keyFor(event, caseId);
        next = protectEvent({ ...next, metadata: { ...next.metadata, caseId } }, caseKey, PERSONAL_DATA_POLICY, { keepSealed: true });
        this.report.encrypted += 1;
      }
      const [sealed] = sealEvents(streamId, event.revision, this.links.get(streamId) ?? GENESIS_HASH, [next]);
      out.push(sealed);
      this.links.set(streamId, linkHashOf({ ...sealed, streamId, revision: event.revision }));
      if (!this.diverged.has(streamId)) this.report.streams += 1;
      this.diverged.add(streamId);
      this.report.rechained += 1;
    }
    return out;
  };

  /** The key a stored event's sealed values would open with: the one it names, else its case's (never a new claim). */
  private async sealedKeyOf(event: RecordedEvent, caseId: string): Promise<CaseKey> {
    if (!personalTexts(event).some((field) => isCiphertext(event.data[field]))) return { state: 'none' };
    const keyId = keyIdOf(event);
    return keyId === null ? this.keys.lookup(caseId) : this.keys.lookupKey(keyId);
  }

  /** The key an event is sealed with: the one the target's copy names when a resumed run repeats it, else the case's. */
  private async keyFor(event: RecordedEvent, caseId: string): Promise<CaseKey> {
    const at = `${event.streamId}@${event.revision}`;
    const keyId = this.sealedWith.get(at);
    this.sealedWith.delete(at);
    const named = keyId === undefined ? undefined : await this.keys.lookupKey(keyId);
    return named && named.state !== 'none' ? named : this.keys.obtain(caseId);
  }

  /**
   * A stream first met by this run (after a restart, or new): where its chain stands in the target,
   * whether it was re-sealed already, and which keys the events it already holds from `revision` on
   * (the repeated page) were sealed with.
   */
  private async resume(streamId: string, revision: number): Promise<void> {
    const written = await this.target.readStream(streamId);
    for (const event of written) {
      const keyId = keyIdOf(event);
      if (event.revision >= revision && keyId !== null) this.sealedWith.set(`${streamId}@${event.revision}`, keyId);
      if (event.revision >= revision) this.held.set(`${streamId}@${event.revision}`, event);
    }
    const last = written.find((event) => event.revision === revision - 1);
    if (!last) return;
    this.links.set(streamId, linkHashOf(last));
    if (typeof last.metadata.rechainedFrom === 'string') this.diverged.add(streamId);
  }
}
