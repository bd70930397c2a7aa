// fromBuffer must refuse anything but an intact file: every flipped byte, every truncation, and
// structural damage even when the checksum has been made to match.
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileMatcher } from '../../../../firmware/dns/matcher/compile.ts';
import { Matcher, MatchResult } from '../../../../firmware/dns/matcher/matcher.ts';
import type { MatcherData } from '../../../../firmware/dns/matcher/data.ts';
import {
  decodeMatcher, encodedChecksum, encodeMatcherPieces, MatcherFormatError, viewEncodedMatcher,
} from '../../../../firmware/dns/matcher/serialize.ts';

const sample = compileMatcher([
  { name: 'social.test', kind: 'block', category: 'social', list: 1, line: 3 },
  { name: 'social.test', kind: 'block', category: 'games', list: 2, line: 4 },
  { name: 'ok.social.test', kind: 'allow', list: 3, line: 1 },
  { name: 'bad.test', kind: 'restricted', list: 4, line: 9 },
  { name: 'exact.test', kind: 'block', category: 'games', mode: 'exact', list: 1, line: 5 },
], { seed: 77 });
const good = sample.toBuffer();

/** A copy with `edit` applied and the CRC recomputed, so only the structural checks can object. */
function resealed(edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = good.slice();
  const view = new DataView(bytes.buffer);
  edit(bytes, view);
  view.setUint32(16, crc32(bytes.subarray(20)), true);
  return bytes;
}

describe('viewEncodedMatcher (a table this thread just encoded)', () => {
  it('gives the same views as the checked decode, over the same bytes (no copy)', () => {
    const bytes = sample.toBuffer();
    const viewed = viewEncodedMatcher(bytes);
    const decoded = decodeMatcher(sample.toBuffer(), true);
    const { categories: c1, ...rest1 } = viewed;
    const { categories: c2, ...rest2 } = decoded;
    expect(rest1).toEqual(rest2);
    expect([...c1.ids()]).toEqual([...c2.ids()]);
    expect(viewed.slots.buffer).toBe(bytes.buffer);
    const r = new MatchResult();
    new Matcher(viewed).match('www.social.test', r);
    expect(r.blockList).toBe(1);
  });
});

const joined = (pieces: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(pieces));

describe('encodeMatcherPieces (the cache file written from the arrays)', () => {
  it('makes toBuffer()\'s bytes and checksum, with the table\'s own arrays as pieces', () => {
    const { data } = compileMatcher([{ name: 'a.test', kind: 'block', category: 'x', list: 0, line: 1 }], { seed: 5 }).toTransfer();
    for (const matcher of [sample, new Matcher(data), Matcher.empty()]) {
      const encoded = matcher.toPieces();
      const bytes = matcher.toBuffer();
      expect(joined(encoded.pieces)).toEqual(bytes);
      expect(encoded.bytes).toBe(bytes.length);
      expect(encoded.crc32).toBe(encodedChecksum(bytes));
    }
    expect(encodeMatcherPieces(data).pieces.some((p) => p.buffer === data.keys.buffer)).toBe(true);
  });

  it('writes a checksum it is given as it is, so a wrong one makes a file that is refused', () => {
    const right = sample.toPieces();
    expect(joined(sample.toPieces(right.crc32).pieces)).toEqual(good);
    const wrong = joined(sample.toPieces((right.crc32 ^ 1) >>> 0).pieces);
    expect(() => decodeMatcher(wrong)).toThrow(/checksum mismatch/);
  });
});

describe('toTransfer (the compiler thread hands its arrays over)', () => {
  it('crosses a MessagePort with no copy: the receiver answers the same, the sender is detached', () => {
    const sent = compileMatcher([
      { name: 'social.test', kind: 'block', category: 'social', list: 1, line: 3 },
      { name: 'social.test', kind: 'block', category: 'games', list: 2, line: 4 },
      { name: 'bad.test', kind: 'restricted', list: 4, line: 9 },
    ], { seed: 77 });
    const before = sent.toBuffer();
    const { data, buffers } = sent.toTransfer();
    const { categories, ...arrays } = data;
    expect(new Set(buffers).size).toBe(buffers.length);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(arrays, buffers);
    const received = receiveMessageOnPort(port2)!.message as Omit<MatcherData, 'categories'>;
    port1.close();
    expect(data.keys.byteLength).toBe(0);
    const matcher = new Matcher({ ...received, categories });
    expect(matcher.toBuffer()).toEqual(before);
    const r = new MatchResult();
    matcher.match('www.bad.test', r);
    expect(r.restricted).toBe(true);
  });

  it('refuses a table in shared memory (it is sent as its SharedArrayBuffer)', () => {
    expect(() => sample.toShared().matcher.toTransfer()).toThrow(/shared memory/);
  });
});

