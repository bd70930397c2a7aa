// The forwarder against real loopback sockets: ordering, failure reasons, the in-flight cap, close(),
// the socket pool (ports, rotation, answers matched to their own question) and the health lines.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../firmware/log.ts';
import { Forwarder, type FailureReason, type ForwarderOptions, type ForwardResult } from '../../../firmware/dns/upstream/forwarder.ts';
import { loadNetio } from '../../../firmware/native/netio.ts';
import { restoreId } from '../../../firmware/dns/upstream/upstream-message.ts';
import { ParsedQuery, readQuery } from '../../../firmware/dns/wire/question-reader.ts';
import { FLAG_AA, FLAG_QR, FLAG_RA, FLAG_RD } from '../../../firmware/dns/wire/constants.ts';
import { decodeReply } from './decoded.ts';
import { startFakeUpstream, startSilentUpstream, type FakeUpstream } from './fake-upstream.ts';
import { query } from './packets.ts';

let live: FakeUpstream;
let silent: Awaited<ReturnType<typeof startSilentUpstream>>;
beforeAll(async () => {
  live = await startFakeUpstream();
  silent = await startSilentUpstream();
});
afterAll(async () => {
  await live.close();
  await silent.close();
});

/** Forwarder.ask as a promise. The answer is copied: it is only valid during the listener's call. */
function forward(f: Forwarder, packet: Uint8Array, q: ParsedQuery): Promise<ForwardResult> {
  return new Promise((resolve) => {
    const keep = (_: undefined, result: ForwardResult): void => resolve({ ...result, response: result.response?.slice() });
    const now = f.ask(packet, q, { forwarded: keep }, undefined);
    if (now !== undefined) resolve(now);
  });
}

function question(name: string): { packet: Uint8Array; q: ParsedQuery } {
  const packet = query(name, 1, { h: { id: 0x0102 } });
  const q = new ParsedQuery();
  readQuery(packet, q);
  return { packet, q };
}

// Both ways the sockets can do their I/O: Node's dgram, and the netio addon (the suites' global
// setup builds it; without it this file fails rather than skips).
const ioModes: Array<[string, () => Partial<ForwarderOptions>]> = [
  ['dgram', () => ({})],
  ['netio', () => {
    const load = loadNetio();
    if (load.netio === undefined) throw new Error(`netio is not available: ${load.reason}`);
    return { netio: load.netio };
  }],
];

