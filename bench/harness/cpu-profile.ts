import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by function, highest first. */
  functions: { name: string; where: string; selfMs: number; share: number }[];
  /** Self time by package (node_modules/<name>), node internals, or our own code. */
  owners: { owner: string; selfMs: number; share: number }[];
}

function ownerOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  const ours = url.match(/\/(?:dist|civicloop-bench)\/(?:\.bench\/)?((apps|libs|bench)\/[^/]+)/);
  if (ours) return ours[1];
  const match = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
  return match ? match[1] : url;
}

/** Reads a V8 .cpuprofile (from node --cpu-prof) and sums self time per function and per package. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0) / 1000;
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  const owners = new Map<string, number>();
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/.*\/civicloop-bench\//, '').replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += micros / 1000;
    functions.set(key, entry);
    const owner = ownerOf(url);
    owners.set(owner, (owners.get(owner) ?? 0) + micros / 1000);
  }
  const share = (ms: number) => Math.round((ms / totalMs) * 1000) / 10;
  return {
    totalMs: Math.round(totalMs),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), share: share(f.selfMs) })),
    owners: [...owners].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([owner, ms]) => ({ owner, selfMs: Math.round(ms), share: share(ms) })),
  };
}
