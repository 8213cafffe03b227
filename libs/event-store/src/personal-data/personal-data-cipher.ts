import { createCipheriv, createDecipheriv, createHmac, createSecretKey, KeyObject } from 'node:crypto';
import { NewEvent, RecordedEvent } from '../event-store.port';
import { CaseKey } from './personal-data-keys.port';

/** Which fields of an event a resident provided, and what a read shows once they are erased (from libs/domain). */
export interface PersonalDataPolicy {
  fieldsOf(type: string): readonly string[];
  erasedText: string;
}

/**
 * Versioned, so a later scheme (another cipher, a KMS envelope) can sit beside these in the same log.
 * pd1: one AES-GCM value per field (written until 2026-11-30, still read).
 * pd2: one AES-GCM value per event holding all its personal texts (one decipher per event on a read,
 * not one per field): the first personal field with text holds `pd2:<iv|tag|ciphertext>`, the others
 * hold `pd2:` alone ("in the event's sealed value").
 */
const PD1 = 'pd1:';
const PD2 = 'pd2:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const isCiphertext = (value: unknown): value is string => typeof value === 'string' && (value.startsWith(PD2) || value.startsWith(PD1));

/** One KeyObject per key buffer: Node then skips re-importing the raw key on every cipher. */
const keyObjects = new WeakMap<Buffer, KeyObject>();
const keyObjectOf = (key: Buffer): KeyObject => {
  let object = keyObjects.get(key);
  if (!object) keyObjects.set(key, object = createSecretKey(key));
  return object;
};

/**
 * The nonce is derived from the key and the event's id (HMAC), never drawn at random: an event id is
 * unique, so no nonce repeats under a key, and the same event encrypts to the same bytes (the
 * simulator's history hash stays the same for the same seed; a resumed migration writes what an
 * uninterrupted one would). The event's id and type are bound as additional data, so a sealed value
 * cannot be moved to another event unnoticed.
 */
function seal(key: Buffer, eventId: string, type: string, texts: Record<string, string>): string {
  const iv = createHmac('sha256', keyObjectOf(key)).update(eventId).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), iv);
  cipher.setAAD(Buffer.from(`${eventId}\u0000${type}`, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(texts), 'utf8'), cipher.final()]);
  return PD2 + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The texts sealed in a pd2 value, or null when this key did not write it (another key, a tampered value). */