describe.each(ioModes)('Forwarder (%s)', (_io, io) => {
  const forwarder = (options: ForwarderOptions): Forwarder => new Forwarder({ ...options, ...io() });
  it('returns the first good answer, still carrying its own ID, and reports failed tries', async () => {
    const failures: [string, FailureReason][] = [];
    const f = forwarder({
      upstreams: [{ name: 'silent', address: '127.0.0.1', port: silent.port }, { name: 'live', address: '127.0.0.1', port: live.port }],
      timeoutMs: 150,
      onFailure: (u, reason) => failures.push([u.name, reason]),
    });
    const { packet, q } = question('fwd.example');
    const result = await forward(f, packet, q);
    expect(result.upstream).toBe('live');
    const d = decodeReply(result.response!);
    expect(d.id).toBe(live.seen.at(-1)!.id);
    expect(d.answers.map((a) => a.data)).toEqual(['192.0.2.80']);
    expect(failures).toEqual([['silent', 'timeout']]);
    expect(f.inFlight).toBe(0);
  });

  it('accepts an IPv4-mapped upstream address as IPv4', async () => {
    const f = forwarder({ upstreams: [{ name: 'mapped', address: '::ffff:127.0.0.1', port: live.port }], timeoutMs: 500 });
    expect(f.upstreams[0]!.address).toBe('127.0.0.1');
    const { packet, q } = question('mapped.example');
    expect((await forward(f, packet, q)).upstream).toBe('mapped');
  });

  it('ask() tells its listener once, later; a question that ends at once is returned instead', async () => {
    const heard: Array<[string, string | undefined]> = [];
    const listener = { forwarded: (token: string, result: ForwardResult) => heard.push([token, result.upstream]) };
    const f = forwarder({ upstreams: [{ name: 'live', address: '127.0.0.1', port: live.port }], timeoutMs: 1000, maxInFlight: 1 });
    const { packet, q } = question('ask.example');
    expect(f.ask(packet, q, listener, 'first')).toBeUndefined();
    // Past the in-flight cap: over at once, so returned, and the listener never hears of it.
    expect(f.ask(packet, q, listener, 'second')).toEqual({ response: undefined, upstream: undefined });
    expect(heard).toEqual([]);
    await vi.waitFor(() => expect(heard).toEqual([['first', 'live']]), { timeout: 2000 });
    f.close();
    expect(f.ask(packet, q, listener, 'third')).toEqual({ response: undefined, upstream: undefined });
    // Nothing is left in flight that could still call the listener.
    expect(f.inFlight).toBe(0);
    expect(heard).toEqual([['first', 'live']]);
  });

  it('keeps a refusal as the fallback intact while the next upstream is tried, whatever its socket receives meanwhile', async () => {
    const refuser = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => refuser.bind(0, '127.0.0.1', () => resolve()));
    // REFUSED, the question echoed: QR set, RCODE 5.
    let refusalsSent = 0;
    refuser.on('message', (msg, rinfo) => refuser.send(Buffer.from([msg[0]!, msg[1]!, msg[2]! | 0x80, (msg[3]! & 0xf0) | 5, ...msg.subarray(4)]), rinfo.port, rinfo.address, () => { refusalsSent++; }));
    try {
      const f = forwarder({
        upstreams: [{ name: 'refuser', address: '127.0.0.1', port: refuser.address().port }, { name: 'silent', address: '127.0.0.1', port: silent.port }],
        timeoutMs: 300,
        poolSize: 1,
      });
      const one = question('one.example');
      const first = forward(f, one.packet, one.q);
      await vi.waitFor(() => expect(refusalsSent).toBe(1), { timeout: 2000 });
      // Its refusal arrives in the same socket's buffer the first one did.
      const two = question('two.example');
      const second = forward(f, two.packet, two.q);
      const results = await Promise.all([first, second]);
      expect(results.map((r) => [r.upstream, decodeReply(r.response!).questions[0]!.name, decodeReply(r.response!).rcode]))
        .toEqual([['refuser', 'one.example', 'REFUSED'], ['refuser', 'two.example', 'REFUSED']]);
      f.close();
    } finally {
      refuser.close();
    }
  });

  it('asks an IPv6 upstream', async () => {
    const up = dgram.createSocket('udp6');
    await new Promise<void>((resolve) => up.bind(0, '::1', () => resolve()));
    // Echoes the query back as its answer (QR set): enough for the checks an answer must pass.
    up.on('message', (msg, rinfo) => up.send(Buffer.from([msg[0]!, msg[1]!, msg[2]! | 0x80, ...msg.subarray(3)]), rinfo.port, rinfo.address));
    try {
      const f = forwarder({ upstreams: [{ name: 'six', address: '::1', port: up.address().port }], timeoutMs: 2000 });
      const { packet, q } = question('six.example');
      const result = await forward(f, packet, q);
      expect(result.upstream).toBe('six');
      expect(decodeReply(result.response!).questions[0]!.name).toBe('six.example');
      f.close();
    } finally {
      up.close();
    }
  });

  it('refuses a non-address upstream at construction', () => {
    expect(() => new Forwarder({ upstreams: [{ name: 'x', address: 'dns.example', port: 53 }], timeoutMs: 100 })).toThrow(/not an IP address/);
  });

  it('answers nothing at once past its in-flight cap, and close() ends what is in flight', async () => {
    const failures: FailureReason[] = [];
    const f = forwarder({ upstreams: [{ name: 'silent', address: '127.0.0.1', port: silent.port }], timeoutMs: 10_000, maxInFlight: 1, onFailure: (_, r) => failures.push(r) });
    const { packet, q } = question('held.example');
    const held = forward(f, packet, q);
    expect(f.inFlight).toBe(1);
    expect(await forward(f, packet, q)).toEqual({ response: undefined, upstream: undefined });
    expect(failures).toEqual(['overloaded']);
    f.close();
    expect(await held).toEqual({ response: undefined, upstream: undefined });
    expect(f.inFlight).toBe(0);
  });
});

