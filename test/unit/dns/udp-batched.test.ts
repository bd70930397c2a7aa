// The netio addon's UDP listener, on real loopback sockets: batches in, batches out, IPv4 and
// IPv6, answers given later, oversized datagrams, bind errors and closing.
import dgram from 'node:dgram';
import { constants } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext, Responder } from '../../../firmware/dns/query/context.ts';
import { emptyCounters, type DnsCounters } from '../../../firmware/dns/events/event-buffer.ts';
import type { QueryHandler } from '../../../firmware/dns/query/handler.ts';
import { DnsServer } from '../../../firmware/dns/listen/server.ts';
import { BatchedUdpListener } from '../../../firmware/dns/listen/udp-batched.ts';
import type { Logger } from '../../../firmware/log.ts';
import { loadNetio, NETIO_PATH, type Netio } from '../../../firmware/native/netio.ts';

const logger = { info: () => {}, warn: () => {}, debug: () => {}, error: () => {} } as unknown as Logger;

interface Seen {
  packet: Uint8Array;
  source: string;
  port: number;
}

type Handle = (packet: Uint8Array, source: string, port: number, transport: string, responder: Responder) => void;

/**
 * A stand-in for QueryHandler: `handle` sees each datagram. The listener hands datagrams over
 * with handleCopy (offset and length in a slot it reuses); like the real handler, this copies.
 */
function fakeHandler(handle: Handle): QueryHandler {
  return {
    handleCopy(input: Uint8Array, start: number, length: number, source: string, port: number, transport: string, responder: Responder) {
      handle(input.slice(start, start + length), source, port, transport, responder);
    },
  } as unknown as QueryHandler;
}

/** A handler that answers each packet with `answer(packet)`, now or after `delayMs`. */
function echoHandler(seen: Seen[], answer: (packet: Uint8Array) => Uint8Array | undefined, delayMs?: number): QueryHandler {
  return fakeHandler((packet, source, port, _transport, responder) => {
    seen.push({ packet, source, port });
    const ctx = { reply: answer(packet), source, sourcePort: port } as unknown as RequestContext;
    if (delayMs === undefined) responder.respond(ctx);
    else setTimeout(() => responder.respond(ctx), delayMs);
  });
}

const reversed = (p: Uint8Array): Uint8Array => Uint8Array.from(p).reverse();

async function client(type: 'udp4' | 'udp6'): Promise<dgram.Socket> {
  const socket = dgram.createSocket(type);
  await new Promise<void>((resolve) => socket.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  socket.setRecvBufferSize(4 * 1024 * 1024);
  return socket;
}

/** Sends every packet, resolves with the replies once `expected` arrived (or rejects after 5 s). */
function exchange(socket: dgram.Socket, port: number, address: string, packets: Uint8Array[], expected = packets.length): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const replies: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`${replies.length} of ${expected} replies`)), 5000);
    socket.on('message', (msg) => {
      replies.push(msg);
      if (replies.length === expected) {
        clearTimeout(timer);
        resolve(replies);
      }
    });
    for (const p of packets) socket.send(p, port, address);
  });
}

let netio: Netio;
const open: Array<{ close(): Promise<void> }> = [];
const sockets: dgram.Socket[] = [];

beforeAll(() => {
  const load = loadNetio();
  // The suite's global setup builds it; a machine that cannot has no business passing this file.
  if (load.netio === undefined) throw new Error(`netio is not available: ${load.reason}`);
  netio = load.netio;
});

afterEach(async () => {
  for (const l of open.splice(0)) await l.close();
  for (const s of sockets.splice(0)) s.close();
});

function listen(handler: QueryHandler, counters: DnsCounters = emptyCounters(), address = '127.0.0.1', port = 0): BatchedUdpListener {
  const listener = new BatchedUdpListener({ netio, address, port, reusePort: false, bufferBytes: 1024 * 1024, handler, counters, logger });
  open.push(listener);
  return listener;
}

