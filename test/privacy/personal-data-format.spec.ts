import Database from 'better-sqlite3';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseEvent } from '@civicloop/domain';
import { PersonalDataStore, SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { openTexts, sealTexts } from '../../libs/event-store/src/personal-data/sealed-value';
import { encryptedCases, intake, operatorContext as context } from '../support/encrypted-cases';

const received = (caseId: string): CaseEvent =>
  intake(caseId, { description: '楼顶漏水，渗到卧室', unit: '东单元', reporterName: '赵明月', reporterPhone: '13600002222' });

/** A value as written before 2026-11-30: one AES-GCM value per field, nonce from (event id, field), the field as additional data. */
function pd1(key: Buffer, eventId: string, field: string, text: string): string {
  const iv = createHmac('sha256', key).update(`${eventId}\u0000${field}`).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(field, 'utf8'));
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `pd1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** A value as written on 2026-11-30 before pd3: the event's texts in one AES-GCM value, its id and type as additional data. */
function pd2(key: Buffer, eventId: string, type: string, texts: Record<string, string>): string {
  const iv = createHmac('sha256', key).update(eventId).digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${eventId}\u0000${type}`, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(texts), 'utf8'), cipher.final()]);
  return `pd2:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

describe('personal data as stored: pd3 (one sealed value per event, the key named) beside the older pd2 and pd1', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'civicloop-pd-format-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a log and key file written before key ids (pd1 per field, the key kept with the case), and appends to it', async () => {
    const keyFile = join(dir, 'personal-data-keys.sqlite');
    const old = new Database(keyFile);
    old.exec('CREATE TABLE case_keys (case_id TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, erased_at TEXT)');
    const key = randomBytes(32);
    old.prepare('INSERT INTO case_keys VALUES (?, ?, ?, NULL)').run('old', key, '2026-11-01T00:00:00.000Z');
    old.close();
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const metadata = {
      eventId: 'e-1', streamId: 'case-old', caseId: 'old', occurredAt: '2026-11-01T00:00:00.000Z', actor: context.actor,
      commandId: 'c', correlationId: 'c', causationId: 'c', schemaVersion: 1,
    };
    await store.append('case-old', [{ type: 'CaseNoteAdded', data: { text: pd1(key, 'e-1', 'text', '赵明月说：又漏了') }, metadata }], 'no_stream');
    const keys = new SqlitePersonalDataKeys(keyFile);
    const cases = encryptedCases(store, keys);
    try {
      await cases.append('old', [{ type: 'CaseNoteAdded', data: { text: '赵明月再次来电' } }], 0, context);
      const stored = await cases.storedHistory('old');
      expect(stored[1].data.text).toMatch(/^pd3:/);
      expect(stored[1].metadata.keyId).toBeUndefined(); // sealed with the case's own key, found by case
      expect((await cases.history('old')).map((e) => e.data.text)).toEqual(['赵明月说：又漏了', '赵明月再次来电']);
      await cases.append('old', [{ type: 'PersonalDataErased', data: { reason: 'resident asked' } }], 1, context);
      expect((await cases.history('old')).slice(0, 2).map((e) => e.data.text)).toEqual(['已删除', '已删除']);
    } finally {
      await keys.close();
      await store.close();
    }
  });

  it('seals all of an event\'s personal texts in one value naming its key; a moved or altered value reads 已删除', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const cases = encryptedCases(store, keys);
    try {
      await cases.append('new', [received('new')], -1, context);
      await cases.append('new', [{ type: 'CaseNoteAdded', data: { text: '赵明月来电补充' } }], 0, context);
      const [intake, note] = await cases.storedHistory('new');
      const caseKey = await keys.lookup('new');
      expect(caseKey.state === 'active' && intake.metadata.keyId === caseKey.keyId && note.metadata.keyId === caseKey.keyId).toBe(true);
      expect(intake.data.description).toMatch(/^pd3:.{40,}/);
      expect([intake.data.building, intake.data.unit, intake.data.reporterName, intake.data.reporterPhone]).toEqual(['pd3:', 'pd3:', 'pd3:', 'pd3:']);
      expect(JSON.stringify(intake)).not.toContain('赵明月');
      const shown = (await cases.history('new'))[0];
      expect(JSON.parse(JSON.stringify(shown.data))).toMatchObject({ description: '楼顶漏水，渗到卧室', unit: '东单元', reporterName: '赵明月', category: 'repair.water_leak' });
      // Written past the gate into another stream: the note's sealed value under another note, and an altered intake.
      const copy = (id: string) => ({ ...intake.metadata, eventId: id, streamId: 'case-forged' });
      await store.append('case-forged', [
        { type: 'CaseNoteAdded', data: { text: note.data.text }, metadata: copy('f-1') },
        { type: 'CaseReceived', data: { ...intake.data, description: `pd3:${Buffer.from('x'.repeat(60)).toString('base64')}` }, metadata: copy('f-2') },
      ], 'no_stream');
      const [moved, altered] = await new PersonalDataStore(store, keys, PERSONAL_DATA_POLICY).readStream('case-forged');
      expect(moved.data.text).toBe('已删除');
      expect(altered.data.reporterName).toBe('已删除');
    } finally {
      await keys.close();
      await store.close();
    }
  });
  it('seals a resident\'s text that only looks like ciphertext ("pd3:…", "pd2:…", "pd1:…"): it reads back and no copy outlives an erasure', async () => {
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore(file);
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const cases = encryptedCases(store, keys);
    const intake = received('lookalike');
    const data = { ...intake.data, description: 'pd2:我家楼上漏水三天了', reporterName: 'pd1:钱多多', unit: 'pd3:东单元' };
    try {
      await cases.append('lookalike', [{ ...intake, data } as CaseEvent], -1, context);
      const [stored] = await cases.storedHistory('lookalike');
      expect(JSON.stringify(stored)).not.toContain('漏水三天');
      expect(JSON.stringify(stored)).not.toContain('钱多多');
      expect((await cases.history('lookalike'))[0].data).toMatchObject({ description: 'pd2:我家楼上漏水三天了', reporterName: 'pd1:钱多多', unit: 'pd3:东单元' });
      await cases.append('lookalike', [{ type: 'PersonalDataErased', data: { reason: 'resident asked' } }], 0, context);
      expect((await cases.history('lookalike'))[0].data).toMatchObject({ description: '已删除', reporterName: '已删除', unit: '已删除' });
    } finally {
      await keys.close();
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    const rows = raw.prepare<[], { data: string }>('SELECT data FROM events').all().map((row) => row.data).join('\n');
    raw.close();
    expect(rows).not.toContain('漏水三天');
    expect(rows).not.toContain('钱多多');
    expect(rows).not.toContain('东单元');
  });

  it('reads a pd2 value (AES-GCM, written before pd3) under the same case key beside pd3 ones, until the erasure', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const cases = encryptedCases(store, keys);
    try {
      await cases.append('mixed', [received('mixed')], -1, context);
      const [intake] = await cases.storedHistory('mixed');
      const caseKey = await keys.lookup('mixed');
      if (caseKey.state !== 'active') throw new Error('the case has no active key');
      const metadata = (eventId: string) => ({ ...intake.metadata, eventId });
      await store.append('case-mixed', [
        { type: 'CaseNoteAdded', data: { text: pd2(caseKey.key, 'old-note', 'CaseNoteAdded', { text: '赵明月：楼下也漏了' }) }, metadata: metadata('old-note') },
        // the same sealed value under another event's id: it must not open
        { type: 'CaseNoteAdded', data: { text: pd2(caseKey.key, 'old-note', 'CaseNoteAdded', { text: '赵明月：楼下也漏了' }) }, metadata: metadata('moved-note') },
      ], 0);
      await cases.append('mixed', [{ type: 'CaseNoteAdded', data: { text: '赵明月第三次来电' } }], 2, context);
      const stored = await cases.storedHistory('mixed');
      expect(stored.map((e) => String(e.data.text ?? e.data.description).slice(0, 4))).toEqual(['pd3:', 'pd2:', 'pd2:', 'pd3:']);
      expect((await cases.history('mixed')).map((e) => e.data.text ?? e.data.description))
        .toEqual(['楼顶漏水，渗到卧室', '赵明月：楼下也漏了', '已删除', '赵明月第三次来电']);
      await cases.append('mixed', [{ type: 'PersonalDataErased', data: { reason: 'resident asked' } }], 3, context);
      expect((await cases.history('mixed')).slice(0, 4).map((e) => e.data.text ?? e.data.description)).toEqual(['已删除', '已删除', '已删除', '已删除']);
    } finally {
      await keys.close();
      await store.close();
    }
  });

  it('gives one event the same pd3 bytes every time, and other texts under a repeated event id another nonce', () => {
    const key = randomBytes(32);
    const nonceOf = (value: string) => Buffer.from(value.slice(4), 'base64').subarray(0, 24).toString('hex');
    const once = sealTexts(key, 'e-1', 'CaseNoteAdded', { text: '赵明月来电' });
    expect(sealTexts(key, 'e-1', 'CaseNoteAdded', { text: '赵明月来电' })).toBe(once);
    // The simulator's ids and keys repeat across runs of one seed: a repeated id with other texts must not reuse the nonce.
    expect(nonceOf(sealTexts(key, 'e-1', 'CaseNoteAdded', { text: '钱多多来电' }))).not.toBe(nonceOf(once));
    expect(nonceOf(sealTexts(key, 'e-1', 'CaseReminded', { text: '赵明月来电' }))).not.toBe(nonceOf(once));
    expect(openTexts(key, 'e-1', 'CaseNoteAdded', once)).toEqual({ text: '赵明月来电' });
    expect(sealTexts(key, 'e-1', 'CaseNoteAdded', { text: '赵明月来电' })).toBe(once); // with the keys a read remembered
    expect(openTexts(key, 'e-2', 'CaseNoteAdded', once)).toBeNull();
    expect(openTexts(key, 'e-1', 'CaseReminded', once)).toBeNull();
    expect(openTexts(randomBytes(32), 'e-1', 'CaseNoteAdded', once)).toBeNull();
    expect(openTexts(key.subarray(0, 16), 'e-1', 'CaseNoteAdded', once)).toBeNull();
    expect(() => sealTexts(key.subarray(0, 16), 'e-1', 'CaseNoteAdded', { text: 'x' })).toThrow(/32 bytes/);
    // A long description (more than the seal's reused buffers hold at first), then a short text again.
    const long = { description: '楼道灯坏了，晚上很黑😀'.repeat(600), reporterName: '赵明月' };
    expect(openTexts(key, 'e-3', 'CaseReceived', sealTexts(key, 'e-3', 'CaseReceived', long))).toEqual(long);
    expect(openTexts(key, 'e-4', 'CaseNoteAdded', sealTexts(key, 'e-4', 'CaseNoteAdded', { text: '短' }))).toEqual({ text: '短' });
  });
});
