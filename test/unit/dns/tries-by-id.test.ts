// The forwarder's per-socket table of tries by query ID behaves as a Map would, whatever the
// order of adds and removals.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Pending, TriesById } from '../../../firmware/dns/upstream/tries.ts';

it('keeps the same tries under the same IDs as a Map, through any adds, removals and clears', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('clear' as const), id: fc.constant(0) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
    const table = new TriesById();
    const model = new Map<number, Pending>();
    for (const { kind, id } of ops) {
      if (kind === 'set') {
        // The forwarder never reuses an ID in flight on the socket.
        if (model.has(id)) continue;
        const p = new Pending();
        table.set(id, p);
        model.set(id, p);
      } else if (kind === 'delete') {
        table.delete(id);
        model.delete(id);
      } else {
        table.clear();
        model.clear();
      }
      expect(table.size).toBe(model.size);
      for (let k = 0; k <= 20; k++) {
        expect(table.has(k)).toBe(model.has(k));
        expect(table.get(k)).toBe(model.get(k));
      }
      expect(new Set(table.values())).toEqual(new Set(model.values()));
    }
  }));
});