function unseal(key: Buffer, eventId: string, type: string, value: string): Record<string, unknown> | null {
  const bytes = Buffer.from(value.slice(PD2.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${eventId}\u0000${type}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES));
    decipher.final(); // throws when the tag does not match: nothing read is used before it
    const texts: unknown = JSON.parse(plain.toString('utf8'));
    return isRecord(texts) ? texts : null;
  } catch {
    return null;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** A pd1 value: the text, or null when this key did not write it. The field name was its additional data. */
export function decryptText(key: Buffer, field: string, value: string): string | null {
  const bytes = Buffer.from(value.slice(PD1.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(field, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Whether an event holds any personal text at all (null fields hold none). */
export const holdsPersonalData = (event: { type: string; data: Record<string, unknown> }, policy: PersonalDataPolicy): boolean => {
  for (const field of policy.fieldsOf(event.type)) if (typeof event.data[field] === 'string') return true;
  return false;
};

/** The key an event's personal data was sealed with, when the event names it (events sealed before key ids name none). */
export const keyIdOf = (event: { metadata: Record<string, unknown> }): string | null =>
  typeof event.metadata.keyId === 'string' ? event.metadata.keyId : null;

/**
 * The event as it is stored: its personal texts sealed with the case's key in one pd2 value, and the
 * key's id in its metadata (so a reader finds the key the event used, whichever process made it). A
 * case whose data was erased takes no new personal data: such a text is stored as the erased text.
 * Every text is sealed, even one that looks like ciphertext: a resident may type "pd2:…", and such a
 * text left plain would outlive an erasure. Only a migration re-encrypting a stored log passes
 * `keepSealed`, so the values a resumed run already encrypted are kept as they are.
 */
export function protectEvent<E extends NewEvent>(event: E, caseKey: CaseKey, policy: PersonalDataPolicy, options: { keepSealed?: boolean } = {}): E {
  const fields = policy.fieldsOf(event.type)
    .filter((field) => typeof event.data[field] === 'string' && !(options.keepSealed && isCiphertext(event.data[field])));
  if (!fields.length) return event;
  const data = { ...event.data };
  if (caseKey.state === 'erased') {
    for (const field of fields) data[field] = policy.erasedText;
    return { ...event, data };
  }
  if (caseKey.state !== 'active') throw new Error(`case of event ${event.metadata.eventId} has no data key to encrypt ${fields.join(', ')} with`);
  const texts: Record<string, string> = {};
  for (const field of fields) {
    texts[field] = String(data[field]);
    data[field] = PD2;
  }
  data[fields[0]] = seal(caseKey.key, event.metadata.eventId, event.type, texts);
  const metadata = caseKey.keyId === null ? event.metadata : { ...event.metadata, keyId: caseKey.keyId };
  return { ...event, data, metadata };
}

/**
 * The event as readers see it: each personal text decrypted, or the erased text when the key is gone
 * (or never came with this copy of the log). A plain text from before encryption reads as it is until
 * the case is erased. Events without personal text are handed back as the very same object.
 *
 * Its `data` is revealed when first read, not before: many readers never look at it (a fold reads no
 * note's data, the access guard only the intake's), so a read pays for the events it looks into. The
 * event's one sealed value is opened once for all its fields. `data` is an enumerable getter (JSON,
 * spreads and comparisons see the texts); assigning it replaces the value.
 */
export const revealEvent = (event: RecordedEvent, caseKey: CaseKey, policy: PersonalDataPolicy): RecordedEvent =>
  (holdsPersonalData(event, policy) ? revealPersonal(event, caseKey, policy) : event);

/** revealEvent for an event known to hold personal data. */
export function revealPersonal(event: RecordedEvent, caseKey: CaseKey, policy: PersonalDataPolicy): RecordedEvent {
  return new RevealedEvent(event, caseKey, policy);
}

/**
 * An event whose `data` is revealed when first read. A class with one shared accessor, not an object
 * literal with `get data()`: V8 gives each such literal a map of its own (a fresh pair of closures),
 * which cost ten times this on every cold read. Fields are set in the stores' order (one shape for V8,
 * the same key order in JSON); `data` is an own enumerable property, so JSON, spreads and comparisons
 * see the texts.
 */
class RevealedEvent implements RecordedEvent {
  declare readonly streamId: string;
  declare readonly revision: number;
  declare readonly position: RecordedEvent['position'];
  declare readonly type: string;
  declare data: Record<string, unknown>;
  declare readonly metadata: RecordedEvent['metadata'];
  readonly #source: RecordedEvent;
  readonly #key: CaseKey;
  readonly #policy: PersonalDataPolicy;
  #data: Record<string, unknown> | undefined;

  static readonly #dataProperty: PropertyDescriptor & ThisType<RevealedEvent> = {
    enumerable: true,
    configurable: true,
    get(): Record<string, unknown> {
      return (this.#data ??= revealData(this.#source, this.#key, this.#policy));
    },
    set(value: Record<string, unknown>) {
      this.#data = value;
    },
  };

  constructor(event: RecordedEvent, key: CaseKey, policy: PersonalDataPolicy) {
    this.#source = event;
    this.#key = key;
    this.#policy = policy;
    this.streamId = event.streamId;
    this.revision = event.revision;
    this.position = event.position;
    this.type = event.type;
    Object.defineProperty(this, 'data', RevealedEvent.#dataProperty);
    this.metadata = event.metadata;
  }
}

function revealData(event: NewEvent, caseKey: CaseKey, policy: PersonalDataPolicy): Record<string, unknown> {
  const data = { ...event.data };
  let sealed: Record<string, unknown> | null | undefined;
  for (const field of policy.fieldsOf(event.type)) {
    const value = data[field];
    if (typeof value !== 'string') continue;
    if (caseKey.state === 'erased') data[field] = policy.erasedText;
    else if (value.startsWith(PD2)) {
      if (sealed === undefined) sealed = caseKey.state === 'active' ? unsealed(caseKey.key, event, policy) : null;
      const text = sealed?.[field];
      data[field] = typeof text === 'string' ? text : policy.erasedText;
    } else if (value.startsWith(PD1)) {
      data[field] = caseKey.state === 'active' ? decryptText(caseKey.key, field, value) ?? policy.erasedText : policy.erasedText;
    }
  }
  return data;
}

/**
 * The texts of the event's one sealed value (a field holding more than the bare prefix). Each such
 * field is tried: an event stored before every text was sealed may hold a resident's plain "pd2:…"
 * beside the real sealed value.
 */
function unsealed(key: Buffer, event: NewEvent, policy: PersonalDataPolicy): Record<string, unknown> | null {
  for (const field of policy.fieldsOf(event.type)) {
    const value = event.data[field];
    if (typeof value !== 'string' || value.length <= PD2.length || !value.startsWith(PD2)) continue;
    const texts = unseal(key, event.metadata.eventId, event.type, value);
    if (texts) return texts;
  }
  return null;
}
