// DHCP's sockets (firmware/dhcp/transport.ts on netio's dhcp-io.c) on the lab's real links, with
// clients that have no address yet (`clients: 'none'`). The sockets live in gw, in a fixture process
// the test drives (fixtures/dhcp-transport-peer.ts); clients send with socat, and what reaches a
// client is counted by nftables on the client's own interface (a netdev ingress chain sees every
// frame, with its Ethernet and IP addresses, before an unaddressed stack would drop it).
// Every datagram is DHCP-shaped and carries a transaction id of its own, which the rules match.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_INTERFACE, CLIENTS, GW_WAN_INTERFACE, WAN_LINK, gatewayInterface, schoolNetwork, type LabNs, type SchoolNetworkId } from '../../scripts/netlab/addresses.ts';
import { NODE } from '../../scripts/netlab/gateway.ts';
import type { DhcpArrival, DhcpDestination } from '../../firmware/dhcp/transport-types.ts';
import type { DhcpTransportCounters } from '../../firmware/dhcp/transport.ts';
import { useLab } from './support/lab.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'dhcp-transport-peer.ts');
const FLOOD = join(import.meta.dirname, 'fixtures', 'dhcp-hardware-flood.ts');
const lab = useLab({ clients: 'none' });

interface Datagram { id: string; xid: number; arrival: DhcpArrival }
type Reply = { ev: 'opened'; ifindex: number; port: number } | { ev: 'sent'; counters?: DhcpTransportCounters } | { ev: 'error'; code?: string; message: string };

/** The fixture in gw: opens DHCP sockets and sends on them; reports every datagram they receive. */
class GwSockets {
  readonly received: Datagram[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  readonly #waiters: { test: (d: Datagram) => boolean; resolve: (d: Datagram) => void }[] = [];
  #seq = 0;
  #stderr = '';

  constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr!.on('data', (b: Buffer) => { this.#stderr += b.toString(); });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as ({ seq: number } & Reply) | { ev: 'datagram'; id: string; hex: string; arrival: DhcpArrival };
      if (event.ev === 'datagram') {
        const d: Datagram = { id: event.id, xid: Buffer.from(event.hex, 'hex').readUInt32BE(4), arrival: event.arrival };
        this.received.push(d);
        for (const w of this.#waiters.filter((x) => x.test(d))) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(d);
        }
        return;
      }
      this.#pending.get(event.seq)?.(event);
      this.#pending.delete(event.seq);
    });
  }

  async #call(command: object): Promise<Reply> {
    const seq = ++this.#seq;
    const reply = new Promise<Reply>((resolve) => this.#pending.set(seq, resolve));
    this.#child.stdin!.write(`${JSON.stringify({ seq, ...command })}\n`);
    return withTimeout(reply, `the fixture's answer to ${JSON.stringify(command)} (stderr: ${this.#stderr})`);
  }

  async open(id: string, iface: string | null, port: number, frames = false): Promise<{ ifindex: number; port: number }> {
    const reply = await this.#call({ op: 'open', id, interface: iface, port, frames });
    if (reply.ev !== 'opened') throw new Error(`open ${id}: ${JSON.stringify(reply)}`);
    return { ifindex: reply.ifindex, port: reply.port };
  }

  async send(id: string, xid: number, destination: DhcpDestination, ifindex?: number): Promise<DhcpTransportCounters> {
    const reply = await this.#call({ op: 'send', id, hex: Buffer.from(bootp(2, xid)).toString('hex'), destination, ifindex });
    if (reply.ev !== 'sent' || !reply.counters) throw new Error(`send on ${id}: ${JSON.stringify(reply)}`);
    return reply.counters;
  }

  async plainBroadcast(xid: number, port: number): Promise<void> {
    const reply = await this.#call({ op: 'plain-broadcast', hex: Buffer.from(bootp(2, xid)).toString('hex'), port });
    if (reply.ev !== 'sent') throw new Error(`plain broadcast: ${JSON.stringify(reply)}`);
  }

  /** The first datagram with this xid that socket `id` received (already, or when it comes). */
  datagram(id: string, xid: number): Promise<Datagram> {
    const test = (d: Datagram): boolean => d.id === id && d.xid === xid;
    const seen = this.received.find(test);
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise((resolve) => this.#waiters.push({ test, resolve })), `socket ${id} receiving xid ${hex(xid)}`);
  }

  xids(id: string): number[] {
    return this.received.filter((d) => d.id === id).map((d) => d.xid);
  }

  close(): void {
    this.#child.stdin!.end();
  }
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms); }),
  ]);
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
let nextXid = 0x5347_0000 + (process.pid & 0xfff) * 16;
const newXid = (): number => ++nextXid;

