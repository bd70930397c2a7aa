import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { EventBuffer, QueryEventSchema, type QueryEvent } from '../../../firmware/dns/events.ts';

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
});