/** questionFor's packet and parsed query, as Forwarder.ask's first two arguments. */
function args(name: string): [Uint8Array, ParsedQuery] {
  const { packet, q } = questionFor(name);
  return [packet, q];
}

function questionFor(name: string, id = 0x0102): { packet: Uint8Array; q: ParsedQuery } {
  const packet = query(name, 1, { h: { id } });
  const q = new ParsedQuery();
  readQuery(packet, q);
  return { packet, q };
}

/** A loopback upstream that is silent until `answering` is set, then answers A 192.0.2.1. */
/**
 * An upstream that answers only while `answering`; it also ignores the first datagram for each
 * name `dropFirstOf` matches (a lost datagram). `seen`: every name it received, in order.
 */
async function startSwitchableUpstream(): Promise<{ port: number; answering: boolean; dropFirstOf: RegExp | undefined; seen: string[]; close(): Promise<void> }> {
  const udp = dgram.createSocket('udp4');
  const state = {
    port: 0,
    answering: false,
    dropFirstOf: undefined as RegExp | undefined,
    seen: [] as string[],
    close: () => new Promise<void>((resolve) => udp.close(() => resolve())),
  };
  udp.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    const before = state.seen.includes(question.name);
    state.seen.push(question.name);
    if (!state.answering || (state.dropFirstOf?.test(question.name) === true && !before)) return;
    udp.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED, questions: [question], answers: [{ type: 'A', name: question.name, ttl: 60, data: '192.0.2.1' }] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  state.port = udp.address().port;
  return state;
}