/** A BOOTP/DHCP-shaped message: op (1 request, 2 reply), Ethernet, the xid, the magic cookie, DHCPDISCOVER. */
function bootp(op: 1 | 2, xid: number): Uint8Array {
  const b = Buffer.alloc(300);
  b[0] = op;
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE(xid, 4);
  b.writeUInt32BE(0x63825363, 236);
  b.set([53, 1, 1, 255], 240);
  return b;
}

/** An nftables match on the DHCP message's xid (4 bytes after the 8-byte UDP header). */
const xidMatch = (xid: number): string => `@th,96,32 ${hex(xid)}`;

/** Counts frames arriving on `device` in `ns` that match each rule, from before any address or routing applies. */
async function watchFrames(ns: LabNs, device: string, rules: Record<string, string>): Promise<(name: string) => Promise<number>> {
  const table = `sgwatch${Math.floor(Math.random() * 1e9)}`;
  const lines = [`table netdev ${table} {`, `  chain in {`, `    type filter hook ingress device "${device}" priority 0; policy accept;`,
    ...Object.entries(rules).map(([name, match]) => `    ${match} counter comment "${name}"`), '  }', '}'];
  await lab().run(ns, ['nft', '-f', '-'], { input: `${lines.join('\n')}\n` });
  return async (name) => {
    const r = await lab().run(ns, ['nft', '-j', 'list', 'table', 'netdev', table]);
    const items = (JSON.parse(r.stdout) as { nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[] }).nftables;
    const rule = items.find((i) => i.rule?.comment === name)?.rule;
    if (!rule) throw new Error(`no rule ${name} in ${ns}`);
    return rule.expr.find((e) => e.counter)!.counter!.packets;
  };
}

