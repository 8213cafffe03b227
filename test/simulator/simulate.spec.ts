import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@civicloop/platform';
import { simulateDistrict, SimulationReport } from '../../apps/simulator/src/simulate';

const dirs: string[] = [];

function play(seed: number): Promise<SimulationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'civicloop-sim-'));
  dirs.push(dir);
  return simulateDistrict({
    config: loadConfig({ DATA_DIR: dir, NODE_ENV: 'test' }),
    seed, cases: 50, days: 10, start: new Date('2026-10-01T00:00:00+08:00'),
  });
}

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('district simulator', () => {
  let first: SimulationReport;
  let again: SimulationReport;
  let other: SimulationReport;

  beforeAll(async () => {
    first = await play(7);
    again = await play(7);
    other = await play(8);
  });

  it('gives the same history, event for event, for the same seed', () => {
    expect(first.events).toBeGreaterThan(50 * 5);
    expect(again.historyHash).toBe(first.historyHash);
    expect(again.events).toBe(first.events);
  });

  it('stores residents\' personal data encrypted with keys derived from the seed (the same bytes for the same seed)', async () => {
    const [a, b] = [dirs[0], dirs[1]].map((dir) => new Database(join(dir, 'events.sqlite'), { readonly: true }));
    const first = (db: Database.Database) => db.prepare("SELECT data FROM events WHERE type = 'CaseReceived' ORDER BY position LIMIT 1").pluck().get() as string;
    expect(JSON.parse(first(a)).description).toMatch(/^pd3:/);
    expect(first(a)).toBe(first(b));
    a.close();
    b.close();
  });

  it('gives another history for another seed', () => {
    expect(other.historyHash).not.toBe(first.historyHash);
  });

  it('plays journeys the engine accepts, with returns, escalations, whistles and ratings', () => {
    expect(first.refused).toEqual({});
    const seen = Object.keys(first.commandsByType);
    for (const type of ['ReceiveCase', 'DispatchCase', 'AcceptCase', 'ResolveCase', 'RateCase', 'CloseCase', 'EscalateCase']) {
      expect(seen).toContain(type);
    }
  });
});
