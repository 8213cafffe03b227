import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { NewEvent } from '../event-store.port';
import { CaseKey } from './personal-data-keys.port';

/** Which fields of an event a resident provided, and what a read shows once they are erased (from libs/domain). */
export interface PersonalDataPolicy {
  fieldsOf(type: string): readonly string[];
  erasedText: string;
}

/** Versioned, so a later scheme (another cipher, a KMS envelope) can sit beside this one in the same log. */
const PREFIX = 'pd1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const isCiphertext = (value: unknown): value is string => typeof value === 'string' && value.startsWith(PREFIX);

/**
 * AES-256-GCM. The nonce is derived from the key, the event's id and the field (HMAC), never drawn
 * at random: an event id is unique, so no nonce repeats under a key, and the same event encrypts to
 * the same bytes (the simulator's history hash stays the same for the same seed; a resumed migration
 * writes what an uninterrupted one would). The field name is bound as additional data, so a value
 * cannot be moved to another field unnoticed.
 */
export function encryptText(key: Buffer, eventId: string, field: string, text: string): string {
  const iv = createHmac('sha256', key).update(`${eventId}\u0000${field}`).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(field, 'utf8'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The text, or null when this key did not write it (another key, a tampered value). */
export function decryptText(key: Buffer, field: string, value: string): string | null {
  const bytes = Buffer.from(value.slice(PREFIX.length), 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(field, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Whether an event holds any personal text at all (null fields hold none). */
export const holdsPersonalData = (event: { type: string; data: Record<string, unknown> }, policy: PersonalDataPolicy): boolean =>
  policy.fieldsOf(event.type).some((field) => typeof event.data[field] === 'string');

/**
 * The event as it is stored: each personal text encrypted with the case's key. A case whose data was
 * erased takes no new personal data: such a text is stored as the erased text. Already encrypted
 * values (a resumed migration) are kept as they are.
 */
export function protectEvent<E extends NewEvent>(event: E, caseKey: CaseKey, policy: PersonalDataPolicy): E {
  if (!holdsPersonalData(event, policy)) return event;
  const data = { ...event.data };
  for (const field of policy.fieldsOf(event.type)) {
    const value = data[field];
    if (typeof value !== 'string' || isCiphertext(value)) continue;
    if (caseKey.state === 'active') data[field] = encryptText(caseKey.key, event.metadata.eventId, field, value);
    else if (caseKey.state === 'erased') data[field] = policy.erasedText;
    else throw new Error(`case of event ${event.metadata.eventId} has no data key to encrypt ${field} with`);
  }
  return { ...event, data };
}

/**
 * The event as readers see it: each personal text decrypted, or the erased text when the key is gone
 * (or never came with this copy of the log). A plain text from before encryption reads as it is until
 * the case is erased. Events without personal text are handed back as the very same object.
 */
export function revealEvent<E extends NewEvent>(event: E, caseKey: CaseKey, policy: PersonalDataPolicy): E {
  if (!holdsPersonalData(event, policy)) return event;
  const data = { ...event.data };
  for (const field of policy.fieldsOf(event.type)) {
    const value = data[field];
    if (typeof value !== 'string') continue;
    if (caseKey.state === 'erased') data[field] = policy.erasedText;
    else if (isCiphertext(value)) {
      data[field] = caseKey.state === 'active' ? decryptText(caseKey.key, field, value) ?? policy.erasedText : policy.erasedText;
    }
  }
  return { ...event, data };
}
