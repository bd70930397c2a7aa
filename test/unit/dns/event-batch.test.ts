// Packed event batches: what the DNS worker threads and the query log send between threads.
// Unpacked, a batch gives back exactly the events packed; a batch that arrives damaged is read
// as far as it goes, never past its arrays, and never throws.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { eachPacked, packBatch, type PackedBatch } from '../../../firmware/dns/events/event-batch.ts';
import { EventBuffer, VERDICTS, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { eventArb } from './event-arbitrary.ts';

/** The events of `batch` as the main thread takes them: into an event buffer, then drained. */
function received(batch: PackedBatch): QueryEvent[] {
  const buffer = new EventBuffer(1024);
  eachPacked(structuredClone(batch), (e) => buffer.push(e));
  return buffer.drain();
}

it('gives back every event packed, field for field and in order', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 80 }), (events) => {
    const normal = events.map((e) => {
      const buffer = new EventBuffer(1);
      buffer.push(e);
      return buffer.drain()[0];
    });
    expect(received(packBatch(events))).toEqual(normal);
  }));
});

it('reads a damaged batch as far as its arrays go, without throwing', () => {
  fc.assert(fc.property(
    fc.array(eventArb, { minLength: 1, maxLength: 20 }),
    fc.array(fc.tuple(fc.nat(), fc.oneof(fc.double(), fc.integer({ min: -5, max: 300 }))), { maxLength: 20 }),
    fc.integer({ min: 0, max: 100 }),
    (events, damage, count) => {
      const batch = packBatch(events);
      for (const [at, value] of damage) batch.words[at % batch.words.length] = value;
      const damaged = { ...batch, count, strings: batch.strings.slice(0, 1) };
      const out = received(damaged);
      expect(out.length).toBeLessThanOrEqual(Math.min(count, events.length));
      for (const e of out) expect(VERDICTS).toContain(e.verdict);
    },
  ));
});
