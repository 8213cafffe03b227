import Database from 'better-sqlite3';
import { CheckpointEvent, decodeCheckpointEvent, encodeCheckpointEvent, Position } from '@civicloop/event-store';

export interface StoredDeadlineCheckpoint {
  position: Position;
  /** The event at `position` (null if written before checkpoints carried it); see checkpoint-event.ts. */
  event: CheckpointEvent | null;
}

/** The scheduler's position in the event store, kept next to the app's other state. */
export class DeadlineCheckpoint {
  private readonly readStatement: Database.Statement;
  private readonly writeStatement: Database.Statement;
  private readonly replaceStatement: Database.Statement;
  private readonly clearStatement: Database.Statement;

  constructor(db: Database.Database, private readonly name = 'deadline-scheduler') {
    // Under the write lock: two processes opening an older file together would both add the column.
    db.transaction(() => {
      db.exec('CREATE TABLE IF NOT EXISTS deadline_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL, event TEXT)');
      const columns = db.prepare("SELECT name FROM pragma_table_info('deadline_checkpoints')").all() as { name: string }[];
      if (!columns.some((c) => c.name === 'event')) db.exec('ALTER TABLE deadline_checkpoints ADD COLUMN event TEXT');
    }).immediate();
    this.readStatement = db.prepare('SELECT position, event FROM deadline_checkpoints WHERE name = ?');
    // Forward only: a late periodic save must not move the checkpoint back behind the reconciler's.
    this.writeStatement = db.prepare(
      `INSERT INTO deadline_checkpoints (name, position, event) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET position = excluded.position, event = excluded.event WHERE excluded.position > position`,
    );
    this.replaceStatement = db.prepare(
      `INSERT INTO deadline_checkpoints (name, position, event) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET position = excluded.position, event = excluded.event`,
    );
    this.clearStatement = db.prepare('DELETE FROM deadline_checkpoints WHERE name = ?');
  }

  read(): StoredDeadlineCheckpoint | null {
    const row = this.readStatement.get(this.name) as { position: number; event: string | null } | undefined;
    return row ? { position: row.position, event: decodeCheckpointEvent(row.event) } : null;
  }

  write(position: Position, event: CheckpointEvent): void {
    this.writeStatement.run(this.name, position, encodeCheckpointEvent(event));
  }

  /** Moves the checkpoint anywhere, backwards included: only for a checkpoint found to be from another store. */
  replace(position: Position, event: CheckpointEvent): void {
    this.replaceStatement.run(this.name, position, encodeCheckpointEvent(event));
  }

  clear(): void {
    this.clearStatement.run(this.name);
  }
}
