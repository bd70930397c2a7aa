import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson, CanonicalJsonError, GENESIS_HASH, nextRecord, verifyEntries, type AuditEntry,
} from '../../../firmware/control/audit-chain.ts';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
    // "\u20ac" (€) sorts after "\r" and "1" by code unit, not by locale.
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 })).toBe('{"\\r":2,"1":3,"€":1}');
  });

  it('writes numbers as ECMAScript does (RFC 8785 examples)', () => {
    expect(canonicalJson([1e30, 4.5, 0.002, 1e-27, -0, 333333333.3333333])).toBe('[1e+30,4.5,0.002,1e-27,0,333333333.3333333]');
  });

  it('leaves out undefined members and writes Dates as ISO strings', () => {
    expect(canonicalJson({ a: undefined, b: new Date('2026-03-02T08:45:00Z') })).toBe('{"b":"2026-03-02T08:45:00.000Z"}');
  });

  it.each([
    ['NaN', { n: Number.NaN }, /\$\.n is NaN/],
    ['Infinity', [Number.POSITIVE_INFINITY], /\$\[0\] is Infinity/],
    ['a BigInt', { n: 1n }, /\$\.n is a bigint/],
    ['a function', { f: () => 1 }, /is a function/],
    ['undefined in an array', [1, undefined], /\$\[1\] is undefined/],
    ['a class instance', { m: new Map() }, /\$\.m is a Map object/],
    ['an invalid Date', { d: new Date(Number.NaN) }, /invalid Date/],
  ])('refuses %s rather than letting JSON change it', (_what, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it('refuses cycles but accepts shared (acyclic) references', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/\$\.self refers back to itself/);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('is stable under a JSON round trip, so a re-read export hashes the same', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const once = canonicalJson(value);
      expect(canonicalJson(JSON.parse(once))).toBe(once);
    }));
  });
});

describe('the hash of an entry', () => {
  it('matches an independently computed SHA-256 of the documented serialisation', () => {
    // Computed with: printf '%s' '<the string below>' | sha256sum. If this changes, every
    // installed gateway's existing chain stops verifying: never change the format.
    const record = nextRecord(undefined, {
      at: '2026-03-02T08:45:00.000Z', actor: 'ssh:tech', action: 'device.suspend', subject: '3c:22:fb:01:a2:9e',
      details: { reason: 'hotspot', minutes: 60 },
    });
    expect(record.prevHash).toBe(GENESIS_HASH);
    expect(record.detailsJson).toBe('{"minutes":60,"reason":"hotspot"}');
    expect(record.hash).toBe('b26162486de62734c696564dcfd3d3536f06154ff57c1feb2cc298a1694e1a5b');
  });
});

// ---- property: chains built from any appends verify; any single-field change breaks at that entry

const appendInput = fc.record({
  actor: fc.string({ minLength: 1, maxLength: 20 }),
  action: fc.constantFrom('config.update', 'device.suspend', 'auth.login', 'change.approve'),
  subject: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null }),
  details: fc.jsonValue({ maxDepth: 3 }),
});

interface AppendInput { actor: string; action: string; subject: string | null; details: unknown }

function buildChain(inputs: AppendInput[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let t = Date.parse('2026-01-05T08:00:00.000Z');
  for (const input of inputs) {
    t += 1000;
    const prev = entries.at(-1);
    const record = nextRecord(prev, { ...input, at: new Date(t).toISOString() });
    entries.push({ ...record, details: JSON.parse(record.detailsJson) });
  }
  // What an auditor receives: the export written out as JSON and read back.
  return JSON.parse(JSON.stringify(entries)) as AuditEntry[];
}

const FIELDS = ['seq', 'at', 'actor', 'action', 'subject', 'details', 'prevHash', 'hash'] as const;
type Field = typeof FIELDS[number];

const replacement: Record<Field, fc.Arbitrary<unknown>> = {
  seq: fc.integer({ min: -5, max: 1000 }),
  at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
  actor: fc.string({ maxLength: 20 }),
  action: fc.string({ maxLength: 20 }),
  subject: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
  details: fc.jsonValue({ maxDepth: 3 }),
  prevHash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string()),
  hash: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string()),
};

function sameValue(field: Field, a: unknown, b: unknown): boolean {
  return field === 'details' ? canonicalJson(a ?? null) === canonicalJson(b ?? null) : Object.is(a, b);
}

describe('verifyEntries (an exported pack, no database)', () => {
  it('accepts any chain of appends, reporting its length and head', () => {
    fc.assert(fc.property(fc.array(appendInput, { maxLength: 30 }), (inputs) => {
      const chain = buildChain(inputs);
      expect(verifyEntries(chain)).toEqual({ ok: true, entries: inputs.length, head: chain.at(-1)?.hash ?? GENESIS_HASH });
    }));
  });

  it('breaks at exactly the entry whose single field was changed', () => {
    const scenario = fc.array(appendInput, { minLength: 1, maxLength: 15 }).chain((inputs) => fc.record({
      inputs: fc.constant(inputs),
      index: fc.nat({ max: inputs.length - 1 }),
      field: fc.constantFrom(...FIELDS),
    })).chain((s) => fc.record({ s: fc.constant(s), value: replacement[s.field] }));

    fc.assert(fc.property(scenario, ({ s, value }) => {
      const chain = buildChain(s.inputs);
      const target = chain[s.index]!;
      fc.pre(!sameValue(s.field, target[s.field], value));
      (target as Record<Field, unknown>)[s.field] = value;
      const verdict = verifyEntries(chain);
      expect(verdict).toMatchObject({ ok: false, brokenAt: s.index + 1 });
    }), { numRuns: 500 });
  });

  it('notices entries removed from the middle, but only an anchor can notice a cut tail', () => {
    const chain = buildChain([1, 2, 3, 4].map((i) => ({ actor: 'a', action: 'x.y', subject: null, details: i })));
    expect(verifyEntries([chain[0]!, chain[2]!, chain[3]!])).toMatchObject({ ok: false, brokenAt: 2, reason: expect.stringMatching(/entry 2 is missing/) });
    expect(verifyEntries([chain[1]!, chain[2]!])).toMatchObject({ ok: false, brokenAt: 1 });
    // A shortened chain is still a valid chain: hence verify() returns the head to record elsewhere.
    expect(verifyEntries(chain.slice(0, 3))).toMatchObject({ ok: true, entries: 3, head: chain[2]!.hash });
  });
});
