import { GENESIS_HASH, linkHashOf, sealEvents } from '@civicloop/audit';
import {
  caseIdOf, EventStore, isCiphertext, NewEvent, PersonalDataKeys, protectEvent, RecordedEvent,
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

const holdsPlainText = (event: RecordedEvent) =>
  PERSONAL_DATA_POLICY.fieldsOf(event.type).some((field) => typeof event.data[field] === 'string' && !isCiphertext(event.data[field]));

/**
 * The one-time migration of a log written before personal data was encrypted (`migrate --encrypt-personal-data`).
 * Each event holding plain personal text is encrypted with its case's key; from that event on its
 * stream is sealed again (sealEvents), each re-sealed event recording in its metadata the hash it had
 * before (`rechainedFrom`): the recorded genesis that ties the new chain to checkpoints signed over
 * the old one. Events before it, and streams without personal data, are copied byte for byte.
 * Deterministic (nonces from event ids, keys kept in the key store), so a resumed run rewrites a
 * repeated page exactly as before and the target recognises the retry.
 */
export class PersonalDataEncryption {
  readonly report: EncryptionReport = { encrypted: 0, rechained: 0, streams: 0 };
  /** Link hash of the last event written to the target, per stream. */
  private readonly links = new Map<string, string>();
  private readonly diverged = new Set<string>();

  constructor(private readonly keys: PersonalDataKeys, private readonly target: EventStore) {}

  readonly rewrite = async (run: RecordedEvent[]): Promise<NewEvent[]> => {
    const streamId = run[0].streamId;
    if (run[0].revision > 0 && !this.links.has(streamId)) await this.resume(streamId, run[0].revision);
    const out: NewEvent[] = [];
    for (const event of run) {
      const caseId = caseIdOf(event);
      const plain = caseId !== null && holdsPlainText(event);
      if (!plain && !this.diverged.has(streamId)) {
        out.push(asNew(event));
        this.links.set(streamId, linkHashOf(event));
        continue;
      }
      let next: NewEvent = { ...asNew(event), metadata: { ...event.metadata, rechainedFrom: linkHashOf(event) } };
      if (plain && caseId !== null) {
        next = protectEvent({ ...next, metadata: { ...next.metadata, caseId } }, await this.keys.obtain(caseId), PERSONAL_DATA_POLICY, { keepSealed: true });
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

  /** After a restart: where the stream's chain stands in the target, and whether it was re-sealed already. */
  private async resume(streamId: string, revision: number): Promise<void> {
    const written = await this.target.readStream(streamId, { toRevision: revision - 1 });
    const last = written[written.length - 1];
    if (!last) return;
    this.links.set(streamId, linkHashOf(last));
    if (typeof last.metadata.rechainedFrom === 'string') this.diverged.add(streamId);
  }
}
