import { EventStore } from '@civicloop/event-store';
import { GENESIS_HASH } from '../event-hash';
import { MerkleFrontier } from '../merkle';
import { checkpointSignatureValid, SignedCheckpoint } from '../signing';
import { Break, classifyStream } from './classify-break';
import { LogEntry, LogPages, storeEntries } from './log-entries';

export interface CheckpointMatch {
  treeSize: number;
  signedAt: string;
  signatureValid: boolean;
  /** The log's first treeSize events have the signed root. */
  matches: boolean;
  detail: string;
}

export interface VerifyReport {
  events: number;
  streams: number;
  /** Events written before the chain existed (no stored hash): covered by the tree, not by a stream chain. */
  unsealed: number;
  treeSize: number;
  rootHash: string;
  firstBreak: Break | null;
  brokenStreams: number;
  checkpoint: CheckpointMatch | null;
  intact: boolean;
}

export interface VerifyOptions {
  /** Only this stream's chain is checked (the tree is still built over the whole log for the checkpoint). */
  streamId?: string;
  checkpoint?: SignedCheckpoint | null;
  pageSize?: number;
  /** Where the entries come from (default: the store's readAll; sqliteFileEntries for the embedded file). */
  entries?: LogPages;
  onProgress?: (events: number) => void;
}

interface StreamCursor {
  next: number;
  last: string;
  sealed: boolean;
  broken: boolean;
}

/**
 * Re-hashes the whole log in global order: every event's own hash and its link to the previous event
 * of its stream, and the Merkle tree over all of them, compared with a signed checkpoint when its
 * size is reached. The first broken stream is re-read in revision order to name the kind of break.
 */
export async function verifyLog(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { streamId, checkpoint = null, pageSize = 2000 } = options;
  const streams = new Map<string, StreamCursor>();
  const tree = MerkleFrontier.empty();
  let unsealed = 0;
  let firstBreak: Break | null = null;
  let brokenStreams = 0;
  let match: CheckpointMatch | null = null;
  const compare = () => {
    if (!checkpoint || match) return;
    const matches = tree.size === checkpoint.treeSize && tree.root() === checkpoint.rootHash;
    match = {
      treeSize: checkpoint.treeSize, signedAt: checkpoint.signedAt, signatureValid: checkpointSignatureValid(checkpoint), matches,
      detail: matches ? `the first ${checkpoint.treeSize} events have the signed root`
        : tree.size < checkpoint.treeSize ? `the log holds ${tree.size} events, fewer than the ${checkpoint.treeSize} signed: events were deleted`
        : `the first ${checkpoint.treeSize} events no longer have the signed root: the history before it was rewritten`,
    };
  };
  if (checkpoint?.treeSize === 0) compare();

  /** True when the event breaks its stream's chain for the first time (and that stream is then left alone). */
  const breaks = (event: LogEntry): boolean => {
    if (streamId !== undefined && event.streamId !== streamId) return false;
    let cursor = streams.get(event.streamId);
    if (!cursor) streams.set(event.streamId, (cursor = { next: 0, last: GENESIS_HASH, sealed: false, broken: false }));
    if (cursor.broken) return false;
    const own = event.stored;
    if (own === undefined && !cursor.sealed) unsealed += 1;
    const linked = own === undefined ? !cursor.sealed : event.prevHash === cursor.last;
    if (event.revision === cursor.next && linked && (own === undefined || own === event.hash)) {
      cursor.next += 1;
      // event.hash, not the stored one (equal here): that one is a slice of the row's metadata text,
      // and keeping it would keep every stream's last metadata text alive for the whole run.
      cursor.last = event.hash;
      cursor.sealed ||= own !== undefined;
      return false;
    }
    cursor.broken = true;
    brokenStreams += 1;
    return true;
  };
  const classify = async (event: LogEntry) => {
    firstBreak = classifyStream(await store.readStream(event.streamId)) ?? {
      kind: 'reordered', streamId: event.streamId, revision: event.revision, position: event.position,
      detail: `it comes in the global order before revision ${streams.get(event.streamId)?.next} of its own stream`,
    };
  };

  let events = 0;
  for await (const page of options.entries ?? storeEntries(store, pageSize)) {
    for (const event of page) {
      if (breaks(event) && !firstBreak) await classify(event);
      tree.add(event.hash);
      events += 1;
      if (tree.size === checkpoint?.treeSize) compare();
    }
    options.onProgress?.(events);
  }
  compare();
  const checked = match as CheckpointMatch | null;
  return {
    events, streams: streams.size, unsealed, treeSize: tree.size, rootHash: tree.root(),
    firstBreak, brokenStreams, checkpoint: checked, intact: firstBreak === null && (checked === null || (checked.matches && checked.signatureValid)),
  };
}
