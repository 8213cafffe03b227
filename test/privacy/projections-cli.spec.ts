import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { encryptedCases, operatorContext as context } from '../support/encrypted-cases';

jest.setTimeout(60_000);

const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'cli', 'projections.js');
const PHRASE = '电梯困人半小时无人应答';

/** Every row of every board table of the read-model file, as text. */
function boardRows(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'board%'").all();
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('projections rebuild (the CLI) sees what the service sees', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-projections-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('projects residents\' texts decrypted, not their ciphertext', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const cases = encryptedCases(store, keys);
    try {
      await cases.append('lift', [{
        type: 'CaseReceived',
        data: {
          caseId: 'lift', channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
          description: PHRASE, compoundId: 'compound-01', building: '3', unit: '东单元', lat: null, long: null,
          reporterName: '孙立', reporterPhone: '13600003333', anonymous: false, residentId: null,
        },
      }], -1, context);
    } finally {
      await keys.close();
      await store.close();
    }
    const env = { ...process.env };
    delete env.DATA_DIR;
    const run = spawnSync(process.execPath, [CLI, 'rebuild', '--data-dir', dir], { cwd: dir, env, encoding: 'utf8', timeout: 45_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const rows = boardRows(join(dir, 'read-models.sqlite'));
    expect(rows).toContain(PHRASE);
    expect(rows).not.toMatch(/pd[123]:/);
  });
});
