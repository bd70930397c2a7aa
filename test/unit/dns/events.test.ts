import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { EventBuffer, emptyEventFields, type QueryEvent } from '../../../firmware/dns/events/event-buffer.ts';
import { QueryEventSchema } from '../../../firmware/dns/events/events-schema.ts';

const event = (n: number): QueryEvent => ({
  at: n, network: 'pupil', client: '127.20.0.5', transport: 'udp', name: `n${n}.example`, qtype: 1,
  verdict: 'forwarded', rcode: 0, upstream: 'test', latencyMs: 1.5,
});

describe('EventBuffer', () => {
  it('keeps events in order, drains in batches, and counts drops when full', () => {
    const b = new EventBuffer(3);
    expect([1, 2, 3, 4, 5].map((n) => b.push(event(n)))).toEqual([true, true, true, false, false]);
    expect(b.dropped).toBe(2);
    expect(b.drain(2).map((e) => e.at)).toEqual([1, 2]);
    b.push(event(6));
    b.push(event(7));
    expect(b.size).toBe(3);
    expect(b.drain().map((e) => e.at)).toEqual([3, 6, 7]);
    expect(b.size).toBe(0);
    expect(b.drain()).toEqual([]);
  });

  it('a tap sees every event as it is recorded, one the full buffer drops included', () => {
    const b = new EventBuffer(1);
    const seen: string[] = [];
    b.tap((e) => seen.push(`${e.name} ${e.verdict}`));
    b.push(event(1));
    b.push({ ...event(2), verdict: 'blocked', category: 'bypass' });
    expect(seen).toEqual(['n1.example forwarded', 'n2.example blocked']);
    expect(b.dropped).toBe(1);
  });

  it('rejects a nonsense capacity', () => {
    expect(() => new EventBuffer(0)).toThrow(RangeError);
  });

  it('events match their schema; outsiders have a null network', () => {
    expect(Value.Check(QueryEventSchema, event(1))).toBe(true);
    expect(Value.Check(QueryEventSchema, { ...event(1), qtype: 70000 })).toBe(false);
    const { upstream: _, ...outsider } = { ...event(1), network: null, verdict: 'refused' as const };
    expect(Value.Check(QueryEventSchema, outsider)).toBe(true);
    expect(Value.Check(QueryEventSchema, { ...event(1), verdict: 'maybe' })).toBe(false);
  });

  it('records events from one reused fields object, and drains the same events push would give', () => {
    const b = new EventBuffer(4);
    const full: QueryEvent = {
      at: 7, network: 'staff', client: '::1', device: 'dev-1', transport: 'tcp', name: 'watch.example', qtype: 28,
      verdict: 'blocked', rcode: 3, category: 'gaming', list: 'games', watch: true, latencyMs: 0.25,
    };
    const fields = emptyEventFields();
    Object.assign(fields, { at: 7, network: 'staff', client: '::1', device: 'dev-1', transport: 'tcp', name: 'watch.example', qtype: 28, verdict: 'blocked', rcode: 3, category: 'gaming', list: 'games', watch: true, latencyMs: 0.25 });
    expect(b.record(fields)).toBe(true);
    // The buffer copied the fields: reusing the object for the next question changes nothing recorded.
    Object.assign(fields, { at: 8, name: 'other.example', watch: false });
    b.push(full);
    b.push(event(1));
    expect(b.drain()).toEqual([full, full, event(1)]);
    // The ring wraps around its end and keeps order.
    for (let n = 2; n < 8; n++) {
      b.push(event(n));
      expect(b.drain().map((e) => e.at)).toEqual([n]);
    }
    for (let n = 10; n < 15; n++) b.push(event(n));
    expect(b.dropped).toBe(1);
    expect(b.drain().map((e) => Value.Check(QueryEventSchema, e) && e.at)).toEqual([10, 11, 12, 13]);
  });
});