/** Polls `count` until it reaches `atLeast` (the frame arrived) or gives up. */
async function framesReach(count: () => Promise<number>, atLeast: number, what: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const n = await count();
    if (n >= atLeast || Date.now() > deadline) {
      expect(n, what).toBeGreaterThanOrEqual(atLeast);
      return n;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function client(network: SchoolNetworkId): { ns: LabNs; mac: string } {
  const c = CLIENTS.find((x) => x.ns === network)!;
  return { ns: c.ns, mac: c.mac };
}

const gwInterface = (network: SchoolNetworkId): string => gatewayInterface(schoolNetwork(network), lab().vlans);

async function ifindex(ns: LabNs, device: string): Promise<number> {
  const r = await lab().run(ns, ['ip', '-j', 'link', 'show', 'dev', device]);
  return (JSON.parse(r.stdout) as { ifindex: number }[])[0]!.ifindex;
}

/** A client with no address broadcasts a request, as a DHCP client in INIT does (0.0.0.0:68 -> 255.255.255.255:67). */
async function clientBroadcast(ns: LabNs, xid: number): Promise<void> {
  await lab().run(ns, ['socat', '-u', 'STDIN', `UDP-DATAGRAM:255.255.255.255:67,broadcast,bind=0.0.0.0:68,so-bindtodevice=${CLIENT_INTERFACE}`], { input: Buffer.from(bootp(1, xid)) });
}

/**
 * Waits until every link of these namespaces is operationally up. The lab returns once its links
 * are configured, but the kernel raises carrier (and the bridges) a moment later: a frame sent
 * before that is dropped, which a DHCP client would cover by retrying and this test must not.
 */
async function linksUp(namespaces: readonly LabNs[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const down: string[] = [];
    for (const ns of namespaces) {
      const links = JSON.parse((await lab().run(ns, ['ip', '-j', 'link', 'show'])).stdout) as { ifname: string; operstate: string }[];
      down.push(...links.filter((l) => l.ifname !== 'lo' && l.operstate !== 'UP').map((l) => `${ns}/${l.ifname} ${l.operstate}`));
    }
    if (down.length === 0) return;
    if (Date.now() > deadline) throw new Error(`links still not up: ${down.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let gw: GwSockets;
const ifindexes: Record<string, number> = {};

beforeAll(async () => {
  await linksUp(['gw', 'ap', 'wan', 'staff', 'pupil', 'guest']);
  gw = new GwSockets(lab().spawn('gw', [NODE, FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] }));
  for (const network of ['staff', 'pupil', 'guest'] as const) ifindexes[network] = await ifindex('gw', gwInterface(network));
  ifindexes.wan = await ifindex('gw', GW_WAN_INTERFACE);
  // A server per network on port 67, and the relay socket on the same port, unbound.
  for (const network of ['staff', 'pupil', 'guest'] as const) {
    expect(await gw.open(network, gwInterface(network), 67)).toEqual({ ifindex: ifindexes[network], port: 67 });
  }
  expect(await gw.open('relay', null, 67)).toEqual({ ifindex: 0, port: 67 });
});

afterAll(() => gw?.close());

describe('DHCP sockets on the lab networks', () => {
  it('gives each interface\'s server only that network\'s broadcasts, with the arrival interface', async () => {
    // Alternating, each awaited where it belongs: a datagram that also reached the other server
    // would stand before that server's next one in its list.
    const sent: [SchoolNetworkId, number][] = [];
    for (const network of ['staff', 'pupil', 'staff', 'pupil'] as const) {
      const xid = newXid();
      await clientBroadcast(client(network).ns, xid);
      const d = await gw.datagram(network, xid);
      expect(d.arrival).toEqual({ ifindex: ifindexes[network], sourceAddress: '0.0.0.0', sourcePort: 68, destinationAddress: '255.255.255.255' });
      sent.push([network, xid]);
    }
    expect(gw.xids('staff')).toEqual(sent.filter(([n]) => n === 'staff').map(([, x]) => x));
    expect(gw.xids('pupil')).toEqual(sent.filter(([n]) => n === 'pupil').map(([, x]) => x));
    expect(gw.xids('guest')).toEqual([]);
    // The unbound relay socket hears every interface's broadcasts (the service ignores those without a giaddr).
    for (const [network, xid] of sent) expect((await gw.datagram('relay', xid)).arrival.ifindex).toBe(ifindexes[network]);
  });

  it('sends a broadcast reply out of the bound interface, though the default route points at the WAN', async () => {
    const { ns } = client('guest');
    const wanSide = (JSON.parse((await lab().run('wan', ['ip', '-j', 'route', 'get', WAN_LINK.gw])).stdout) as { dev: string }[])[0]!.dev;
    const reply = newXid();
    const control = newXid();
    const broadcastTo68 = 'ether daddr ff:ff:ff:ff:ff:ff ip daddr 255.255.255.255 udp dport 68';
    const atClient = await watchFrames(ns, CLIENT_INTERFACE, { reply: `${broadcastTo68} udp sport 67 ${xidMatch(reply)}` });
    const atWan = await watchFrames('wan', wanSide, { reply: `udp dport 68 ${xidMatch(reply)}`, control: `${broadcastTo68} ${xidMatch(control)}` });
    // The control: a broadcast from a socket bound to no interface follows the routing table to the WAN.
    await gw.plainBroadcast(control, 68);
    await framesReach(() => atWan('control'), 1, 'a plain broadcast from gw reaching the WAN side');
    await gw.send('guest', reply, { kind: 'broadcast' });
    await framesReach(() => atClient('reply'), 1, 'the guest server\'s broadcast reaching the guest client');
    expect(await atWan('reply')).toBe(0);
  });

  it('delivers a hardware reply to the MAC of a client that has no address, without ARP', async () => {
    const { ns, mac } = client('guest');
    const yiaddr = schoolNetwork('guest').pool.first;
    const xid = newXid();
    const atClient = await watchFrames(ns, CLIENT_INTERFACE, { reply: `ether daddr ${mac} ip daddr ${yiaddr} udp sport 67 udp dport 68 ${xidMatch(xid)}` });
    const counters = await gw.send('guest', xid, { kind: 'hardware', address: yiaddr, mac });
    expect(counters.hardwareAsBroadcast).toBe(0);
    await framesReach(() => atClient('reply'), 1, 'the unicast frame to the client\'s MAC');
    // The neighbour entry that carried it is gone again: a flood of offers to made-up MACs must
    // not fill the kernel's table (shared by every namespace) and stop the gateway ARPing for real hosts.
    const neighbours = JSON.parse((await lab().run('gw', ['ip', '-j', 'neigh', 'show', 'to', yiaddr, 'dev', gwInterface('guest')])).stdout) as { lladdr?: string }[];
    expect(neighbours).toEqual([]);
  });

  it('sends broadcast and hardware replies out of the interface named, from the unbound relay socket', async () => {
    const { ns, mac } = client('pupil');
    const yiaddr = schoolNetwork('pupil').pool.first;
    const broadcast = newXid();
    const hardware = newXid();
    const atClient = await watchFrames(ns, CLIENT_INTERFACE, {
      broadcast: `ether daddr ff:ff:ff:ff:ff:ff ip daddr 255.255.255.255 udp sport 67 udp dport 68 ${xidMatch(broadcast)}`,
      hardware: `ether daddr ${mac} ip daddr ${yiaddr} udp sport 67 udp dport 68 ${xidMatch(hardware)}`,
    });
    await gw.send('relay', broadcast, { kind: 'broadcast' }, ifindexes.pupil);
    const counters = await gw.send('relay', hardware, { kind: 'hardware', address: yiaddr, mac }, ifindexes.pupil);
    expect(counters.hardwareAsBroadcast).toBe(0);
    await framesReach(() => atClient('broadcast'), 1, 'the relay socket\'s broadcast reaching the pupil client');
    await framesReach(() => atClient('hardware'), 1, 'the relay socket\'s unicast frame to the pupil client\'s MAC');
  });

  it('receives a relay agent\'s unicast to the gateway\'s address on the relay socket, and answers the relay', async () => {
    // A relay beyond the WAN link (where no server is bound) forwards a request to the staff
    // gateway address, from port 67 as relay agents do.
    const staffGateway = schoolNetwork('staff').gateway;
    const request = newXid();
    await lab().run('wan', ['socat', '-u', 'STDIN', `UDP-SENDTO:${staffGateway}:67,sourceport=67`], { input: Buffer.from(bootp(1, request)) });
    const d = await gw.datagram('relay', request);
    expect(d.arrival).toEqual({ ifindex: ifindexes.wan, sourceAddress: WAN_LINK.wan, sourcePort: 67, destinationAddress: staffGateway });

    const wanSide = (JSON.parse((await lab().run('wan', ['ip', '-j', 'route', 'get', WAN_LINK.gw])).stdout) as { dev: string }[])[0]!.dev;
    const reply = newXid();
    const atRelay = await watchFrames('wan', wanSide, { reply: `ip daddr ${WAN_LINK.wan} udp sport 67 udp dport 67 ${xidMatch(reply)}` });
    await gw.send('relay', reply, { kind: 'unicast', address: WAN_LINK.wan, port: 67 });
    await framesReach(() => atRelay('reply'), 1, 'the reply reaching the relay agent');
  });

  it('gives a renewing client\'s unicast to its network\'s server, not to the relay socket, and answers it at ciaddr', async () => {
    // RENEWING (RFC 2131 4.4.5): the client has its address and asks the server directly. The
    // kernel prefers the socket bound to the arrival interface over the unbound one.
    const { ns } = client('staff');
    const staff = schoolNetwork('staff');
    const ciaddr = staff.pool.first;
    await lab().run(ns, ['ip', 'address', 'add', `${ciaddr}/${staff.prefixLength}`, 'dev', CLIENT_INTERFACE]);
    try {
      const request = newXid();
      await lab().run(ns, ['socat', '-u', 'STDIN', `UDP-SENDTO:${staff.gateway}:67,bind=${ciaddr}:68`], { input: Buffer.from(bootp(1, request)) });
      const d = await gw.datagram('staff', request);
      expect(d.arrival).toEqual({ ifindex: ifindexes.staff, sourceAddress: ciaddr, sourcePort: 68, destinationAddress: staff.gateway });
      expect(gw.received.filter((x) => x.xid === request).map((x) => x.id)).toEqual(['staff']);

      const reply = newXid();
      const atClient = await watchFrames(ns, CLIENT_INTERFACE, { reply: `ip daddr ${ciaddr} udp sport 67 udp dport 68 ${xidMatch(reply)}` });
      await gw.send('staff', reply, { kind: 'unicast', address: ciaddr, port: 68 });
      await framesReach(() => atClient('reply'), 1, 'the unicast reply reaching the renewing client');
    } finally {
      await lab().run(ns, ['ip', 'address', 'flush', 'dev', CLIENT_INTERFACE]);
    }
  });

  it('hears another DHCP server\'s broadcast offer on port 68 of the interface it is bound to', async () => {
    // The rogue watch: a second server on the staff network broadcasts an offer.
    await gw.open('watch-staff', gwInterface('staff'), 68);
    const offer = newXid();
    await lab().run(client('staff').ns, ['socat', '-u', 'STDIN', `UDP-DATAGRAM:255.255.255.255:68,broadcast,bind=0.0.0.0:67,so-bindtodevice=${CLIENT_INTERFACE}`], { input: Buffer.from(bootp(2, offer)) });
    const d = await gw.datagram('watch-staff', offer);
    expect(d.arrival).toMatchObject({ ifindex: ifindexes.staff, sourcePort: 67, destinationAddress: '255.255.255.255' });

    // Its probe, a DISCOVER, is broadcast to the servers' port out of the staff interface. The
    // kernel loops a broadcast back to the sender's own sockets on that interface too, so the
    // staff server hears the probe (and the watch hears that server's own broadcast replies).
    const probe = newXid();
    const atClient = await watchFrames(client('staff').ns, CLIENT_INTERFACE, { probe: `ether daddr ff:ff:ff:ff:ff:ff ip daddr 255.255.255.255 udp sport 68 udp dport 67 ${xidMatch(probe)}` });
    await gw.send('watch-staff', probe, { kind: 'broadcast' });
    await framesReach(() => atClient('probe'), 1, 'the watch\'s probe reaching the staff network');
    expect((await gw.datagram('staff', probe)).arrival).toMatchObject({ ifindex: ifindexes.staff, sourcePort: 68, destinationAddress: '255.255.255.255' });
  });
});

describe('the rogue watch\'s frame socket', () => {
  it('names the MAC of a server whose address is not on our network, and never hears this host\'s own broadcasts', async () => {
    // A home router plugged into a classroom socket: its own address is on its own LAN, so the
    // gateway could never ARP for it. The frame it broadcasts carries its MAC all the same.
    const { ns, mac } = client('staff');
    await gw.open('frames-staff', gwInterface('staff'), 68, true);
    await gw.open('udp-staff', gwInterface('staff'), 68);
    await lab().run(ns, ['ip', 'address', 'add', '192.168.1.1/24', 'dev', CLIENT_INTERFACE]);
    try {
      const offer = newXid();
      await roguesOffer(ns, offer);
      expect((await gw.datagram('frames-staff', offer)).arrival).toEqual({
        ifindex: ifindexes.staff, sourceAddress: '192.168.1.1', sourcePort: 67, destinationAddress: '255.255.255.255', sourceMac: mac,
      });
      // The staff server's own broadcast reply: looped back to gw's ordinary port-68 socket, but
      // not to the frame watch, whose list would show it before the next offer.
      const ours = newXid();
      await gw.send('staff', ours, { kind: 'broadcast' });
      await gw.datagram('udp-staff', ours);
      const second = newXid();
      await roguesOffer(ns, second);
      await gw.datagram('frames-staff', second);
      expect(gw.xids('frames-staff')).toEqual([offer, second]);
    } finally {
      await lab().run(ns, ['ip', 'address', 'flush', 'dev', CLIENT_INTERFACE]);
    }
  });
});

/** Another DHCP server on a client's link broadcasts an offer (port 67 -> 255.255.255.255:68). */
async function roguesOffer(ns: LabNs, xid: number): Promise<void> {
  await lab().run(ns, ['socat', '-u', 'STDIN', `UDP-DATAGRAM:255.255.255.255:68,broadcast,bind=0.0.0.0:67,so-bindtodevice=${CLIENT_INTERFACE}`], { input: Buffer.from(bootp(2, xid)) });
}

describe('hardware replies in bulk', () => {
  it('leave no neighbour entries behind, so a flood of made-up MACs never fills the kernel\'s table', () => {
    // The table's hard limit is the host's (every namespace shares it): send more replies than it holds.
    const limit = Number(readFileSync('/proc/sys/net/ipv4/neigh/default/gc_thresh3', 'utf8'));
    const count = Math.min(limit + 500, 60_000);
    const setup = [
      'ip link set lo up', 'ip link add sga type veth peer name sgb', 'ip link set sga up', 'ip link set sgb up',
      'ip address add 10.99.0.1/16 dev sga',
    ].join(' && ');
    const r = spawnSync('unshare', ['-n', '--', 'sh', '-c', `${setup} && "$0" "$1" "$2" && ip -j neigh show dev sga`, NODE, FLOOD, String(count)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const [counters, neighbours] = r.stdout.trim().split('\n');
    expect(JSON.parse(counters!)).toMatchObject({ sent: count, hardwareAsBroadcast: 0 });
    expect(JSON.parse(neighbours!)).toEqual([]);
  });
});
