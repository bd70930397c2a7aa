// A real DnsService on 127.0.0.1 with real upstreams on other loopback ports: every packet here
// stays on the loopback interface.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { Value } from 'typebox/value';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_SEVERITY, defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { QueryEventSchema } from '../../../firmware/dns/events/events-schema.ts';
import { DnsService, type DnsServiceOptions } from '../../../firmware/dns/service.ts';
import { DnsStatsSchema } from '../../../firmware/dns/events/stats-schema.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { anyType, axfrType, decodeReply, type Decoded } from './decoded.ts';
import { startFakeUpstream, startSilentUpstream, type FakeUpstream } from './fake-upstream.ts';

let live: FakeUpstream;
let silent: Awaited<ReturnType<typeof startSilentUpstream>>;
const services: DnsService[] = [];

beforeAll(async () => {
  live = await startFakeUpstream();
  silent = await startSilentUpstream();
});
afterAll(async () => {
  await live.close();
  await silent.close();
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

type Upstreams = Config['dns']['upstreams'];
const liveUpstream = (): Upstreams[number] => ({ name: 'live', address: '127.0.0.1', port: live.port });
const silentUpstream = (): Upstreams[number] => ({ name: 'silent', address: '127.0.0.1', port: silent.port });

function config(dns: Partial<Config['dns']> = {}): Config {
  const c = defaultConfig();
  // Port 0: the kernel picks a free port (UDP), and TCP binds the same one.
  c.dns = { ...c.dns, listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [liveUpstream()], upstreamTimeoutMs: 200, rateLimitPerSecond: 1000, ...dns };
  return c;
}

async function startService(c: Config, extra: Partial<DnsServiceOptions> = {}): Promise<{ service: DnsService; port: number }> {
  const service = new DnsService({ config: c, severity: CATEGORY_SEVERITY, logger: silentLogger(), resolvConfPath: '/nonexistent', ...extra });
  await service.start();
  services.push(service);
  const port = service.stats().listening.find((l) => l.transport === 'udp')!.port;
  return { service, port };
}

interface AskOptions {
  from?: string;
  id?: number;
  type?: dnsPacket.RecordType;
  edns?: number;
}

function queryBytes(name: string, o: AskOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query', id: o.id ?? 0x1234, flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: o.type ?? 'A', class: 'IN' }],
    additionals: o.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: o.edns } as dnsPacket.Answer] : [],
  });
}

async function askRaw(port: number, bytes: Uint8Array, from = '127.20.0.5', timeoutMs = 3000): Promise<Buffer | undefined> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      socket.on('message', (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
      socket.send(bytes, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/**
 * Sends `packets` and then a marker question (ANY, answered at once) from one socket, and returns
 * every datagram that came back up to the marker's answer. The server reads a socket's datagrams
 * in order, so an answer to any of `packets` would have arrived before the marker's.
 */
async function sendThenMarker(port: number, packets: Uint8Array[], from = '127.20.0.5'): Promise<Decoded[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  const marker = queryBytes('marker.example', { id: 0x7e7e, type: anyType });
  try {
    return await new Promise<Decoded[]>((resolve, reject) => {
      const got: Decoded[] = [];
      const timer = setTimeout(() => reject(new Error(`no answer to the marker question; got ${JSON.stringify(got)}`)), 5000);
      socket.on('message', (msg) => {
        const decoded = decodeReply(msg);
        got.push(decoded);
        if (decoded.id === 0x7e7e) {
          clearTimeout(timer);
          resolve(got);
        }
      });
      for (const p of packets) socket.send(p, port, '127.0.0.1');
      socket.send(marker, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

async function ask(port: number, name: string, o: AskOptions = {}): Promise<Decoded & { raw: Buffer }> {
  const raw = await askRaw(port, queryBytes(name, o), o.from);
  if (!raw) throw new Error(`no answer for ${name}`);
  return Object.assign(decodeReply(raw), { raw });
}

function frame(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

/** Writes `data` in one go on a TCP connection from `from`, and collects `count` framed replies. */
async function tcpExchange(port: number, data: Buffer, count: number, from = '127.20.0.5'): Promise<Decoded[]> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: from });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.write(data);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const out: Decoded[] = [];
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`got ${out.length} of ${count} TCP replies`)); }, 5000);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(decodeReply(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === count) {
        clearTimeout(timer);
        socket.end();
        resolve(out);
      }
    });
  });
}