interface Line {
  level: 'warn' | 'info';
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger(lines: Line[]): Logger {
  const record = (level: Line['level']) => (fields: Record<string, unknown>, msg: string): void => {
    lines.push({ level, fields, msg });
  };
  return { warn: record('warn'), info: record('info'), debug: () => {}, error: () => {} } as unknown as Logger;
}

describe.each(ioModes)('Forwarder try order and second chances (%s)', (_io, io) => {
  const forwarder = (options: ForwarderOptions): Forwarder => new Forwarder({ ...options, ...io() });

  it('asks again once when a datagram is lost, and not when the upstream is failing', async () => {
    const upstream = await startSwitchableUpstream();
    upstream.answering = true;
    upstream.dropFirstOf = /./;
    const failures: FailureReason[] = [];
    const f = forwarder({ upstreams: [{ name: 'lossy', address: '127.0.0.1', port: upstream.port }], timeoutMs: 100, onFailure: (_u, reason) => failures.push(reason) });
    try {
      const { packet, q } = questionFor('lost.example');
      const result = await forward(f, packet, q);
      expect(result.upstream).toBe('lossy');
      expect(decodeReply(result.response!).answers.map((a) => a.data)).toEqual(['192.0.2.1']);
      expect(upstream.seen).toEqual(['lost.example', 'lost.example']);
      expect(failures).toEqual(['timeout']);

      // Silent now: a's try and its second chance, then b's try makes three in a row (failing),
      // after which no question is asked twice.
      upstream.answering = false;
      for (const name of ['a.example', 'b.example', 'c.example']) expect((await forward(f, ...args(name))).response).toBeUndefined();
      expect(upstream.seen.slice(2)).toEqual(['a.example', 'a.example', 'b.example', 'c.example']);
    } finally {
      f.close();
      await upstream.close();
    }
  });

  it('counts tries lost while the upstream answers others as lost, not as an outage, and asks each again', async () => {
    const upstream = await startSwitchableUpstream();
    upstream.answering = true;
    upstream.dropFirstOf = /^lost/;
    const failures: FailureReason[] = [];
    // 500 ms: the answer to ok.example must come back before the lost tries time out, also on a
    // machine busy with a dozen other test processes (150 ms was not enough there).
    const f = forwarder({ upstreams: [{ name: 'lossy', address: '127.0.0.1', port: upstream.port }], timeoutMs: 500, onFailure: (_u, reason) => failures.push(reason) });
    try {
      // Four lost at once (more than the three timeouts in a row that make an upstream failing),
      // while a question sent after them is answered.
      const lost = ['lost1.example', 'lost2.example', 'lost3.example', 'lost4.example'].map((name) => forward(f, ...args(name)));
      expect((await forward(f, ...args('ok.example'))).upstream).toBe('lossy');
      const results = await Promise.all(lost);
      expect(results.map((r) => r.upstream)).toEqual(['lossy', 'lossy', 'lossy', 'lossy']);
      expect(failures).toEqual(['lost', 'lost', 'lost', 'lost']);
      expect(f.upstreamStates()[0]!.failing).toBe(false);
    } finally {
      f.close();
      await upstream.close();
    }
  });

  it('gives no second chance to a question that already waited out two tries', async () => {
    const first = await startSwitchableUpstream();
    const second = await startSwitchableUpstream();
    const f = forwarder({
      upstreams: [{ name: 'first', address: '127.0.0.1', port: first.port }, { name: 'second', address: '127.0.0.1', port: second.port }],
      timeoutMs: 100,
    });
    try {
      expect((await forward(f, ...args('two.example'))).response).toBeUndefined();
      expect([first.seen, second.seen]).toEqual([['two.example'], ['two.example']]);
    } finally {
      f.close();
      await first.close();
      await second.close();
    }
  });

  it('moves a failing upstream behind the answering ones, probes it, and puts it back first when it answers', async () => {
    const primary = await startSwitchableUpstream();
    // The probe interval passes by moving this clock on, not by waiting for it.
    let skew = 0;
    const timeouts: string[] = [];
    const f = forwarder({
      upstreams: [{ name: 'primary', address: '127.0.0.1', port: primary.port }, { name: 'live', address: '127.0.0.1', port: live.port }],
      // Long enough that the live upstream always answers in time on a loaded machine.
      timeoutMs: 250,
      probeIntervalMs: 300,
      monotonic: () => performance.now() + skew,
      onFailure: (upstream, reason) => timeouts.push(`${upstream.name} ${reason}`),
    });
    try {
      // Three timeouts in a row make the primary failing; each question still gets its answer.
      for (const name of ['p1.example', 'p2.example', 'p3.example']) expect((await forward(f, ...args(name))).upstream).toBe('live');
      expect(primary.seen).toEqual(['p1.example', 'p2.example', 'p3.example']);
      expect(f.upstreamStates().map((u) => [u.name, u.failing])).toEqual([['primary', true], ['live', false]]);
      expect(timeouts).toEqual(['primary timeout', 'primary timeout', 'primary timeout']);
      // From now on questions go to the live upstream first: the primary is not asked, so no
      // question waits out a timeout on it.
      expect((await forward(f, ...args('p4.example'))).upstream).toBe('live');
      expect(primary.seen).toHaveLength(3);
      expect(timeouts).toHaveLength(3);

      primary.answering = true;
      skew += 350;
      // The probe interval has passed: this question is answered by the live upstream and copied
      // to the primary, whose answer puts it back first.
      expect((await forward(f, ...args('p5.example'))).upstream).toBe('live');
      await vi.waitFor(() => expect(primary.seen.at(-1)).toBe('p5.example'), { timeout: 2000 });
      await vi.waitFor(() => expect(f.inFlight).toBe(0), { timeout: 2000 });
      expect((await forward(f, ...args('p6.example'))).upstream).toBe('primary');
      expect(f.upstreamStates().map((u) => u.failing)).toEqual([false, false]);
    } finally {
      f.close();
      await primary.close();
    }
  });
});

describe.each(ioModes)('Forwarder socket pool (%s)', (_io, io) => {
  const forwarder = (options: ForwarderOptions): Forwarder => new Forwarder({ ...options, ...io() });
  it('spreads questions over a few long-lived sockets on random ports, with random IDs', async () => {
    const f = forwarder({ upstreams: [{ name: 'live', address: '127.0.0.1', port: live.port }], timeoutMs: 1000, poolSize: 4 });
    const before = live.seen.length;
    for (let i = 0; i < 40; i++) {
      const { packet, q } = questionFor(`pool${i}.example`);
      expect((await forward(f, packet, q)).upstream).toBe('live');
    }
    const seen = live.seen.slice(before);
    const ports = new Set(seen.map((s) => s.port));
    expect(ports.size).toBeGreaterThan(1);
    expect(ports.size).toBeLessThanOrEqual(4);
    expect(new Set(seen.map((s) => s.id)).size).toBeGreaterThan(30);
    expect(f.openSockets).toBeLessThanOrEqual(4);
    f.close();
    expect(f.openSockets).toBe(0);
  });

  it('retires a socket after its quota of questions, so source ports keep changing', async () => {
    const f = forwarder({ upstreams: [{ name: 'live', address: '127.0.0.1', port: live.port }], timeoutMs: 1000, poolSize: 1, socketMaxQueries: 2 });
    const before = live.seen.length;
    for (let i = 0; i < 8; i++) {
      const { packet, q } = questionFor(`rotate${i}.example`);
      await forward(f, packet, q);
    }
    const ports = live.seen.slice(before).map((s) => s.port);
    expect(new Set(ports).size).toBeGreaterThanOrEqual(4);
    // Retired sockets close once their questions are answered: one slot, at most one open.
    expect(f.openSockets).toBeLessThanOrEqual(1);
    f.close();
  });

  it('matches concurrent answers to their own questions, ignoring spoofed ones', async () => {
    const f = forwarder({ upstreams: [{ name: 'live', address: '127.0.0.1', port: live.port }], timeoutMs: 2000, poolSize: 2 });
    const names = Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 'spoof.test' : `many${i}.example`));
    const results = await Promise.all(names.map((name, i) => {
      const { packet, q } = questionFor(name, i);
      return forward(f, packet, q);
    }));
    results.forEach((r, i) => {
      const d = decodeReply(r.response!);
      expect(d.questions[0]!.name).toBe(names[i]);
      expect(d.answers.map((a) => a.data)).toEqual([names[i] === 'spoof.test' ? '192.0.2.99' : '192.0.2.80']);
    });
    expect(f.inFlight).toBe(0);
    f.close();
  });

