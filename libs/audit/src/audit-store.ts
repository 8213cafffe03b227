import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointEvent, decodeCheckpointEvent, encodeCheckpointEvent, Position } from '@civicloop/event-store';
import { CompletedNode, leafHash, MerkleFrontier, NodeLookup } from './merkle';
import { SignedCheckpoint } from './signing';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_state (
  name TEXT PRIMARY KEY, size INTEGER NOT NULL, peaks TEXT NOT NULL,
  position INTEGER, position_event TEXT, signed_size INTEGER NOT NULL, signed_at TEXT
);
CREATE TABLE IF NOT EXISTS audit_leaves (
  idx INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, revision INTEGER NOT NULL, event_id TEXT NOT NULL, event_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_leaves_stream ON audit_leaves (stream_id, revision);
CREATE TABLE IF NOT EXISTS audit_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_checkpoints (tree_size INTEGER PRIMARY KEY, signed_at TEXT NOT NULL, body TEXT NOT NULL);
`;

/** Where the follower stands: tree so far, the event it stands on, the last signed size. */
export interface AuditState {
  frontier: MerkleFrontier;
  position: Position | null;
  positionEvent: CheckpointEvent | null;
  signedSize: number;
  signedAt: string | null;
}

export interface AuditLeaf {
  index: number;
  streamId: string;
  revision: number;
  eventId: string;
  eventHash: string;
}

export interface AuditBatch {
  leaves: AuditLeaf[];
  nodes: CompletedNode[];
  frontier: MerkleFrontier;
  position: Position;
  positionEvent: CheckpointEvent;
}

/**
 * The global tree's durable home: one SQLite file (DATA_DIR/audit.sqlite) holding every leaf, every
 * completed subtree (for inclusion proofs), the follower's checkpoint and the signed checkpoints.
 * A batch and the new checkpoint commit together, compare-and-set on the size, so a second follower
 * on the same file cannot add a leaf twice.
 */
export class AuditStore {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  state(): AuditState {
    const row = this.db.prepare('SELECT * FROM audit_state WHERE name = ?').get('global') as
      { size: number; peaks: string; position: number | null; position_event: string | null; signed_size: number; signed_at: string | null } | undefined;
    if (!row) return { frontier: MerkleFrontier.empty(), position: null, positionEvent: null, signedSize: 0, signedAt: null };
    return {
      frontier: MerkleFrontier.restore(row.size, JSON.parse(row.peaks)),
      position: row.position, positionEvent: decodeCheckpointEvent(row.position_event),
      signedSize: row.signed_size, signedAt: row.signed_at,
    };
  }

  /** Commits a batch of leaves after `expectedSize`; false when another follower got there first. */
  commit(expectedSize: number, batch: AuditBatch, checkpoint?: SignedCheckpoint): boolean {
    return this.db.transaction(() => {
      const current = this.db.prepare('SELECT size FROM audit_state WHERE name = ?').get('global') as { size: number } | undefined;
      if ((current?.size ?? 0) !== expectedSize) return false;
      const leaf = this.db.prepare('INSERT INTO audit_leaves (idx, stream_id, revision, event_id, event_hash) VALUES (?, ?, ?, ?, ?)');
      for (const l of batch.leaves) leaf.run(l.index, l.streamId, l.revision, l.eventId, l.eventHash);
      const node = this.db.prepare('INSERT OR REPLACE INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)');
      for (const n of batch.nodes) node.run(n.level, n.index, n.hash);
      if (checkpoint) {
        this.db.prepare('INSERT OR REPLACE INTO audit_checkpoints (tree_size, signed_at, body) VALUES (?, ?, ?)')
          .run(checkpoint.treeSize, checkpoint.signedAt, JSON.stringify(checkpoint));
      }
      const previous = this.state();
      this.db.prepare(`INSERT INTO audit_state (name, size, peaks, position, position_event, signed_size, signed_at) VALUES ('global', ?, ?, ?, ?, ?, ?)
        ON CONFLICT(name) DO UPDATE SET size = excluded.size, peaks = excluded.peaks, position = excluded.position,
          position_event = excluded.position_event, signed_size = excluded.signed_size, signed_at = excluded.signed_at`)
        .run(batch.frontier.size, JSON.stringify(batch.frontier.save()), batch.position, encodeCheckpointEvent(batch.positionEvent),
          checkpoint?.treeSize ?? previous.signedSize, checkpoint?.signedAt ?? previous.signedAt);
      return true;
    }).immediate();
  }

  /** Signs nothing itself: stores a checkpoint signed for the current size (a timed checkpoint with no new leaves). */
  saveCheckpoint(checkpoint: SignedCheckpoint): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO audit_checkpoints (tree_size, signed_at, body) VALUES (?, ?, ?)')
        .run(checkpoint.treeSize, checkpoint.signedAt, JSON.stringify(checkpoint));
      this.db.prepare('UPDATE audit_state SET signed_size = ?, signed_at = ? WHERE name = ?').run(checkpoint.treeSize, checkpoint.signedAt, 'global');
    }).immediate();
  }

  latestCheckpoint(): SignedCheckpoint | null {
    const row = this.db.prepare('SELECT body FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1').get() as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as SignedCheckpoint) : null;
  }

  /** Where the events of a stream sit in the global tree. */
  leavesOf(streamId: string): AuditLeaf[] {
    return (this.db.prepare('SELECT * FROM audit_leaves WHERE stream_id = ? ORDER BY revision').all(streamId) as
      { idx: number; stream_id: string; revision: number; event_id: string; event_hash: string }[])
      .map((r) => ({ index: r.idx, streamId: r.stream_id, revision: r.revision, eventId: r.event_id, eventHash: r.event_hash }));
  }

  /** Completed subtrees as stored (level 0 from the leaves); throws when one is missing. */
  readonly node: NodeLookup = (level, index) => {
    if (level === 0) {
      const row = this.db.prepare('SELECT event_hash FROM audit_leaves WHERE idx = ?').get(index) as { event_hash: string } | undefined;
      if (!row) throw new Error(`audit tree: leaf ${index} is missing`);
      return leafHash(row.event_hash);
    }
    const row = this.db.prepare('SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?').get(level, index) as { hash: Buffer } | undefined;
    if (!row) throw new Error(`audit tree: node ${level}/${index} is missing`);
    return row.hash;
  };

  close(): void {
    this.db.close();
  }
}
