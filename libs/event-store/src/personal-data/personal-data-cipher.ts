import { LeanEvent, NewEvent, RecordedEvent } from '../event-store.port';
import { decryptText, openPd2Texts, PD1, PD2 } from './legacy-sealed-value';
import { CaseKey } from './personal-data-keys.port';
import { openTexts, PD3, sealTexts } from './sealed-value';

/** Which fields of an event a resident provided, and what a read shows once they are erased (from libs/domain). */
export interface PersonalDataPolicy {
  fieldsOf(type: string): readonly string[];
  erasedText: string;
}

/**
 * Versioned, so a later scheme (another cipher, a KMS envelope) can sit beside these in the same log.
 * An event's personal texts are sealed in one value (pd3, sealed-value.ts; pd2 before it): the first
 * personal field with text holds `pd3:<sealed>`, the others hold `pd3:` alone ("in the event's sealed
 * value"). pd1 values (one per field) and pd2 values are still read (legacy-sealed-value.ts).
 */
const SEALED_PREFIXES = [PD3, PD2];

export const isCiphertext = (value: unknown): value is string =>
  typeof value === 'string' && (value.startsWith(PD3) || value.startsWith(PD2) || value.startsWith(PD1));

const isSealedValue = (value: string): boolean => value.startsWith(PD3) || value.startsWith(PD2);

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
  const sealed = options.keepSealed ? sealedFieldsOf(event, caseKey, policy) : new Set<string>();
  const fields = policy.fieldsOf(event.type)
    .filter((field) => typeof event.data[field] === 'string' && !sealed.has(field));
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
    data[field] = PD3;
  }
  data[fields[0]] = sealTexts(caseKey.key, event.metadata.eventId, event.type, texts);
  const metadata = caseKey.keyId === null ? event.metadata : { ...event.metadata, keyId: caseKey.keyId };
  return { ...event, data, metadata };
}

/**
 * The personal fields of a stored event whose text this key really sealed (it opens), as opposed to a
 * resident's text that only starts like a sealed value ("pd3:…" typed into an old, plain log).
 */
export function sealedFieldsOf(event: NewEvent, caseKey: CaseKey, policy: PersonalDataPolicy): Set<string> {
  const sealed = new Set<string>();
  if (caseKey.state !== 'active') return sealed;
  let texts: Record<string, unknown> | null | undefined;
  for (const field of policy.fieldsOf(event.type)) {
    const value = event.data[field];
    if (typeof value !== 'string' || !isCiphertext(value)) continue;
    if (isSealedValue(value)) {
      if (texts === undefined) texts = unsealed(caseKey.key, event, policy);
      if (texts && typeof texts[field] === 'string') sealed.add(field);
    } else if (decryptText(caseKey.key, field, value) !== null) sealed.add(field);
  }
  return sealed;
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

/** The data of a lean read's event (see EventStore.readAllLean) revealed as revealPersonal reveals a recorded one's. */
export const revealLeanData = (event: LeanEvent, caseKey: CaseKey, policy: PersonalDataPolicy): Record<string, unknown> =>
  revealData({ type: event.type, data: event.data, metadata: { eventId: event.eventId } }, caseKey, policy);

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

/**
 * The event's data with each personal text as an own enumerable getter: the other fields are plain
 * values, so a reader of the structural facts (a fold reading the intake's case id and category)
 * never opens the sealed value. The first personal text read opens it, once, for all of them.
 */
/** What revealing reads of an event: its type, data and id (the sealed value's additional data). */
type SealedEvent = Pick<NewEvent, 'type' | 'data'> & { metadata: Pick<NewEvent['metadata'], 'eventId'> };

function revealData(event: SealedEvent, caseKey: CaseKey, policy: PersonalDataPolicy): Record<string, unknown> {
  const personal = policy.fieldsOf(event.type);
  const data: Record<string, unknown> = {};
  let sealedFields = false;
  // Built key by key in the stored order: a getter defined on a copy made first turns it into a slow dictionary object.
  for (const field of Object.keys(event.data)) {
    const value = event.data[field];
    if (typeof value !== 'string' || !personal.includes(field)) data[field] = value;
    else if (caseKey.state === 'erased' || (caseKey.state === 'none' && isCiphertext(value))) data[field] = policy.erasedText;
    else if (isCiphertext(value)) {
      Object.defineProperty(data, field, personalTextProperty(field));
      sealedFields = true;
    } else data[field] = value;
  }
  if (sealedFields) Object.defineProperty(data, SEALED_SOURCE, { value: new SealedSource(event, caseKey, policy) });
  return data;
}

/**
 * What a revealed data object needs to open its texts, kept on it under a symbol that is not
 * enumerable: spreads, JSON and comparisons see only the fields. (A WeakMap beside it cost a cold read
 * more in garbage collection than the rest of revealing.) Its fields are private, so not even
 * util.inspect with showHidden prints the key.
 */
class SealedSource {
  readonly #event: SealedEvent;
  readonly #caseKey: CaseKey;
  readonly #policy: PersonalDataPolicy;
  #sealed: Record<string, unknown> | null | undefined;

  constructor(event: SealedEvent, caseKey: CaseKey, policy: PersonalDataPolicy) {
    this.#event = event;
    this.#caseKey = caseKey;
    this.#policy = policy;
  }

  text(field: string): string {
    const [event, caseKey, policy] = [this.#event, this.#caseKey, this.#policy];
    const value = event.data[field];
    if (typeof value !== 'string' || caseKey.state !== 'active') return policy.erasedText;
    if (isSealedValue(value)) {
      // caseKey is active: a key that goes away later does not change what this read revealed
      if (this.#sealed === undefined) this.#sealed = unsealed(caseKey.key, event, policy);
      const text = this.#sealed?.[field];
      return typeof text === 'string' ? text : policy.erasedText;
    }
    return decryptText(caseKey.key, field, value) ?? policy.erasedText;
  }
}
const SEALED_SOURCE = Symbol('sealed source');

/**
 * One descriptor (one pair of functions) per field name, shared by every event: V8 then gives the
 * revealed objects of a type one shape, where fresh closures would give each object a map of its own.
 * Assigning the field replaces the getter with the value.
 */
const textProperties = new Map<string, PropertyDescriptor>();
const personalTextProperty = (field: string): PropertyDescriptor => {
  let property = textProperties.get(field);
  if (!property) {
    textProperties.set(field, property = {
      enumerable: true,
      configurable: true,
      get(this: object): unknown {
        const from = (this as { [SEALED_SOURCE]?: SealedSource })[SEALED_SOURCE];
        return from?.text(field);
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, field, { value, enumerable: true, configurable: true, writable: true });
      },
    });
  }
  return property;
};

/**
 * The texts of the event's one sealed value (a field holding more than the bare prefix). Each such
 * field is tried: an event stored before every text was sealed may hold a resident's plain "pd2:…"
 * beside the real sealed value.
 */
function unsealed(key: Buffer, event: SealedEvent, policy: PersonalDataPolicy): Record<string, unknown> | null {
  for (const field of policy.fieldsOf(event.type)) {
    const value = event.data[field];
    if (typeof value !== 'string') continue;
    const prefix = SEALED_PREFIXES.find((sealed) => value.startsWith(sealed));
    if (!prefix || value.length <= prefix.length) continue;
    const open = prefix === PD3 ? openTexts : openPd2Texts;
    const texts = open(key, event.metadata.eventId, event.type, value);
    if (texts) return texts;
  }
  return null;
}
