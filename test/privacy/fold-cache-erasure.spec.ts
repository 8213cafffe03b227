import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseRepository, toCaseView } from '@civicloop/cases';
import { CaseEvent } from '@civicloop/domain';
import { SqliteEventStore, SqlitePersonalDataKeys } from '@civicloop/event-store';
import { encryptedCases, intake, operatorContext as context } from '../support/encrypted-cases';

const received = intake('kept');
// A closed case ends on an event without personal data: the retention job's usual case.
const withdrawn: CaseEvent = { type: 'CaseClosed', data: { kind: 'withdrawn', reason: '居民撤诉', mergedIntoCaseId: null } };

/** Every Buffer reachable from `root` through own properties (string and symbol keys, getters read). */
function buffersIn(root: unknown): Buffer[] {
  const seen = new Set<unknown>();
  const found: Buffer[] = [];
  const stack = [root];
  while (stack.length) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    if (Buffer.isBuffer(value)) found.push(value);
    else for (const key of Reflect.ownKeys(value)) stack.push((value as Record<PropertyKey, unknown>)[key]);
  }
  return found;
}

/**
 * CaseRepository keeps the last fold of a case and folds only what is new on top of it. Once the
 * case's key is destroyed, no kept fold may carry the resident's texts on, nor the key that opened them.
 */
describe('the fold cache after an erasure', () => {
  let dir: string;
  let store: SqliteEventStore;
  let keys: SqlitePersonalDataKeys;
  let cases: CaseRepository;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'civicloop-fold-erasure-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'));
    keys = new SqlitePersonalDataKeys(join(dir, 'personal-data-keys.sqlite'));
    cases = encryptedCases(store, keys);
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the erasure folded on a kept state leaves neither the texts nor the destroyed key in it', async () => {
    await cases.append('kept', [received, withdrawn], -1, context);
    const before = await cases.load('kept');
    expect(toCaseView(before.state, before.revision).reporter?.phone).toBe('13800138000'); // a GET before the erasure
    const key = await keys.lookup('kept');
    if (key.state !== 'active') throw new Error('no key');
    const keyBytes = Buffer.from(key.key);
    await cases.append('kept', [{ type: 'PersonalDataErased', data: { reason: '居民申请删除' } }], before.revision, context);
    const after = await cases.load('kept');
    const serialized = JSON.stringify(after.state);
    expect(serialized).not.toContain('13800138000');
    expect(serialized).not.toContain('王女士');
    expect(serialized).not.toContain('楼顶漏水');
    expect(buffersIn(after).some((buffer) => buffer.equals(keyBytes))).toBe(false);
    expect(toCaseView(after.state, after.revision)).toMatchObject({ description: '已删除', reporter: { name: '已删除', phone: '已删除' } });
  });

  it('a key destroyed before its erasure event is written (a crash in between) reads 已删除 at once, not from the kept fold', async () => {
    await cases.append('kept', [received, withdrawn], -1, context);
    const before = await cases.load('kept');
    expect(toCaseView(before.state, before.revision).description).toBe('楼顶漏水三天了');
    const key = await keys.lookup('kept');
    if (key.state !== 'active' || key.keyId === null) throw new Error('no key');
    await keys.destroy('kept', '2026-11-30T03:00:00.000Z', [key.keyId]); // and the append of PersonalDataErased never happens
    const after = await cases.load('kept');
    expect(toCaseView(after.state, after.revision)).toMatchObject({ description: '已删除', reporter: { name: '已删除', phone: '已删除' } });
  });
});
