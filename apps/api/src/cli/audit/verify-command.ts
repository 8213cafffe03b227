import { SingleBar } from 'cli-progress';
import { Break, BreakKind, sqliteFileEntries, verifyLog, VerifyReport } from '@civicloop/audit';
import { SqliteEventStore } from '@civicloop/event-store';
import { chooseCheckpoint, openAudit, openEvents, SourceOptions, UsageError } from './sources';

export interface VerifyCliOptions extends SourceOptions {
  stream?: string;
  progress: boolean;
  json: boolean;
}

const KIND: Record<BreakKind, string> = {
  changed: 'changed content', deleted: 'deleted', inserted: 'inserted', reordered: 'reordered',
};

export const describeBreak = (b: Break) =>
  `${KIND[b.kind]} at ${b.streamId} revision ${b.revision} (global position ${b.position ?? '—'}): ${b.detail}`;

/** Runs verify and prints its summary; resolves to the exit code (0 intact, 1 broken). */
export async function verifyCommand(options: VerifyCliOptions, out: (line: string) => void): Promise<number> {
  if (options.stream !== undefined && !/^[A-Za-z0-9_-]+-\S+$/.test(options.stream)) throw new UsageError('--stream must name a stream, e.g. case-<id>');
  const events = await openEvents(options);
  const audit = openAudit(options);
  const started = Date.now();
  const bar = new SingleBar({ format: 'verifying | {value} events | {rate} events/s', noTTYOutput: false, stream: process.stderr });
  try {
    const { checkpoint, source } = chooseCheckpoint(options, audit);
    if (options.progress) bar.start(0, 0, { rate: '0' });
    const report = await verifyLog(events, {
      streamId: options.stream, checkpoint,
      // The embedded file is read directly: sealed events hash from their stored bytes (see storedTextHash).
      entries: events instanceof SqliteEventStore ? sqliteFileEntries(events.file) : undefined,
      onProgress: (n) => options.progress && bar.update(n, { rate: Math.round(n / Math.max((Date.now() - started) / 1000, 0.001)).toString() }),
    });
    if (options.progress) bar.stop();
    if (options.json) out(JSON.stringify({ ...report, checkpointSource: checkpoint ? source : null }, null, 2));
    else summary(report, checkpoint ? source : null, (Date.now() - started) / 1000).forEach((line) => out(line));
    return report.intact ? 0 : 1;
  } finally {
    audit?.close();
    await events.close();
  }
}

function summary(report: VerifyReport, checkpointSource: string | null, seconds: number): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `${report.intact ? 'INTACT' : 'BROKEN'}: ${n(report.events)} events in ${n(report.streams)} streams re-hashed in ${seconds.toFixed(1)} s`
      + (report.unsealed ? ` (${n(report.unsealed)} written before the chain, covered by the tree only)` : ''),
    `tree of ${n(report.treeSize)} events, root ${report.rootHash}`,
  ];
  if (report.firstBreak) {
    lines.push(`first broken event: ${describeBreak(report.firstBreak)}`);
    if (report.brokenStreams > 1) lines.push(`${n(report.brokenStreams - 1)} other stream(s) broken as well`);
  }
  const c = report.checkpoint;
  if (!c) lines.push('no signed checkpoint to compare with (pass --checkpoint FILE)');
  else {
    lines.push(`checkpoint of ${n(c.treeSize)} events signed ${c.signedAt} (${checkpointSource}): ${c.matches ? 'matches' : 'DOES NOT MATCH'}`
      + `, signature ${c.signatureValid ? 'valid' : 'INVALID'}; ${c.detail}`);
  }
  return lines;
}
