// The forwarder's timeout queue: every try still running at its deadline is told, in deadline
// order, and only those; ended tries are dropped. Checked against a model through any mix of
// schedules, ends, retries from inside the expiry call and clock steps (the ring wraps and grows).
import fc from 'fast-check';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { Pending, TryTimeouts } from '../../../firmware/dns/upstream/tries.ts';

const TIMEOUT = 100;

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

let seq = 0;

it('tells each try that is still running at its deadline, in order, once', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('schedule' as const), n: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('end' as const), n: fc.nat() }),
    fc.record({ kind: fc.constant('advance' as const), n: fc.integer({ min: 1, max: 150 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, retryOnExpiry) => {
    vi.clearAllTimers();
    let now = 0;
    const running = new Map<Pending, number>(); // try -> deadline, as the model has it
    const told: Pending[] = [];
    let retries = 0;
    const owner = { inFlight: 1 };
    const timeouts: TryTimeouts = new TryTimeouts(TIMEOUT, () => now, owner, (p) => {
      expect(running.get(p)).toBeLessThanOrEqual(now);
      told.push(p);
      running.delete(p);
      // The forwarder moves on to the next upstream from inside this call: a new try, at the tail.
      if (retryOnExpiry && retries < 50) {
        retries++;
        p.seq = ++seq;
        running.set(p, now + TIMEOUT);
        timeouts.schedule(p);
      }
    });
    for (const { kind, n } of ops) {
      if (kind === 'schedule') {
        for (let k = 0; k < n; k++) {
          const p = new Pending();
          p.seq = ++seq;
          running.set(p, now + TIMEOUT);
          timeouts.schedule(p);
        }
      } else if (kind === 'end') {
        const all = [...running.keys()];
        if (all.length === 0) continue;
        const p = all[n % all.length]!;
        p.seq = ++seq; // how the forwarder ends a try: its seq moves on
        running.delete(p);
      } else {
        const due = [...running].filter(([, d]) => d <= now + n).sort((a, b) => a[1] - b[1]).map(([p]) => p);
        told.length = 0;
        now += n;
        vi.advanceTimersByTime(n);
        // Everything due was told (retries scheduled meanwhile come later), nothing else.
        expect(told.slice(0, due.length)).toEqual(due);
        for (const [, d] of running) expect(d).toBeGreaterThan(now);
      }
      expect(timeouts.queued).toBeGreaterThanOrEqual(running.size);
    }
  }), { numRuns: 200 });
});

it('grows its ring to the most tries begun within one timeout, and keeps it', () => {
  const timeouts = new TryTimeouts(TIMEOUT, () => 0, { inFlight: 1 }, () => undefined);
  for (let k = 0; k < 1000; k++) {
    const p = new Pending();
    p.seq = ++seq;
    timeouts.schedule(p);
    p.seq = ++seq; // answered at once
  }
  expect(timeouts.queued).toBe(1000);
  expect(timeouts.capacity).toBe(1024);
  timeouts.clear();
  expect(timeouts.queued).toBe(0);
  expect(timeouts.capacity).toBe(1024);
});
