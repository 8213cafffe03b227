import { KEY_POOL_BATCH, randomDataKeys } from '../src';

describe('data keys made ahead', () => {
  it('have ids that sort by when they were made (batch after batch, key after key), unique, 32 bytes each', () => {
    const first = randomDataKeys(KEY_POOL_BATCH, Date.parse('2026-11-30T12:00:00.000Z'));
    const second = randomDataKeys(KEY_POOL_BATCH, Date.parse('2026-11-30T12:00:00.001Z'));
    const ids = [...first, ...second].map((key) => key.keyId);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect([...first, ...second].every(({ key }) => key.length === 32 && key.buffer.byteLength === 32)).toBe(true);
    // Two processes filling their pools in the same millisecond still make different ids.
    const other = randomDataKeys(KEY_POOL_BATCH, Date.parse('2026-11-30T12:00:00.000Z'));
    expect(other.some((key, i) => key.keyId === first[i].keyId)).toBe(false);
  });
});