describe('toBuffer / fromBuffer', () => {
  it('round-trips, keeping the seed and answers', () => {
    const loaded = Matcher.fromBuffer(good);
    expect(loaded.seed).toBe(77);
    const r = new MatchResult();
    loaded.match('www.social.test', r);
    expect(loaded.categories.idsOf(r.blockLo, r.blockHi)).toEqual(['social', 'games']);
    expect(loaded.bytes).toBe(sample.bytes);
  });

  it('reads an unaligned buffer and is unaffected by later changes to it', () => {
    const holder = new Uint8Array(good.length + 1);
    holder.set(good, 1);
    const input = holder.subarray(1);
    const loaded = Matcher.fromBuffer(input);
    input.fill(0);
    const r = new MatchResult();
    loaded.match('social.test', r);
    expect(r.blockList).toBe(1);
  });

  it('adopts an aligned buffer (views, no copy) and copies an unaligned one', () => {
    for (const offset of [0, 4, 1, 2]) {
      const holder = new Uint8Array(good.length + offset);
      holder.set(good, offset);
      const loaded = Matcher.fromBuffer(holder.subarray(offset), { adopt: true });
      const r = new MatchResult();
      loaded.match('www.social.test', r);
      expect(loaded.categories.idsOf(r.blockLo, r.blockHi), `offset ${offset}`).toEqual(['social', 'games']);
      expect(loaded.toBuffer()).toEqual(good);
    }
    expect(() => Matcher.fromBuffer(good.subarray(0, good.length - 4).slice(), { adopt: true })).toThrow(MatcherFormatError);
  });

  it('rejects every single flipped byte', () => {
    for (let i = 0; i < good.length; i++) {
      const bytes = good.slice();
      bytes[i]! ^= 0x10;
      expect(() => Matcher.fromBuffer(bytes), `byte ${i}`).toThrow(MatcherFormatError);
    }
  });

  it('rejects every truncation and any padding', () => {
    for (let n = 0; n < good.length; n++) expect(() => Matcher.fromBuffer(good.subarray(0, n)), `length ${n}`).toThrow(MatcherFormatError);
    const padded = new Uint8Array(good.length + 4);
    padded.set(good);
    expect(() => Matcher.fromBuffer(padded)).toThrow(/header says/);
  });

  it('says what is wrong', () => {
    expect(() => Matcher.fromBuffer(new TextEncoder().encode('this is not a matcher at all, just some text here'))).toThrow(/bad magic/);
    expect(() => Matcher.fromBuffer(resealed((_, v) => v.setUint32(8, 2, true)))).toThrow(/format version 2/);
    const flipped = good.slice();
    flipped[good.length - 1]! ^= 1;
    expect(() => Matcher.fromBuffer(flipped)).toThrow(/checksum/);
    expect(() => Matcher.fromBuffer('nope' as unknown as Uint8Array)).toThrow(MatcherFormatError);
  });

  it('rejects structural damage behind a valid checksum', () => {
    const slotsAt = 48 + ((new DataView(good.buffer).getUint32(40, true) + 3) & ~3);
    const firstUsedSlot = (bytes: Uint8Array): number => {
      const slots = new Uint32Array(bytes.buffer, slotsAt, new DataView(bytes.buffer).getUint32(24, true));
      return slots.findIndex((v) => v !== 0);
    };
    // A slot naming an entry that does not exist.
    expect(() => Matcher.fromBuffer(resealed((b, v) => {
      v.setUint32(slotsAt + 4 * firstUsedSlot(b), 0xff000fff, true);
    }))).toThrow(MatcherFormatError);
    // An entry moved to a slot lookups would never reach (the slot before a run is empty).
    expect(() => Matcher.fromBuffer(resealed((b, v) => {
      const at = firstUsedSlot(b);
      const value = v.getUint32(slotsAt + 4 * at, true);
      const count = v.getUint32(24, true);
      let free = (at + 1) % count;
      while (v.getUint32(slotsAt + 4 * free, true) !== 0) free = (free + 1) % count;
      free = (free + 1) % count;
      while (v.getUint32(slotsAt + 4 * free, true) !== 0) free = (free + 1) % count;
      v.setUint32(slotsAt + 4 * at, 0, true);
      v.setUint32(slotsAt + 4 * free, value, true);
    }))).toThrow(/unreachable|missing|tag/);
    // Counts that disagree with the length.
    expect(() => Matcher.fromBuffer(resealed((_, v) => v.setUint32(28, v.getUint32(28, true) + 1, true)))).toThrow(/counts need|overfill/);
    expect(() => Matcher.fromBuffer(resealed((_, v) => v.setUint32(24, 0xffffffff, true)))).toThrow(/cannot fit/);
    // Category ids that are not JSON.
    expect(() => Matcher.fromBuffer(resealed((b) => { b[48] = 0x7b; }))).toThrow(/category ids/);
  });
});
