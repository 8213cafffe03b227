import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonalDataStore, SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { ERASED } from '@civicloop/domain';
import { PERSONAL_DATA_POLICY } from '@civicloop/platform';
import { EnvelopePage, readEnvelopePages, readLeanPages, readThroughPort } from '@civicloop/read-models';
import { encryptedCases, intake, operatorContext as context } from '../support/encrypted-cases';

/** Every page's envelopes as plain values: JSON opens each personal text (its getter) as a projection reading it would. */
const plain = (pages: EnvelopePage[]) => JSON.parse(JSON.stringify(pages));

/**
 * A rebuild reads the log leanly through the decrypting store as well (the CLI and the service wrap
 * every store in it): the same envelopes as through readAll, texts revealed, erased ones erased.
 */
describe('lean reads through the personal-data store', () => {
  let dir: string;
  let store: SqliteEventStore;
  let keys: SqlitePersonalDataKeys;
  let revealing: PersonalDataStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-lean-reads-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    const cases = encryptedCases(store, keys);
    for (let i = 0; i < 12; i++) {
      await cases.append(`c${i}`, [intake(`c${i}`, { description: `第${i}号：电梯困人`, reporterName: i % 3 ? '王女士' : null })], -1, context);
    }
    // A case whose texts were erased: its key is destroyed, its events stay.
    await keys.destroy('c4', '2026-11-30T01:00:00.000Z');
    revealing = new PersonalDataStore(store, keys, PERSONAL_DATA_POLICY);
  });
  afterAll(async () => {
    await keys?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the envelopes readAll gives, in pages of any size', async () => {
    expect(revealing.readAllLean).toBeDefined();
    for (const size of [1, 5, 500]) {
      const lean: EnvelopePage[] = [];
      for await (const page of readLeanPages(revealing, size)) lean.push(page);
      const throughPort: EnvelopePage[] = [];
      for await (const page of readThroughPort(revealing, size)) throughPort.push(page);
      expect(plain(lean)).toEqual(plain(throughPort));
    }
  });

  it('reveals the texts, erases an erased case\'s, and never hands out ciphertext', async () => {
    const envelopes = [];
    for await (const page of readEnvelopePages(revealing, 5)) envelopes.push(...page.envelopes);
    expect(envelopes).toHaveLength(12);
    const byCase = new Map(envelopes.map((e) => [e.caseId, e.data as unknown as Record<string, unknown>]));
    expect(byCase.get('c7')).toMatchObject({ description: '第7号：电梯困人', reporterName: '王女士' });
    expect(byCase.get('c4')).toMatchObject({ description: ERASED, reporterName: ERASED });
    expect(byCase.get('c3')!.reporterName).toBeNull();
    expect(JSON.stringify(envelopes)).not.toMatch(/pd[123]:/);
    // The store underneath, read leanly, holds only ciphertext: the texts above were opened on the way.
    const stored = await store.readAllLean({ fields: ['caseId'] });
    expect(JSON.stringify(stored)).not.toContain('电梯困人');
    // The metadata fields asked for come back alone (the key's whereabouts asked beside them are taken off).
    expect((await revealing.readAllLean!({ fields: ['caseId'] })).map((e) => e.fields)).toEqual(stored.map((e) => e.fields));
  });

  it('leaves the events of a store that keeps them as they were: no plaintext written into them, no field taken off', async () => {
    // A store that hands out the same lean event objects on every read (as a cache would).
    let kept: Awaited<ReturnType<SqliteEventStore['readAllLean']>> | null = null;
    const keeping = Object.assign(Object.create(store) as SqliteEventStore, {
      readAllLean: async (options: Parameters<SqliteEventStore['readAllLean']>[0]) => (kept ??= await store.readAllLean(options)),
    });
    const through = new PersonalDataStore(keeping, keys, PERSONAL_DATA_POLICY);
    const read = await through.readAllLean!({ fields: ['caseId'] });
    expect(JSON.stringify(read)).toContain('电梯困人');
    expect(JSON.stringify(kept)).not.toContain('电梯困人');
    expect(kept!.every((e) => e.fields.length === 3)).toBe(true);
    expect(await through.readAllLean!({ fields: ['caseId'] })).toEqual(read);
  });
});