const answersOf = (p: Decoded): string[] => p.answers.map((a) => String(a.data));

describe('DnsService', () => {
  it('forwards a pupil device question and returns the upstream answer with the client ID', async () => {
    const { service, port } = await startService(config());
    const before = live.seen.length;
    const r = await ask(port, 'example.com', { id: 0x5151 });
    expect(r.id).toBe(0x5151);
    expect(r.rcode).toBe('NOERROR');
    expect(answersOf(r)).toEqual(['192.0.2.80']);
    const aaaa = await ask(port, 'Example.com', { type: 'AAAA', edns: 1232 });
    expect(answersOf(aaaa)).toEqual(['2001:db8::80']);
    expect(aaaa.questions![0]!.name).toBe('Example.com');

    const [event] = service.events.drain().slice(-2);
    expect(Value.Check(QueryEventSchema, event)).toBe(true);
    expect(event).toMatchObject({ network: 'pupil', client: '127.20.0.5', name: 'example.com', qtype: 1, verdict: 'forwarded', rcode: 0, upstream: 'live', transport: 'udp' });
    const stats = service.stats();
    expect(Value.Check(DnsStatsSchema, stats)).toBe(true);
    expect(stats.counters.byVerdict.forwarded).toBe(2);
    expect(stats.counters.byNetwork.pupil).toBe(2);
    expect(stats.upstreams).toEqual([{ name: 'live', address: '127.0.0.1', port: live.port, failing: false }]);
    expect(stats.listening.map((l) => l.transport).sort()).toEqual(['tcp', 'udp']);

    // Upstream saw our own random IDs, each from its own socket, with EDNS only where the client used it.
    const seen = live.seen.slice(before);
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.edns)).toEqual([false, true]);
  });

  it('uses a fresh random ID and source port for each upstream question', async () => {
    const { port } = await startService(config());
    const before = live.seen.length;
    for (let i = 0; i < 6; i++) await ask(port, `n${i}.example`, { id: 0x1234 });
    const seen = live.seen.slice(before);
    expect(new Set(seen.map((s) => s.id)).size).toBeGreaterThan(1);
    expect(seen.some((s) => s.id !== 0x1234)).toBe(true);
    expect(new Set(seen.map((s) => s.port)).size).toBeGreaterThan(1);
  });

  it('refuses sources on no school network, and IPv4 outsiders never reach the upstream', async () => {
    const { service, port } = await startService(config());
    const before = live.seen.length;
    const r = await ask(port, 'example.com', { from: '127.99.0.1' });
    expect(r.rcode).toBe('REFUSED');
    expect(r.answers).toEqual([]);
    expect(live.seen.length).toBe(before);
    expect(service.events.drain().at(-1)).toMatchObject({ network: null, verdict: 'refused', rcode: 5 });
    expect(service.stats().counters.byNetwork['(outside)']).toBe(1);
  });

  it('ignores spoofed answers (wrong ID, wrong question) and takes the real one', async () => {
    const { port } = await startService(config());
    const r = await ask(port, 'spoof.test');
    expect(answersOf(r)).toEqual(['192.0.2.99']);
  });

  it('fails over from a silent upstream to a live one after the timeout', async () => {
    const { service, port } = await startService(config({ upstreams: [silentUpstream(), liveUpstream()] }));
    const heardBefore = silent.received();
    const r = await ask(port, 'failover.example');
    expect(answersOf(r)).toEqual(['192.0.2.80']);
    expect(silent.received()).toBe(heardBefore + 1);
    const stats = service.stats();
    expect(stats.counters.upstreamFailuresByUpstream).toEqual({ silent: 1 });
    expect(service.events.drain().at(-1)).toMatchObject({ verdict: 'forwarded', upstream: 'live' });
  });

  it('answers SERVFAIL when every upstream fails', async () => {
    // A closed port (ICMP unreachable, fast) and a silent one (timeout).
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', () => resolve()));
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { service, port } = await startService(config({ upstreams: [{ name: 'gone', address: '127.0.0.1', port: closedPort }, silentUpstream()] }));
    const r = await ask(port, 'down.example', { edns: 1232 });
    expect(r.rcode).toBe('SERVFAIL');
    expect(r.additionals?.[0]?.type).toBe('OPT');
    // gone (unreachable), silent (timeout), and silent's second chance (one lost try gets one).
    expect(service.stats().counters.upstreamFailures).toBe(3);
    expect(service.events.drain().at(-1)).toMatchObject({ verdict: 'servfail', rcode: 2 });
  });

  it('retries over TCP when the upstream truncates, and truncates for a client without EDNS', async () => {
    const { port } = await startService(config());
    const before = live.seen.length;
    const withEdns = await ask(port, 'big.test', { edns: 4096 });
    expect(withEdns.flags! & dnsPacket.TRUNCATED_RESPONSE).toBe(0);
    expect(withEdns.answers).toHaveLength(40);
    expect(live.seen.slice(before).map((s) => s.transport)).toEqual(['udp', 'tcp']);

    const plain = await ask(port, 'big.test');
    expect(plain.raw.length).toBeLessThanOrEqual(512);
    expect(plain.flags! & dnsPacket.TRUNCATED_RESPONSE).toBe(dnsPacket.TRUNCATED_RESPONSE);
    expect(plain.answers).toEqual([]);

    const [overTcp] = await tcpExchange(port, frame(queryBytes('big.test', { id: 77 })), 1);
    expect(overTcp!.id).toBe(77);
    expect(overTcp!.answers).toHaveLength(40);
  });

  it('answers pipelined TCP queries sent in one write', async () => {
    const { service, port } = await startService(config());
    const data = Buffer.concat([frame(queryBytes('one.example', { id: 1 })), frame(queryBytes('two.example', { id: 2, type: anyType }))]);
    const replies = await tcpExchange(port, data, 2);
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2]);
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(answersOf(byId.get(1)!)).toEqual(['192.0.2.80']);
    expect(byId.get(2)!.answers![0]!.type).toBe('HINFO');
    expect(service.events.drain().every((e) => e.transport === 'tcp')).toBe(true);
  });

  it('closes only the connection that sent a malformed frame', async () => {
    const { service, port } = await startService(config());
    const bad = net.connect({ host: '127.0.0.1', port, localAddress: '127.20.0.6' });
    const closed = new Promise<void>((resolve) => bad.on('close', () => resolve()));
    bad.on('error', () => {});
    bad.write(Buffer.from([0, 3, 1, 2, 3]));
    await closed;
    const [ok] = await tcpExchange(port, frame(queryBytes('still.example', { id: 9 })), 1);
    expect(ok!.id).toBe(9);
    expect(service.stats().counters.tcpMalformed).toBe(1);
  });

  it('keeps answering a pipelined burst larger than the per-connection in-flight cap', async () => {
    const { port } = await startService(config(), { tcp: { maxInFlightPerConnection: 1 } });
    const data = Buffer.concat([1, 2, 3, 4, 5].map((id) => frame(queryBytes(`p${id}.example`, { id }))));
    const replies = await tcpExchange(port, data, 5);
    expect(replies.map((r) => r.id).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('closes idle TCP connections, caps concurrent ones, and stop() closes open ones', async () => {
    const { service, port } = await startService(config(), { tcp: { idleMs: 150, maxConnections: 1 } });
    const open = async (): Promise<{ socket: net.Socket; closed: Promise<void> }> => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.20.0.5' });
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      return { socket, closed };
    };
    const order: string[] = [];
    const first = await open();
    void first.closed.then(() => order.push('first'));
    const second = await open();
    void second.closed.then(() => order.push('second'));
    await Promise.all([first.closed, second.closed]);
    // Over the cap, the second is dropped at once; the first goes when idle past 150 ms.
    expect(order).toEqual(['second', 'first']);
    const third = await open();
    const stopped = service.stop();
    await third.closed;
    await stopped;
  });

  it('answers ANY with the RFC 8482 record and refuses zone transfers, never asking upstream', async () => {
    const { port } = await startService(config());
    const before = live.seen.length;
    const any = await ask(port, 'example.com', { type: anyType });
    expect(any.rcode).toBe('NOERROR');
    expect(any.answers).toMatchObject([{ type: 'HINFO', data: { cpu: 'RFC8482', os: '' } }]);
    const axfr = await ask(port, 'example.com', { type: axfrType });
    expect(axfr.rcode).toBe('NOTIMP');
    expect(live.seen.length).toBe(before);
  });

  it('refuses a client over its rate and counts it', async () => {
    const { service, port } = await startService(config({ rateLimitPerSecond: 3 }), { now: () => 1_000_000 });
    const rcodes: string[] = [];
    for (let i = 0; i < 5; i++) rcodes.push((await ask(port, 'example.com', { type: anyType })).rcode!);
    expect(rcodes).toEqual(['NOERROR', 'NOERROR', 'NOERROR', 'REFUSED', 'REFUSED']);
    // Another device has its own bucket.
    expect((await ask(port, 'example.com', { type: anyType, from: '127.20.0.9' })).rcode).toBe('NOERROR');
    expect(service.stats().counters.byVerdict['rate-limited']).toBe(2);
  });

  it('drops events rather than grow when nobody drains them', async () => {
    const { service, port } = await startService(config(), { eventCapacity: 2 });
    for (let i = 0; i < 5; i++) await ask(port, 'example.com', { type: anyType });
    expect(service.stats().events).toEqual({ buffered: 2, capacity: 2, dropped: 3 });
    expect(service.events.drain()).toHaveLength(2);
    await ask(port, 'example.com', { type: anyType });
    expect(service.events.size).toBe(1);
  });

  it('answers FORMERR to garbage and drops responses and runts', async () => {
    const { service, port } = await startService(config());
    const formerr = await askRaw(port, Uint8Array.from([0xab, 0xcd, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0]));
    expect(decodeReply(formerr!)).toMatchObject({ id: 0xabcd, rcode: 'FORMERR' });
    const response = queryBytes('example.com');
    response[2]! |= 0x80;
    // Only the marker is answered: the runt and the response got nothing, and were counted.
    const got = await sendThenMarker(port, [Uint8Array.from([1, 2, 3]), response]);
    expect(got.map((d) => [d.id, d.rcode])).toEqual([[0x7e7e, 'NOERROR']]);
    expect(service.stats().counters.dropped).toBe(2);
  });

  it('reload swaps the networks: a disabled network is refused from then on', async () => {
    const c = config();
    const { port, service } = await startService(c);
    expect((await ask(port, 'example.com')).rcode).toBe('NOERROR');
    const next = structuredClone(c);
    next.networks = next.networks.map((n) => (n.id === 'pupil' ? { ...n, enabled: false } : n));
    service.reload(next);
    expect((await ask(port, 'example.com')).rcode).toBe('REFUSED');
    expect((await ask(port, 'example.com', { from: '127.10.0.7' })).rcode).toBe('NOERROR');
  });

  it('names the endpoint when it cannot listen, and stop() releases the ports', async () => {
    const { port } = await startService(config());
    const clash = new DnsService({ severity: CATEGORY_SEVERITY, config: config({ listen: [{ address: '127.0.0.1', port }] }), logger: silentLogger(), resolvConfPath: '/nonexistent' });
    await expect(clash.start()).rejects.toThrow(new RegExp(`UDP 127\\.0\\.0\\.1:${port}: the address is already in use`));
    for (const s of services.splice(0)) await s.stop();
    const again = new DnsService({ severity: CATEGORY_SEVERITY, config: config({ listen: [{ address: '127.0.0.1', port }] }), logger: silentLogger(), resolvConfPath: '/nonexistent' });
    await again.start();
    services.push(again);
    expect(again.stats().listening).toEqual([{ transport: 'udp', address: '127.0.0.1', port }, { transport: 'tcp', address: '127.0.0.1', port }]);
  });

  it('uses the system resolvers when no upstream is configured, skipping its own listener', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'sg-dns-'));
    const path = join(dir, 'resolv.conf');
    writeFileSync(path, 'nameserver 127.0.0.1\nnameserver 127.0.0.2\n');
    const c = config({ upstreams: [], listen: [{ address: '127.0.0.1', port: 53 }] });
    const service = new DnsService({ config: c, severity: CATEGORY_SEVERITY, logger: silentLogger(), resolvConfPath: path });
    // Not started (port 53 needs root): the choice of upstreams is made at construction.
    const stats = service.stats();
    expect(stats.upstreamSource).toBe('system');
    expect(stats.upstreams).toEqual([{ name: 'system 127.0.0.2', address: '127.0.0.2', port: 53, failing: false }]);
  });
});

