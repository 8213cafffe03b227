import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * The layers a command passes through, innermost first where they nest (the personal-data keys'
 * transaction before the event store, the gate before the controllers). A sample belongs to the
 * first layer found walking its stack from the leaf up, so a library's time counts for the layer
 * that called it only when it has no layer of its own. Start-up (module loading) is set apart.
 */
const LAYERS: [layer: string, frame: RegExp][] = [
  ['garbage collection', /^\(garbage collector\) /],
  ['idle', /^\((idle|program)\) /],
  ['event append (group commit, or the hand-over to the writer thread)', /group-commit\.js|writer-thread\.js|append-rows\.js|^append \S*sqlite-event-store\.js/],
  ['stream read', /sqlite-event-store\.js|stream-cache\.js/],
  ['personal-data keys (their transaction and fsync)', /personal-data-keys\.js/],
  ['personal-data encryption', /personal-data-cipher\.js|personal-data-store\.js|protectEvent/],
  ['audit chain (hashing)', /libs\/audit\//],
  ['domain (authorize, decide, evolve)', /libs\/domain\//],
  ['validation (class-validator, class-transformer)', /class-validator|class-transformer|validation\.pipe\.js/],
  ['JWT', /jsonwebtoken|@nestjs\/jwt|\/jws\/|\/jwa\/|\/jose\/|\/auth\//],
  ['logging (pino)', /pino|sonic-boom|redact|fastify-request\.js/],
  ['security headers (helmet)', /helmet/],
  ['idempotency', /idempotency/],
  ['throttler', /throttl/],
  ['tracing', /observability\/tracing/],
  ['the gate and repository (libs/cases)', /libs\/cases\//],
  ['API controllers, guards, filters', /apps\/api\//],
  ['read models and consumers', /read-models|libs\/consumers|kysely/],
  ['Nest core, rxjs, cqrs', /@nestjs|rxjs|reflect-metadata/],
  ['Fastify', /fastify|find-my-way|middie|avvio/],
  ['Node HTTP and sockets', /node:_http|node:net|node:stream|^writev |^writeString |parserOn/],
];
const STARTUP = /Module\._load .*node:internal\/modules/;

/** Time by layer in a V8 .cpuprofile, as shares of the time outside start-up and idle. */
export function summarizeLayers(file: string): { layer: string; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const frame = new Map<number, string>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    frame.set(node.id, `${functionName || '(anonymous)'} ${url}:${lineNumber}`);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const micros = new Map<string, number>();
  profile.samples.forEach((leaf, i) => {
    const stack: string[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(frame.get(id) ?? '');
    const layer = stack.some((f) => STARTUP.test(f)) ? 'start-up'
      : stack.map((f) => LAYERS.find(([, pattern]) => pattern.test(f))?.[0]).find((l) => l !== undefined) ?? 'other (Node internals)';
    micros.set(layer, (micros.get(layer) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const working = [...micros].filter(([layer]) => layer !== 'start-up' && layer !== 'idle').reduce((sum, [, m]) => sum + m, 0);
  return [...micros].filter(([layer]) => layer !== 'start-up' && layer !== 'idle')
    .sort((a, b) => b[1] - a[1]).map(([layer, m]) => ({ layer, share: Math.round((m / working) * 1000) / 10 }));
}
