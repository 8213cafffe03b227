import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, CommandContext } from '@civicloop/cases';
import { CaseEvent } from '@civicloop/domain';
import { PersonalDataStore, SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { ManualClock, PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { PersonalDataEncryption } from '../../apps/api/src/cli/migrate/encrypt-personal-data';
import { migrate } from '../../apps/api/src/cli/migrate/migrate';

const context: CommandContext = { actor: { id: 'op-1', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c' };
const received = (caseId: string, unit: string): CaseEvent => ({
  type: 'CaseReceived',
  data: {
    caseId, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '电梯困人三次仍未修好',
    compoundId: 'compound-01', building: '3', unit, lat: null, long: null, reporterName: '赵明月', reporterPhone: '13600002222', anonymous: false, residentId: null,
  },
});

describe('migrate --encrypt-personal-data: a resident\'s text that only looks sealed ("pd3:…") in an old plain log', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-lookalike-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['pd3:', 'pd2:', 'pd1:'])('is encrypted like any text (%s…): it reads back, and no copy outlives the erasure', async (prefix) => {
    const plain = new SqliteEventStore(join(dir, 'plain.sqlite'));
    const old = new CaseRepository(plain, new ManualClock(new Date('2026-01-05T02:00:00.000Z')));
    await old.append('a', [received('a', `${prefix}东单元七楼`)], -1, context);
    await old.append('a', [{ type: 'CaseNoteAdded', data: { text: `${prefix}钱多多说楼下也漏了` } }], 0, context);
    await plain.close();
    const source = new SqliteEventStore(join(dir, 'plain.sqlite'), { cachedEvents: 0 });
    const target = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    try {
      const encryption = new PersonalDataEncryption(keys, target);
      await migrate({ from: { name: 'plain', store: source }, to: { name: 'encrypted', store: target }, checkpointFile: join(dir, 'cp.json'), rewrite: encryption.rewrite });
      expect(encryption.report.encrypted).toBe(2);
      const readable = new PersonalDataStore(target, keys, PERSONAL_DATA_POLICY);
      const shown = await readable.readStream('case-a');
      expect([shown[0].data.unit, shown[1].data.text]).toEqual([`${prefix}东单元七楼`, `${prefix}钱多多说楼下也漏了`]);
      const cases = new CaseRepository(readable, new ManualClock(new Date('2026-02-01T00:00:00.000Z')), undefined, keys);
      const loaded = await cases.load('a');
      await cases.append('a', [{ type: 'PersonalDataErased', data: { reason: 'resident asked' } }], loaded.revision, context, undefined, loaded.hash);
    } finally {
      await keys.close();
      await target.close();
      await source.close();
    }
    const raw = new Database(join(dir, 'events.sqlite'), { readonly: true });
    const rows = JSON.stringify(raw.prepare('SELECT data FROM events').pluck().all());
    raw.close();
    expect(rows).not.toContain('东单元七楼');
    expect(rows).not.toContain('钱多多说楼下也漏了');
  });
});
