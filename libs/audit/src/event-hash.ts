import canonicalize from 'canonicalize';
import { NewEvent } from '@civicloop/event-store';
import { sha256Hex } from './sha256';

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
 * An event's hash: sha256 over the RFC 8785 canonical JSON (sorted keys, one number format) of
 * [stream, revision, type, data, metadata without its own `hash`]. The metadata keeps `prevHash`, so
 * each event seals every event of its stream before it; canonical, so the hash survives stores that
 * reorder keys (PostgreSQL jsonb, EventStoreDB). This is also the event's leaf in the global tree.
 * Events written before the chain have no prevHash; their hash is computed all the same.
 */
export function contentHash(event: HashedContent): string {
  const { hash: _own, ...metadata } = event.metadata;
  const text = canonicalize([event.streamId, event.revision, event.type, event.data, metadata]);
  if (text === undefined) throw new Error(`event ${event.streamId}@${event.revision} cannot be encoded`);
  return sha256Hex(text);
}

/** The hash the next event of a stream links to: the stored one, or for a pre-chain event its content hash. */
export const linkHashOf = (event: HashedContent | undefined): string =>
  event === undefined ? GENESIS_HASH : storedHash(event) ?? contentHash(event);

/**
 * `copy[key] = value`, except that a `__proto__` key (JSON.parse keeps it as an own key, e.g. in an
 * old event re-sealed by a migration) stays an own key instead of setting the copy's prototype.
 */
function setOwn(copy: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  else copy[key] = value;
}

/** Collects the canonical JSON text while `canonicalCopy` walks a value. */
interface CanonicalText { text: string }

/**
 * A copy of `value` with every object's keys in canonical (sorted) order, so JSON.stringify writes
 * canonical JSON, and, appended to `out.text` in the same walk, the text `canonicalize` gives for it
 * (RFC 8785: keys sorted by UTF-16 code units, undefined skipped in objects and null in arrays, numbers
 * as JSON.stringify writes them). One walk instead of a copy and then canonicalize sorting every
 * object again: sealing was ~5% of an intake's CPU. contentHash (canonicalize itself) must agree.
 */
function canonicalCopy(value: unknown, out: CanonicalText): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} is not allowed in an event`);
  if (value === null || typeof value !== 'object') {
    out.text += String(JSON.stringify(value));
    return value;
  }
  if (Array.isArray(value)) {
    out.text += '[';
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.text += ',';
      const element: unknown = value[i];
      if (element === undefined || typeof element === 'symbol') {
        out.text += 'null';
        copy[i] = element;
      } else copy[i] = canonicalCopy(element, out);
    }
    out.text += ']';
    return copy;
  }
  const object = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  out.text += '{';
  let first = true;
  for (const key of Object.keys(object).sort()) {
    const field = object[key];
    if (field === undefined || typeof field === 'symbol') {
      setOwn(copy, key, field);
      continue;
    }
    out.text += first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':';
    first = false;
    setOwn(copy, key, canonicalCopy(field, out));
  }
  out.text += '}';
  return copy;
}

/**
 * Seals events about to be appended at `firstRevision` of `streamId`: each gets the hash of the one
 * before it (`previousHash` for the first) and its own. Data and metadata are written with sorted
 * keys and the hash last, so a store that keeps JSON text as given (SQLite) holds exactly the
 * canonical bytes that were hashed, which `audit verify` can hash without re-encoding (storedTextHash).
 */
export function sealEvents(streamId: string, firstRevision: number, previousHash: string, events: NewEvent[]): NewEvent[] {
  let prevHash = previousHash;
  const head = `[${JSON.stringify(streamId)},`;
  return events.map((event, i) => {
    const out: CanonicalText = { text: `${head}${firstRevision + i},${JSON.stringify(event.type)},` };
    const data = canonicalCopy(event.data, out) as Record<string, unknown>;
    out.text += ',';
    const { hash: _stale, ...rest } = event.metadata;
    const metadata = canonicalCopy({ ...rest, prevHash }, out) as NewEvent['metadata'];
    const hash = sha256Hex(`${out.text}]`);
    prevHash = hash;
    return { type: event.type, data, metadata: { ...metadata, hash } };
  });
}

const HASH_KEY = ',"hash":"';
/** `,"hash":"` + 64 hex digits + `"}`: how sealEvents' metadata text ends. */
const SUFFIX_LENGTH = HASH_KEY.length + 64 + 2;
const PREV_HASH = '"prevHash":"';

/**
 * The hash of an event straight from the JSON text a store kept, when that text is the canonical
 * encoding sealEvents wrote (metadata ending in its hash): no parse, no re-encoding. Null when the
 * text is not in that form (a store that reorders keys, an event from before the chain): the caller
 * then hashes the parsed event (contentHash), which gives the same hash for the same content.
 * A text edited in any way no longer has the hash it carries, so a mismatch is also sent the slow way.
 */
export function storedTextHash(streamId: string, revision: number, type: string, dataText: string, metadataText: string):
  { hash: string; stored: string; prevHash: string | undefined } | null {
  const cut = metadataText.length - SUFFIX_LENGTH;
  if (cut < 1 || !metadataText.startsWith(HASH_KEY, cut) || !metadataText.endsWith('"}')) return null;
  const stored = metadataText.slice(cut + HASH_KEY.length, metadataText.length - 2);
  const hash = sha256Hex(`[${JSON.stringify(streamId)},${revision},${JSON.stringify(type)},${dataText},${metadataText.slice(0, cut)}}]`);
  if (hash !== stored) return null;
  const at = metadataText.indexOf(PREV_HASH);
  return { hash, stored, prevHash: at === -1 ? undefined : metadataText.slice(at + PREV_HASH.length, at + PREV_HASH.length + 64) };
}