  it('reports a closed port as unreachable and goes on to the next upstream', async () => {
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', () => resolve()));
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failures: [string, FailureReason][] = [];
    const f = forwarder({
      upstreams: [{ name: 'gone', address: '127.0.0.1', port: closedPort }, { name: 'live', address: '127.0.0.1', port: live.port }],
      timeoutMs: 5000,
      onFailure: (u, reason) => failures.push([u.name, reason]),
    });
    const { packet, q } = questionFor('refused.example');
    expect((await forward(f, packet, q)).upstream).toBe('live');
    expect(failures).toEqual([['gone', 'unreachable']]);
    f.close();
  });

  it('closes an idle pool by itself (a forwarder dropped by a reload leaves no socket open)', async () => {
    const f = forwarder({ upstreams: [{ name: 'live', address: '127.0.0.1', port: live.port }], timeoutMs: 1000, socketMaxAgeMs: 60 });
    const { packet, q } = questionFor('idle.example');
    await forward(f, packet, q);
    expect(f.openSockets).toBe(1);
    await vi.waitFor(() => expect(f.openSockets).toBe(0), { timeout: 5000, interval: 20 });
  });
});

describe('upstream health lines', () => {
  it('warns once when a silent upstream starts failing, with the counts, and says when it answers again', async () => {
    const upstream = await startSwitchableUpstream();
    const lines: Line[] = [];
    let clock = 0;
    const f = new Forwarder({
      upstreams: [{ name: 'flaky', address: '127.0.0.1', port: upstream.port }],
      timeoutMs: 100,
      logger: recordingLogger(lines),
      monotonic: () => clock,
    });
    try {
      // Time here only rate-limits the lines; the timeouts use real timers.
      const ask = async (name: string) => {
        const { packet, q } = questionFor(name);
        const pending = forward(f, packet, q);
        await vi.waitFor(() => {
          clock += 50;
          return f.inFlight === 0 ? undefined : Promise.reject(new Error('in flight'));
        }, { timeout: 5000, interval: 10 });
        return pending;
      };
      // Two tries: the first, and its second chance there (one lost datagram is not an outage).
      expect((await ask('a.example')).response).toBeUndefined();
      expect(lines).toEqual([]); // nor are two
      // One try: the third failure in a row makes it failing, so no second chance.
      expect((await ask('b.example')).response).toBeUndefined();
      expect(lines).toHaveLength(1);
      expect(lines[0]!.level).toBe('warn');
      expect(lines[0]!.fields).toMatchObject({ upstream: 'flaky', address: `127.0.0.1:${upstream.port}`, failures: 3, byReason: { timeout: 3 } });
      expect((await ask('d.example')).response).toBeUndefined();
      expect(lines).toHaveLength(1); // still failing: nothing new to say

      upstream.answering = true;
      expect((await ask('e.example')).upstream).toBe('flaky');
      // Within the minute: the recovery waits, then is told with what happened meanwhile.
      expect(lines).toHaveLength(1);
      clock += 60_000;
      expect((await ask('f.example')).upstream).toBe('flaky');
      expect(lines).toHaveLength(2);
      expect(lines[1]!.level).toBe('info');
      expect(lines[1]!.fields).toMatchObject({ upstream: 'flaky', failures: 1, byReason: { timeout: 1 }, answers: 2 });
      expect(lines[1]!.fields.downForMs).toBeGreaterThan(0);

      // Failing again at once: at most one line a minute, so it waits too. g's first try and
      // second chance, h's try (failing now), i's and j's.
      upstream.answering = false;
      for (const name of ['g.example', 'h.example', 'i.example']) await ask(name);
      expect(lines).toHaveLength(2);
      clock += 60_000;
      await ask('j.example');
      expect(lines).toHaveLength(3);
      expect(lines[2]!).toMatchObject({ level: 'warn', fields: { failures: 5, byReason: { timeout: 5 } } });
    } finally {
      f.close();
      await upstream.close();
    }
  });
});

describe('restoreId', () => {
  it('puts the client ID back and clears AA: a forwarded answer is not authoritative', () => {
    const answer = dnsPacket.encode({
      type: 'response', id: 0x4242, flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: [{ type: 'A', name: 'aa.example' }], answers: [{ type: 'A', name: 'aa.example', ttl: 60, data: '192.0.2.7' }],
    });
    const out = restoreId(answer, 0x0102);
    const flags = (out[2]! << 8) | out[3]!;
    expect(flags & FLAG_AA).toBe(0);
    expect(flags & (FLAG_QR | FLAG_RD | FLAG_RA)).toBe(FLAG_QR | FLAG_RD | FLAG_RA);
    const d = decodeReply(out);
    expect(d.id).toBe(0x0102);
    expect(d.answers.map((a) => a.data)).toEqual(['192.0.2.7']);
  });
});
