// The handler's context pool: a context is reused only once its responder has seen it, and an
// answer that arrives later still finds its own question, source and reply.
import { describe, expect, it } from 'vitest';
import { ClientDirectory } from '../../../firmware/clients/directory.ts';
import { answer, type RequestContext, type Responder } from '../../../firmware/dns/query/context.ts';
import { emptyCounters, EventBuffer } from '../../../firmware/dns/events/event-buffer.ts';
import { QueryHandler } from '../../../firmware/dns/query/handler.ts';
import { Pipeline } from '../../../firmware/dns/pipeline.ts';
import { ANSWERED, WAIT, type Stage, type StageStep } from '../../../firmware/dns/query/stage.ts';
import { Rcode } from '../../../firmware/dns/wire/constants.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { decodeReply } from './decoded.ts';
import { query } from './packets.ts';

/** Answers NXDOMAIN at once, except names starting "later", which wait for release(). */
class SometimesLater implements Stage {
  readonly name = 'sometimes-later';
  readonly waiting: (() => void)[] = [];

  query(ctx: RequestContext): StageStep {
    if (!ctx.query.name.startsWith('later')) {
      answer(ctx, 'blocked', Rcode.NXDOMAIN);
      return ANSWERED;
    }
    this.waiting.push(() => {
      answer(ctx, 'forwarded', Rcode.NOERROR);
      ctx.resume(ANSWERED);
    });
    return WAIT;
  }
}

interface Seen {
  ctx: RequestContext;
  name: string;
  source: string;
  id: number;
}

function setup(): { handler: QueryHandler; stage: SometimesLater; seen: Seen[]; responder: Responder; events: EventBuffer } {
  const stage = new SometimesLater();
  const events = new EventBuffer(64);
  const handler = new QueryHandler({
    runtime: { directory: new ClientDirectory([]), pipeline: new Pipeline([stage]) },
    events,
    counters: emptyCounters(),
    logger: silentLogger(),
    now: () => 1000,
    monotonic: () => 5,
  });
  const seen: Seen[] = [];
  const responder: Responder = {
    respond(ctx) {
      seen.push({ ctx, name: ctx.query.name, source: ctx.source, id: decodeReply(ctx.reply!).id });
    },
  };
  return { handler, stage, seen, responder, events };
}

describe('QueryHandler context pool', () => {
  it('reuses a context once answered, never one still waiting for its answer', async () => {
    const { handler, stage, seen, responder, events } = setup();
    handler.handle(query('later.example', 1, { h: { id: 1 } }), '127.0.0.1', 1001, 'udp', responder);
    handler.handle(query('now1.example', 1, { h: { id: 2 } }), '127.0.0.2', 1002, 'udp', responder);
    handler.handle(query('now2.example', 1, { h: { id: 3 } }), '127.0.0.3', 1003, 'udp', responder);
    expect(seen.map((s) => s.name)).toEqual(['now1.example', 'now2.example']);
    // The second synchronous question ran in the context the first one gave back.
    expect(seen[1]!.ctx).toBe(seen[0]!.ctx);
    expect(handler.pooledContexts).toBe(1);

    stage.waiting.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((s) => [s.name, s.source, s.id])).toEqual([
      ['now1.example', '127.0.0.2', 2], ['now2.example', '127.0.0.3', 3], ['later.example', '127.0.0.1', 1],
    ]);
    expect(seen[2]!.ctx).not.toBe(seen[0]!.ctx);
    expect(handler.pooledContexts).toBe(2);
    // Handed back clean: nothing of the last question is left for the next one.
    expect(seen[2]!.ctx.reply).toBeUndefined();
    expect(seen[2]!.ctx.source).toBe('');
    expect(events.drain().map((e) => [e.name, e.client, e.verdict])).toEqual([
      ['now1.example', '127.0.0.2', 'blocked'], ['now2.example', '127.0.0.3', 'blocked'], ['later.example', '127.0.0.1', 'forwarded'],
    ]);
  });

  it('copies a borrowed packet (handleCopy) into the context, which keeps it until answered while the buffer is reused', async () => {
    const { handler, stage, seen, responder } = setup();
    const slot = new Uint8Array(4096);
    const questions = ['later1.example', 'now.example', 'later2.example', `later3.${Array(4).fill('x'.repeat(58)).join('.')}.example`];
    const packets = questions.map((name, i) => query(name, 1, { h: { id: 10 + i } }));
    for (const [i, packet] of packets.entries()) {
      // The listener's slot: filled, handed over at an offset, then overwritten by the next datagram.
      slot.fill(0xee);
      slot.set(packet, 100);
      handler.handleCopy(slot, 100, packet.length, `127.0.0.${i + 1}`, 1000 + i, 'udp', responder);
    }
    slot.fill(0);
    for (const release of stage.waiting.splice(0)) release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((s) => [s.name, s.id])).toEqual([
      ['now.example', 11], ['later1.example', 10], ['later2.example', 12], [questions[3], 13],
    ]);
    // The late answers were written from the contexts' own copies after the slot was zeroed: a
    // view of the slot would have given them ID 0. (The fourth outgrows a context's first buffer.)
  });
});