describe('DnsService UDP I/O (dns.udpIo)', () => {
  it.each(['batched', 'node'] as const)('answers over UDP through %s the same way: forwarded, refused, truncated', async (udpIo) => {
    const { service, port } = await startService(config({ udpIo }));
    expect(service.stats().udpIo).toEqual({ mode: udpIo });
    const r = await ask(port, 'example.com', { id: 0x4242 });
    expect(r).toMatchObject({ id: 0x4242, rcode: 'NOERROR' });
    expect(answersOf(r)).toEqual(['192.0.2.80']);
    expect((await ask(port, 'example.com', { from: '127.99.0.1' })).rcode).toBe('REFUSED');
    const plain = await ask(port, 'big.test');
    expect(plain.raw.length).toBeLessThanOrEqual(512);
    expect(plain.flags! & dnsPacket.TRUNCATED_RESPONSE).toBe(dnsPacket.TRUNCATED_RESPONSE);
    expect(service.events.drain().map((e) => e.verdict)).toEqual(['forwarded', 'refused', 'forwarded']);
  });

  it('survives a flood of random datagrams of every size through the batched listener, then answers', async () => {
    const { service, port } = await startService(config({ udpIo: 'batched' }));
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.20.0.5', () => resolve()));
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 8;
    };
    try {
      for (let i = 0; i < 3000; i++) {
        // Mostly short garbage, some header-shaped, some empty, a few longer than a slot.
        const size = i % 500 === 0 ? 4097 + (random() % 3000) : random() % 600;
        const bytes = new Uint8Array(size);
        for (let j = 0; j < size; j++) bytes[j] = random() & 255;
        if (size >= 12 && i % 3 === 0) bytes.set([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0);
        socket.send(bytes, port, '127.0.0.1');
        if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      socket.close();
    }
    const r = await ask(port, 'example.com', { id: 0x7777 });
    expect(r).toMatchObject({ id: 0x7777, rcode: 'NOERROR' });
    const c = service.stats().counters;
    expect(c.handlerErrors).toBe(0);
    // Every oversized datagram was dropped before the handler saw it.
    expect(c.dropped).toBeGreaterThanOrEqual(6);
  });

  it('auto falls back to dgram where the addon was not built, and says why', async () => {
    const { service, port } = await startService(config(), { netioPath: '/nonexistent/netio.node' });
    expect(service.stats().udpIo).toEqual({ mode: 'node', reason: expect.stringMatching(/netio\.node was not built/) });
    expect((await ask(port, 'example.com')).rcode).toBe('NOERROR');
  });

  it('keeps its UDP I/O across a reload that changes dns.udpIo, and says a restart applies it', async () => {
    const warnings: string[] = [];
    const logger = Object.create(silentLogger()) as ReturnType<typeof silentLogger>;
    logger.warn = ((first: unknown, second?: unknown) => { warnings.push(String(typeof first === 'string' ? first : second)); }) as typeof logger.warn;
    const { service, port } = await startService(config({ udpIo: 'batched' }), { logger });
    service.reload(config({ udpIo: 'node' }));
    expect(warnings).toContain('dns.udpIo changed: the listeners and upstream sockets keep their UDP I/O until a restart');
    expect(service.stats().udpIo).toEqual({ mode: 'batched' });
    expect((await ask(port, 'example.com')).rcode).toBe('NOERROR');
  });

  it('refuses to start with "batched" where the addon was not built', () => {
    expect(() => new DnsService({ severity: CATEGORY_SEVERITY, config: config({ udpIo: 'batched' }), logger: silentLogger(), resolvConfPath: '/nonexistent', netioPath: '/nonexistent/netio.node' }))
      .toThrow(/dns\.udpIo is "batched" but \/nonexistent\/netio\.node was not built/);
  });
});
