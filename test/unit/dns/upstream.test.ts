// The forwarder against real loopback sockets: ordering, failure reasons, the in-flight cap, close().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Forwarder, type FailureReason } from '../../../firmware/dns/upstream.ts';
import { ParsedQuery, readQuery } from '../../../firmware/dns/wire.ts';
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

function question(name: string): { packet: Uint8Array; q: ParsedQuery } {
  const packet = query(name, 1, { h: { id: 0x0102 } });
  const q = new ParsedQuery();
  readQuery(packet, q);
  return { packet, q };
}

describe('Forwarder', () => {
  it('returns the first good answer, still carrying its own ID, and reports failed tries', async () => {
    const failures: [string, FailureReason][] = [];
    const f = new Forwarder({
      upstreams: [{ name: 'silent', address: '127.0.0.1', port: silent.port }, { name: 'live', address: '127.0.0.1', port: live.port }],
      timeoutMs: 150,
      onFailure: (u, reason) => failures.push([u.name, reason]),
    });
    const { packet, q } = question('fwd.example');
    const result = await f.forward(packet, q);
    expect(result.upstream).toBe('live');
    const d = decodeReply(result.response!);
    expect(d.id).toBe(live.seen.at(-1)!.id);
    expect(d.answers.map((a) => a.data)).toEqual(['192.0.2.80']);
    expect(failures).toEqual([['silent', 'timeout']]);
    expect(f.inFlight).toBe(0);
  });

  it('accepts an IPv4-mapped upstream address as IPv4', async () => {
    const f = new Forwarder({ upstreams: [{ name: 'mapped', address: '::ffff:127.0.0.1', port: live.port }], timeoutMs: 500 });
    expect(f.upstreams[0]!.address).toBe('127.0.0.1');
    const { packet, q } = question('mapped.example');
    expect((await f.forward(packet, q)).upstream).toBe('mapped');
  });

  it('refuses a non-address upstream at construction', () => {
    expect(() => new Forwarder({ upstreams: [{ name: 'x', address: 'dns.example', port: 53 }], timeoutMs: 100 })).toThrow(/not an IP address/);
  });

  it('answers nothing at once past its in-flight cap, and close() ends what is in flight', async () => {
    const failures: FailureReason[] = [];
    const f = new Forwarder({ upstreams: [{ name: 'silent', address: '127.0.0.1', port: silent.port }], timeoutMs: 10_000, maxInFlight: 1, onFailure: (_, r) => failures.push(r) });
    const { packet, q } = question('held.example');
    const held = f.forward(packet, q);
    expect(f.inFlight).toBe(1);
    expect(await f.forward(packet, q)).toEqual({ response: undefined, upstream: undefined });
    expect(failures).toEqual(['overloaded']);
    f.close();
    expect(await held).toEqual({ response: undefined, upstream: undefined });
    expect(f.inFlight).toBe(0);
  });
});
