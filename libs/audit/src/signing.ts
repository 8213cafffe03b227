import canonicalize from 'canonicalize';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a signed checkpoint vouches for: the first `treeSize` events of the log have this tree root. */
export interface CheckpointBody {
  log: 'civicloop-audit';
  version: 1;
  treeSize: number;
  rootHash: string;
  /** The last event covered, by identity (positions differ between stores; these survive migrate). */
  lastEvent: { eventId: string; streamId: string; revision: number } | null;
  signedAt: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** PEM (SPKI) of the ed25519 key that signed it: an auditor keeps the file, and the key with it. */
  publicKey: string;
  /** base64 ed25519 signature over the canonical JSON of the body. */
  signature: string;
}

const signedBytes = (body: CheckpointBody) => Buffer.from(canonicalize({
  log: body.log, version: body.version, treeSize: body.treeSize, rootHash: body.rootHash, lastEvent: body.lastEvent, signedAt: body.signedAt,
}) ?? '');

export function signCheckpoint(body: CheckpointBody, key: KeyObject): SignedCheckpoint {
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { ...body, publicKey, signature: sign(null, signedBytes(body), key).toString('base64') };
}

export function checkpointSignatureValid(checkpoint: SignedCheckpoint): boolean {
  try {
    return verify(null, signedBytes(checkpoint), createPublicKey(checkpoint.publicKey), Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** Reads a checkpoint file an auditor kept; refuses anything that is not one, naming the field. */
export function parseCheckpoint(text: string, source: string): SignedCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const c = value as Partial<SignedCheckpoint>;
  const problems = [
    c.log !== 'civicloop-audit' && 'log must be "civicloop-audit"',
    !(Number.isInteger(c.treeSize) && (c.treeSize ?? -1) >= 0) && 'treeSize must be a whole number',
    !(typeof c.rootHash === 'string' && /^[0-9a-f]{64}$/.test(c.rootHash)) && 'rootHash must be 64 hex digits',
    typeof c.publicKey !== 'string' && 'publicKey is missing',
    typeof c.signature !== 'string' && 'signature is missing',
  ].filter(Boolean);
  if (problems.length) throw new Error(`${source} is not a signed checkpoint: ${problems.join('; ')}`);
  return c as SignedCheckpoint;
}

/**
 * The signing key: read from `file`, or made there when it does not exist yet (exclusive create,
 * mode 0600, so two processes starting together cannot both write one, and nobody else can read it).
 */
export function loadOrCreateSigningKey(file: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`AUDIT_SIGNING_KEY_FILE ${file}: ${(error as Error).message}`);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return createPrivateKey(readFileSync(file)); // another process won
    throw error;
  }
  try {
    writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  } finally {
    closeSync(fd);
  }
  return privateKey;
}
