import { randomUUID } from 'node:crypto';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

/** The only source of new ids for events: the simulator injects a seeded one to replay a history exactly. */
export type IdGenerator = () => string;

export const ID_GENERATOR = Symbol('IdGenerator');

export const randomIdGenerator: IdGenerator = () => randomUUID();

/** UUID v4-shaped ids from a seed: the same seed gives the same sequence of ids. */
export function seededIdGenerator(seed: number): IdGenerator {
  const rng = xoroshiro128plus(seed);
  return () => {
    const bytes = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(unsafeUniformIntDistribution(0, 0xffffffff, rng) >>> 0, i);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
