import { sha256 } from './sha256';

/**
 * An RFC 6962 (Certificate Transparency) Merkle tree over the event hashes in global order:
 * leaf = sha256(0x00 ‖ event hash), node = sha256(0x01 ‖ left ‖ right), a tree of n leaves splits at
 * the largest power of two below n. Kept as its frontier (one perfect subtree per set bit of n), so
 * adding a leaf costs one hash amortised and the root of any prefix is known when the prefix ends.
 */
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

// Inputs are assembled in two buffers reused for every hash (sha256 is synchronous): verify hashes
// millions of leaves, and a fresh Buffer.concat per hash was a fifth of its time in garbage.
const leafInput = Buffer.alloc(33, LEAF[0]);
const nodeInput = Buffer.alloc(65, NODE[0]);

export const leafHash = (eventHash: string): Buffer => {
  leafInput.write(eventHash, 1, 32, 'hex');
  return sha256(leafInput);
};
export const nodeHash = (left: Buffer, right: Buffer): Buffer => {
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 33);
  return sha256(nodeInput);
};

/** A completed aligned subtree: covers leaves [index·2^level, (index+1)·2^level). */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Buffer;
}

export class MerkleFrontier {
  /** peaks[level]: the perfect subtree of 2^level leaves, when bit `level` of size is set. */
  private constructor(private size_: number, private readonly peaks: (Buffer | null)[]) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  static restore(size: number, peaks: (string | null)[]): MerkleFrontier {
    return new MerkleFrontier(size, peaks.map((p) => (p === null ? null : Buffer.from(p, 'hex'))));
  }

  get size(): number {
    return this.size_;
  }

  save(): (string | null)[] {
    return this.peaks.map((p) => (p === null ? null : p.toString('hex')));
  }

  /** Adds a leaf; `onNode` hears of every internal node completed by it (stored for proofs). */
  add(eventHash: string, onNode?: (node: CompletedNode) => void): void {
    let carry = leafHash(eventHash);
    let level = 0;
    // bit `level` of the size: while set, the new subtree completes the one of the same height on its left
    for (let left = this.peaks[level]; Math.floor(this.size_ / 2 ** level) % 2 === 1 && left; left = this.peaks[level]) {
      carry = nodeHash(left, carry);
      this.peaks[level] = null;
      level += 1;
      onNode?.({ level, index: Math.floor(this.size_ / 2 ** level), hash: carry });
    }
    this.peaks[level] = carry;
    this.size_ += 1;
  }

  /** Root hash of the tree of all leaves added so far (sha256 of nothing for an empty tree, as in RFC 6962). */
  root(): string {
    let acc: Buffer | null = null;
    for (const peak of this.peaks) if (peak) acc = acc ? nodeHash(peak, acc) : peak;
    return (acc ?? sha256(Buffer.alloc(0))).toString('hex');
  }
}

const largestPowerOfTwoBelow = (n: number) => 2 ** Math.floor(Math.log2(n - 1));

/** Looks up a completed aligned subtree (level 0: the leaf hash) in whatever keeps them. */
export type NodeLookup = (level: number, index: number) => Buffer;

/** The hash of leaves [start, end) from completed subtrees. */
export function rangeHash(node: NodeLookup, start: number, end: number): Buffer {
  const size = end - start;
  if ((size & (size - 1)) === 0 && start % size === 0) return node(Math.log2(size), start / size);
  const k = largestPowerOfTwoBelow(size);
  return nodeHash(rangeHash(node, start, start + k), rangeHash(node, start + k, end));
}

/** RFC 6962 audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(node: NodeLookup, index: number, size: number, start = 0): string[] {
  const n = size - start;
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return index < start + k
    ? [...inclusionProof(node, index, start + k, start), rangeHash(node, start + k, size).toString('hex')]
    : [...inclusionProof(node, index, size, start + k), rangeHash(node, start, start + k).toString('hex')];
}

/** RFC 9162 §2.1.3.2: does `path` lead from the event hash at `index` to `root` in a tree of `size`? */
export function verifyInclusion(eventHash: string, index: number, size: number, path: string[], root: string): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(eventHash);
  for (const hex of path) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === root;
}
