// The bounded queue a collector's messages wait in, and the pause before each reconnect.
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, SendQueue } from '../../../firmware/fleet/send-queue.ts';

const msg = (text: string): Buffer => Buffer.from(text);

function drain(q: SendQueue): string[] {
  const out: string[] = [];
  for (let m = q.peek(); m !== undefined; m = q.peek()) {
    out.push(m.toString());
    q.done();
  }
  return out;
}

describe('SendQueue', () => {
  it('keeps messages in order until each is done', () => {
    const q = new SendQueue(10);
    q.push(msg('a'));
    q.push(msg('b'));
    expect(q.peek()?.toString()).toBe('a');
    expect(q.peek()?.toString()).toBe('a');
    q.done();
    expect(drain(q)).toEqual(['b']);
    expect(q.counts()).toEqual({ queued: 0, queuedBytes: 0, dropped: 0 });
    q.done();
    expect(q.length).toBe(0);
  });

  it('drops the oldest when full, and counts each one dropped', () => {
    const q = new SendQueue(3);
    for (const m of ['1', '2', '3']) expect(q.push(msg(m))).toBe(0);
    expect(q.push(msg('4'))).toBe(1);
    expect(q.push(msg('5'))).toBe(1);
    expect(q.counts()).toEqual({ queued: 3, queuedBytes: 3, dropped: 2 });
    expect(drain(q)).toEqual(['3', '4', '5']);
    expect(q.counts().dropped).toBe(2);
  });

  it('holds to its byte limit too, and never queues a message larger than all of it', () => {
    const q = new SendQueue(100, 10);
    q.push(msg('aaaa'));
    q.push(msg('bbbb'));
    expect(q.push(msg('cccc'))).toBe(1);
    expect(q.counts()).toEqual({ queued: 2, queuedBytes: 8, dropped: 1 });
    expect(q.push(msg('x'.repeat(11)))).toBe(1);
    expect(drain(q)).toEqual(['bbbb', 'cccc']);
    expect(q.counts().dropped).toBe(2);
  });

  it('stays correct over many more messages than it holds (the compaction of its array)', () => {
    const q = new SendQueue(5000);
    let expected = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 3000; i++) q.push(msg(String(round * 3000 + i)));
      const got = drain(q).map(Number);
      const first = got[0]!;
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => first + i));
      expected += 3000;
    }
    expect(q.counts()).toEqual({ queued: 0, queuedBytes: 0, dropped: 0 });
    expect(expected).toBe(60_000);
  });

  it('refuses a size that holds nothing', () => {
    expect(() => new SendQueue(0)).toThrow(/at least one/);
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from a second up to its cap, spread between half and all of it', () => {
    expect(reconnectDelayMs(1, 0.999999)).toBe(1000);
    expect(reconnectDelayMs(1, 0)).toBe(500);
    expect(reconnectDelayMs(2, 0.999999)).toBe(2000);
    expect(reconnectDelayMs(4, 0.999999)).toBe(8000);
    expect(reconnectDelayMs(10, 0.999999)).toBe(60_000);
    expect(reconnectDelayMs(1000, 0)).toBe(30_000);
    expect(reconnectDelayMs(3, 0.5, 1500)).toBe(1125);
  });
});
