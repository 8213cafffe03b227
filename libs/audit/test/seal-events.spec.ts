import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { EventMetadata, NewEvent } from '@civicloop/event-store';
import { contentHash, GENESIS_HASH, sealEvents, storedTextHash } from '../src/event-hash';

/** JSON-like values with the awkward parts: integer-like keys (enumerated first by JS), non-ASCII and astral keys, undefined. */
const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '9', '01', '-1', 'ä', '€', '😀', 'a\u0000b', '受理'));
const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant(undefined));
const { json } = fc.letrec((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('json'), { maxLength: 4 }), fc.dictionary(key, tie('json'), { maxKeys: 5 })),
}));
const objectOf = fc.dictionary(key, json, { maxKeys: 6 });
const metadataOf = (extra: Record<string, unknown>): EventMetadata => ({
  eventId: 'e-1', streamId: 'case-1', occurredAt: '2026-11-30T10:00:00.000Z', actor: { id: 'op', role: 'operator', unitId: null },
  commandId: 'c-1', correlationId: 'corr-1', causationId: 'c-1', schemaVersion: 1, ...extra,
});
const eventOf = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): NewEvent => ({ type, data, metadata: metadataOf(extra) });

describe('sealEvents', () => {
  it('gives each event the hash canonicalize gives its content, linked to the one before', () => {
    fc.assert(fc.property(fc.array(fc.record({ type: fc.string({ minLength: 1 }), data: objectOf, extra: objectOf }).map(({ type, data, extra }) => eventOf(type, data, extra)), { minLength: 1, maxLength: 3 }), fc.nat(50), (events, first) => {
      const sealed = sealEvents('case-甲', first, GENESIS_HASH, events);
      let prevHash = GENESIS_HASH;
      sealed.forEach((event, i) => {
        expect(event.metadata.prevHash).toBe(prevHash);
        const hash = contentHash({ streamId: 'case-甲', revision: first + i, type: event.type, data: event.data, metadata: event.metadata });
        expect(event.metadata.hash).toBe(hash);
        // the copies hold the same content as given (undefined skipped as JSON does)
        expect(canonicalize(event.data)).toBe(canonicalize(events[i].data));
        prevHash = hash;
      });
    }), { numRuns: 300 });
  });

  it('writes sorted keys, so the stored text is the hashed text when no key is integer-like', () => {
    const [event] = sealEvents('case-1', 0, GENESIS_HASH, [eventOf('CaseReceived', { z: 1, a: { y: [2, { c: 3, b: undefined }], x: '受理' } })]);
    const dataText = JSON.stringify(event.data);
    const metadataText = JSON.stringify(event.metadata);
    expect(dataText).toBe('{"a":{"x":"受理","y":[2,{"c":3}]},"z":1}');
    expect(storedTextHash('case-1', 0, 'CaseReceived', dataText, metadataText)?.hash).toBe(event.metadata.hash);
    const expected = createHash('sha256').update('[' + '"case-1",0,"CaseReceived",' + dataText + ',' + metadataText.slice(0, metadataText.lastIndexOf(',"hash"')) + '}]').digest('hex');
    expect(event.metadata.hash).toBe(expected);
  });

  it('keeps a __proto__ key (JSON.parse makes it an own key) in the copy it stores, so the stored event still verifies', () => {
    const data = JSON.parse('{"__proto__":{"x":1},"a":2,"nested":[{"__proto__":{"y":2}}]}') as Record<string, unknown>;
    const [event] = sealEvents('case-1', 0, GENESIS_HASH, [eventOf('Imported', data)]);
    const stored = JSON.parse(JSON.stringify(event)) as typeof event; // what a store keeps and gives back
    expect(Object.keys(stored.data)).toEqual(['__proto__', 'a', 'nested']);
    expect(contentHash({ streamId: 'case-1', revision: 0, type: 'Imported', data: stored.data, metadata: stored.metadata })).toBe(event.metadata.hash);
  });

  it('refuses a number JSON cannot carry', () => {
    expect(() => sealEvents('case-1', 0, GENESIS_HASH, [eventOf('X', { n: Number.NaN })])).toThrow(/not allowed/);
    expect(() => sealEvents('case-1', 0, GENESIS_HASH, [eventOf('X', { n: [Infinity] })])).toThrow(/not allowed/);
  });
});