describe('BatchedUdpListener', () => {
  it('answers every datagram of a burst, each to the client and port it came from', async () => {
    const seen: Seen[] = [];
    const listener = listen(echoHandler(seen, reversed));
    const a = await client('udp4');
    const b = await client('udp4');
    sockets.push(a, b);
    const packets = Array.from({ length: 300 }, (_, i) => Uint8Array.from([i & 255, i >> 8, 1, 2, 3, i % 7]));
    const [fromA, fromB] = await Promise.all([
      exchange(a, listener.port, '127.0.0.1', packets.slice(0, 150)),
      exchange(b, listener.port, '127.0.0.1', packets.slice(150)),
    ]);
    const key = (p: Uint8Array): string => Buffer.from(p).toString('hex');
    expect(new Set(fromA!.map(key))).toEqual(new Set(packets.slice(0, 150).map(reversed).map(key)));
    expect(new Set(fromB!.map(key))).toEqual(new Set(packets.slice(150).map(reversed).map(key)));
    expect(seen).toHaveLength(300);
    expect(new Set(seen.map((s) => `${s.source}:${s.port}`))).toEqual(new Set([`127.0.0.1:${a.address().port}`, `127.0.0.1:${b.address().port}`]));
  });

  it('hands the handler each datagram\'s own bytes, wherever its slot is', async () => {
    const seen: Seen[] = [];
    const listener = listen(echoHandler(seen, () => undefined));
    const c = await client('udp4');
    sockets.push(c);
    const packets = Array.from({ length: 100 }, (_, i) => new Uint8Array(40).fill(i));
    for (const p of packets) c.send(p, listener.port, '127.0.0.1');
    await expect.poll(() => seen.length).toBe(100);
    for (const [i, s] of seen.entries()) expect(s.packet).toEqual(packets[i]);
  });

  it('answers over IPv6 with the source as text', async () => {
    const seen: Seen[] = [];
    const listener = listen(echoHandler(seen, reversed), emptyCounters(), '::1');
    const c = await client('udp6');
    sockets.push(c);
    const [reply] = await exchange(c, listener.port, '::1', [Uint8Array.from([1, 2, 3])]);
    expect([...reply!]).toEqual([3, 2, 1]);
    expect(seen[0]).toMatchObject({ source: '::1', port: c.address().port });
  });

  it('sends answers given after the batch ended (an upstream replied), in one flush per loop turn', async () => {
    const seen: Seen[] = [];
    const listener = listen(echoHandler(seen, reversed, 20));
    const c = await client('udp4');
    sockets.push(c);
    const packets = Array.from({ length: 50 }, (_, i) => Uint8Array.from([i, 9, 9]));
    const replies = await exchange(c, listener.port, '127.0.0.1', packets);
    expect(replies.map((r) => r[2]).sort((x, y) => x! - y!)).toEqual(packets.map((p) => p[0]));
  });

  it.each([
    { more: 'answers than one sendmmsg takes', size: () => 10 },
    { more: 'bytes than the output buffer holds', size: () => netio.SLOT + 1000 },
  ])('sends early when there are more $more', async ({ size: answerSize }) => {
    // The handler holds every question, then answers them all at once.
    const count = netio.BATCH + 10;
    const size = answerSize();
    const held: Array<{ source: string; port: number; first: number; responder: Responder }> = [];
    const handler = fakeHandler((packet, source, port, _t, responder) => {
      held.push({ source, port, first: packet[0]!, responder });
      if (held.length < count) return;
      for (const h of held) h.responder.respond({ reply: new Uint8Array(size).fill(h.first), source: h.source, sourcePort: h.port } as unknown as RequestContext);
    });
    const listener = listen(handler);
    const c = await client('udp4');
    sockets.push(c);
    const packets = Array.from({ length: count }, (_, i) => Uint8Array.from([i]));
    const replies = await exchange(c, listener.port, '127.0.0.1', packets);
    expect(replies.every((r) => r.length === size && r.every((byte) => byte === r[0]))).toBe(true);
    expect(new Set(replies.map((r) => r[0]))).toEqual(new Set(packets.map((p) => p[0])));
  });

  it('drops a datagram longer than a slot (no question is) and counts it; the next one is answered', async () => {
    const seen: Seen[] = [];
    const counters = emptyCounters();
    const listener = listen(echoHandler(seen, reversed), counters);
    const c = await client('udp4');
    sockets.push(c);
    c.send(new Uint8Array(netio.SLOT + 1), listener.port, '127.0.0.1');
    const [reply] = await exchange(c, listener.port, '127.0.0.1', [Uint8Array.from([7, 8])]);
    expect([...reply!]).toEqual([8, 7]);
    expect(counters.dropped).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('counts answers that could not be sent, and sends the others of the batch', async () => {
    const counters = emptyCounters();
    const listener = listen(echoHandler([], reversed), counters);
    const unsendable = [
      { reply: Uint8Array.from([1]), source: 'not-an-address', sourcePort: 53 },
      { reply: Uint8Array.from([2]), source: `${'1'.repeat(200)}`, sourcePort: 53 },
      { reply: new Uint8Array(netio.OUTPUT_BYTES + 1), source: '127.0.0.1', sourcePort: 53 },
    ];
    for (const ctx of unsendable) listener.respond(ctx as unknown as RequestContext);
    const c = await client('udp4');
    sockets.push(c);
    // They are flushed at the loop's next idle phase, on their own; a real question is still answered.
    const [reply] = await exchange(c, listener.port, '127.0.0.1', [Uint8Array.from([3, 4])]);
    expect([...reply!]).toEqual([4, 3]);
    expect(counters.unsent).toBe(3);
  });

  it('sends nothing of what waited for the idle phase when closed first, and nothing breaks', async () => {
    const counters = emptyCounters();
    const listener = listen(echoHandler([], reversed), counters);
    const c = await client('udp4');
    sockets.push(c);
    const got: Buffer[] = [];
    c.on('message', (msg) => got.push(msg));
    listener.respond({ reply: Uint8Array.from([9]), source: '127.0.0.1', sourcePort: c.address().port } as unknown as RequestContext);
    await listener.close();
    // A fresh listener on another port is unaffected. Its answer is sent at an idle phase after the
    // one the closed listener's flush was armed for, and loopback queues datagrams as they are
    // sent: had [9] gone out, it would have arrived first.
    const [reply] = await exchange(c, listen(echoHandler([], reversed)).port, '127.0.0.1', [Uint8Array.from([1, 2])]);
    expect([...reply!]).toEqual([2, 1]);
    expect(got.map((m) => [...m])).toEqual([[2, 1]]);
    expect(counters.unsent).toBe(0);
  });

  it('keeps answering when the handler throws, counting the error', async () => {
    const counters = emptyCounters();
    let calls = 0;
    const handler = fakeHandler((packet, source, port, _t, responder) => {
      if (calls++ === 0) throw new Error('handler bug');
      responder.respond({ reply: reversed(packet), source, sourcePort: port } as unknown as RequestContext);
    });
    const listener = listen(handler, counters);
    const c = await client('udp4');
    sockets.push(c);
    c.send(Uint8Array.from([1]), listener.port, '127.0.0.1');
    const [reply] = await exchange(c, listener.port, '127.0.0.1', [Uint8Array.from([4, 5])]);
    expect([...reply!]).toEqual([5, 4]);
    expect(counters.handlerErrors).toBe(1);
  });

  it('refuses a port in use with the code dgram would give, and DnsServer explains it', async () => {
    const first = listen(echoHandler([], reversed));
    expect(() => listen(echoHandler([], reversed), emptyCounters(), '127.0.0.1', first.port)).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    const server = new DnsServer({ endpoints: [{ address: '127.0.0.1', port: first.port }], handler: echoHandler([], reversed), counters: emptyCounters(), logger, netio, udpOnly: true });
    await expect(server.start()).rejects.toThrow(/DNS cannot listen on UDP 127\.0\.0\.1:\d+: the address is already in use/);
  });

  it('stops receiving when closed; closing twice and answering after close do nothing', async () => {
    // The handler holds its answer until the test lets it go, after close: no race with a timer.
    const held: Array<() => void> = [];
    const listener = listen(fakeHandler((packet, source, port, _t, responder) => {
      held.push(() => responder.respond({ reply: reversed(packet), source, sourcePort: port } as unknown as RequestContext));
    }));
    const c = await client('udp4');
    sockets.push(c);
    const got: Buffer[] = [];
    c.on('message', (msg) => got.push(msg));
    c.send(Uint8Array.from([1]), listener.port, '127.0.0.1');
    await expect.poll(() => held.length).toBe(1);
    await listener.close();
    await listener.close();
    expect(() => held[0]!()).not.toThrow();
    // The port is free again; the new listener's answer is the only datagram the client gets
    // (one sent by the closed listener would have been queued before it).
    const again = listen(echoHandler([], reversed), emptyCounters(), '127.0.0.1', listener.port);
    expect(again.port).toBe(listener.port);
    await exchange(c, again.port, '127.0.0.1', [Uint8Array.from([7, 8])]);
    expect(got.map((m) => [...m])).toEqual([[8, 7]]);
  });

  it('rejects bad arguments with a clear error instead of crashing', () => {
    const onBatch = (): void => {};
    expect(() => netio.openUdp(5 as 4, '127.0.0.1', 0, false, 0, onBatch)).toThrow(/family must be 4 or 6/);
    expect(() => netio.openUdp(4, 'not-an-address', 0, false, 0, onBatch)).toThrow(/not an IP address literal/);
    expect(() => netio.openUdp(4, '127.0.0.1', 70000, false, 0, onBatch)).toThrow(/port must be an integer/);
    expect(() => netio.openUdp(4, '127.0.0.1', 0, false, 0, 'nope' as unknown as () => void)).toThrow(/onBatch must be a function/);
    expect(() => netio.sendBatch({} as never, 1)).toThrow(/not a netio UDP socket/);
    const opened = netio.openUdp(4, '127.0.0.1', 0, false, 0, onBatch);
    try {
      expect(() => netio.sendBatch(opened.socket, netio.BATCH + 1)).toThrow(/count must be an integer/);
      // Records with impossible lengths, offsets or addresses are skipped, not sent.
      const meta = new Int32Array(opened.outputMeta);
      meta.set([0, 0, 53, 9], 0);
      meta.set([10, netio.OUTPUT_BYTES - 5, 53, 9], netio.META / 4);
      // Address length 0 means "the connected address": this socket has none.
      meta.set([10, 0, 53, 0], 2 * netio.META / 4);
      expect(netio.sendBatch(opened.socket, 3)).toBe(0);
      expect(() => netio.connectUdp(opened.socket, 'nowhere', 53)).toThrow(/IP address literal/);
      expect(() => netio.connectUdp(opened.socket, '::1', 53)).toThrow(/of that family/);
      expect(() => netio.connectUdp(opened.socket, '127.0.0.1', 0)).toThrow(/port must be an integer/);
    } finally {
      netio.closeUdp(opened.socket);
    }
    expect(() => netio.connectUdp(opened.socket, '127.0.0.1', 53)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    for (const slots of [0, netio.BATCH + 1, 1.5]) {
      expect(() => netio.openUdp(4, '127.0.0.1', 0, false, 0, onBatch, slots)).toThrow(/slots must be an integer/);
    }
    const small = netio.openUdp(4, '127.0.0.1', 0, false, 0, onBatch, 2);
    try {
      expect(small.input.byteLength).toBe(2 * netio.SLOT);
      expect(small.output.byteLength).toBe(2 * netio.SLOT);
      expect(() => netio.sendBatch(small.socket, 3)).toThrow(/count must be an integer/);
      // An offset past this socket's smaller output buffer is skipped.
      new Int32Array(small.outputMeta).set([10, 2 * netio.SLOT - 5, 53, 9], 0);
      expect(netio.sendBatch(small.socket, 1)).toBe(0);
    } finally {
      netio.closeUdp(small.socket);
    }
  });

  it('on a connected socket, sends to the peer alone, takes only its datagrams and reports its ICMP errors', async () => {
    const peer = await client('udp4');
    const stranger = await client('udp4');
    sockets.push(peer, stranger);
    const batches: number[] = [];
    const received: string[] = [];
    let opened: ReturnType<Netio['openUdp']> | undefined;
    const onBatch = (count: number): void => {
      batches.push(count);
      for (let i = 0; i < count; i++) {
        const length = new Int32Array(opened!.inputMeta)[i * netio.META / 4]!;
        received.push(Buffer.from(opened!.input, i * netio.SLOT, length).toString());
      }
    };
    opened = netio.openUdp(4, '0.0.0.0', 0, false, 0, onBatch, 4);
    try {
      netio.connectUdp(opened.socket, '127.0.0.1', peer.address().port);
      const port = netio.localPort(opened.socket);
      const got = new Promise<Buffer>((resolve) => peer.once('message', resolve));
      new Uint8Array(opened.output).set(Buffer.from('query'), 0);
      new Int32Array(opened.outputMeta).set([5, 0, 0, 0], 0);
      expect(netio.sendBatch(opened.socket, 1)).toBe(1);
      expect((await got).toString()).toBe('query');
      stranger.send('spoof', port, '127.0.0.1');
      peer.send('answer', port, '127.0.0.1');
      await expect.poll(() => received).toEqual(['answer']);
      // The peer goes away: its port answers with ICMP port unreachable, which arrives as ECONNREFUSED.
      const peerPort = peer.address().port;
      sockets.splice(sockets.indexOf(peer), 1);
      await new Promise<void>((resolve) => peer.close(resolve));
      const sent = netio.sendBatch(opened.socket, 1);
      const refused = -constants.errno.ECONNREFUSED;
      await expect.poll(() => sent === refused || batches.includes(refused)).toBe(true);
      expect(peerPort).toBeGreaterThan(0);
    } finally {
      netio.closeUdp(opened.socket);
    }
  });

  it('is the addon the build put in build/native', () => {
    expect(loadNetio().netio).toBeDefined();
    expect(loadNetio('/nonexistent/netio.node').reason).toMatch(/was not built/);
    expect(NETIO_PATH).toMatch(/build\/native\/netio\.node$/);
  });
});
