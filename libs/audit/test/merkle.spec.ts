import { createHash } from 'node:crypto';
import { CompletedNode, inclusionProof, leafHash, MerkleFrontier, nodeHash, verifyInclusion } from '../src/merkle';

const eventHash = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');

/** RFC 6962 MTH straight from its definition, to check the frontier and the stored nodes against. */
function mth(hashes: string[]): Buffer {
  if (hashes.length === 1) return leafHash(hashes[0]);
  const k = 2 ** Math.floor(Math.log2(hashes.length - 1));
  return nodeHash(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

describe('the global Merkle tree (RFC 6962)', () => {
  it('has the root of the definition at every size, and every leaf proves into it', () => {
    const frontier = MerkleFrontier.empty();
    const nodes = new Map<string, Buffer>();
    const hashes: string[] = [];
    for (let i = 0; i < 37; i++) {
      hashes.push(eventHash(i));
      frontier.add(hashes[i], (n: CompletedNode) => nodes.set(`${n.level}/${n.index}`, n.hash));
      const root = frontier.root();
      expect(root).toBe(mth(hashes).toString('hex'));
      const lookup = (level: number, index: number) => (level === 0 ? leafHash(hashes[index]) : nodes.get(`${level}/${index}`)!);
      for (let leaf = 0; leaf <= i; leaf++) {
        const path = inclusionProof(lookup, leaf, i + 1);
        expect(verifyInclusion(hashes[leaf], leaf, i + 1, path, root)).toBe(true);
        expect(verifyInclusion(eventHash(999), leaf, i + 1, path, root)).toBe(false);
        if (i > 0) expect(verifyInclusion(hashes[leaf], (leaf + 1) % (i + 1), i + 1, path, root)).toBe(false);
      }
    }
  });

  it('restores from its saved frontier and goes on to the same root', () => {
    const a = MerkleFrontier.empty();
    for (let i = 0; i < 11; i++) a.add(eventHash(i));
    const b = MerkleFrontier.restore(a.size, a.save());
    a.add(eventHash(11));
    b.add(eventHash(11));
    expect(b.root()).toBe(a.root());
  });
});
