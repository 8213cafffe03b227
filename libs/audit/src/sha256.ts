import * as crypto from 'node:crypto';

/** One-shot sha256: crypto.hash (Node ≥ 20.12) is one native call instead of three through Hash objects. */
export const sha256 = (data: string | Buffer): Buffer =>
  (typeof crypto.hash === 'function' ? crypto.hash('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest());

export const sha256Hex = (data: string | Buffer): string =>
  (typeof crypto.hash === 'function' ? crypto.hash('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex'));
