import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { NewEvent } from '@civicloop/event-store';

/** The `prevHash` of a stream's first event (revision 0): no event comes before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an event's hash covers: everything the store keeps of it except its position. */
export interface HashedContent {
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const storedString = (metadata: Record<string, unknown>, key: 'hash' | 'prevHash'): string | undefined => {
  const value = metadata[key];
  return typeof value === 'string' ? value : undefined;
};

/** The hash written at append, or undefined for an event appended before the chain existed. */
export const storedHash = (event: { metadata: Record<string, unknown> }) => storedString(event.metadata, 'hash');
export const storedPrevHash = (event: { metadata: Record<string, unknown> }) => storedString(event.metadata, 'prevHash');

/**
 * sha256 over the RFC 8785 canonical JSON (sorted keys, one number format) of
 * [prevHash, stream, revision, type, data, metadata without prevHash and hash]. Canonical, so the
 * hash survives stores that reorder keys (PostgreSQL jsonb, EventStoreDB); prevHash inside, so each
 * event seals every event of its stream before it.
 */
export function hashEvent(prevHash: string, event: HashedContent): string {
  const { hash: _hash, prevHash: _prev, ...metadata } = event.metadata;
  const text = canonicalize([prevHash, event.streamId, event.revision, event.type, event.data, metadata]);
  if (text === undefined) throw new Error(`event ${event.streamId}@${event.revision} cannot be encoded`);
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The hash of an event as recorded, recomputed from its content and the prevHash it names (genesis
 * when it names none: events written before the chain). This is what the global tree takes as leaf.
 */
export const contentHash = (event: HashedContent): string => hashEvent(storedPrevHash(event) ?? GENESIS_HASH, event);

/** The hash the next event of a stream links to: the stored one, or for a pre-chain event its content hash. */
export const linkHashOf = (event: HashedContent | undefined): string =>
  event === undefined ? GENESIS_HASH : storedHash(event) ?? contentHash(event);

/**
 * Seals events about to be appended at `firstRevision` of `streamId`: each gets the hash of the one
 * before it (`previousHash` for the first) and its own. Every append path calls this, with the hash
 * of the stream's last event as read in the same load whose revision the append expects.
 */
export function sealEvents(streamId: string, firstRevision: number, previousHash: string, events: NewEvent[]): NewEvent[] {
  let prevHash = previousHash;
  return events.map((event, i) => {
    const metadata = { ...event.metadata, prevHash };
    const hash = hashEvent(prevHash, { streamId, revision: firstRevision + i, type: event.type, data: event.data, metadata });
    prevHash = hash;
    return { ...event, metadata: { ...metadata, hash } };
  });
}
