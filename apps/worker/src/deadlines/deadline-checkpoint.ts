import Database from 'better-sqlite3';

/** The scheduler's position in the event store, kept next to the app's other state. */
export class DeadlineCheckpoint {
  private readonly readStatement: Database.Statement;
  private readonly writeStatement: Database.Statement;

  constructor(db: Database.Database, private readonly name = 'deadline-scheduler') {
    db.exec('CREATE TABLE IF NOT EXISTS deadline_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    this.readStatement = db.prepare('SELECT position FROM deadline_checkpoints WHERE name = ?');
    this.writeStatement = db.prepare(
      'INSERT INTO deadline_checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position WHERE excluded.position > position',
    );
  }

  read(): number | null {
    const row = this.readStatement.get(this.name) as { position: number } | undefined;
    return row ? row.position : null;
  }

  write(position: number): void {
    this.writeStatement.run(this.name, position);
  }
}
