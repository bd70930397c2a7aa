// The DHCP sockets of the netio addon (dhcp-io.c) and the DhcpSocket over them (dhcp/transport.ts),
// on loopback: every argument C is handed is checked before use, datagrams arrive with what the
// kernel said about them, oversized ones are counted and dropped, and a hardware reply that cannot
// get a neighbour entry (loopback has no ARP) goes as a broadcast and is counted. Interfaces,
// broadcasts and MAC delivery on real links are test/lab/dhcp-transport.test.ts.
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNetio, type Netio, type NetioDhcp } from '../../../firmware/native/netio.ts';
import { openDhcpSocket, type NativeDhcpSocket } from '../../../firmware/dhcp/transport.ts';
import type { DhcpArrival } from '../../../firmware/dhcp/transport-types.ts';

const netio: Netio = loadNetio().netio ?? ((): never => { throw new Error('netio is not built'); })();
const LOOPBACK = Object.keys(networkInterfaces()).find((name) => networkInterfaces()[name]!.some((a) => a.internal && a.family === 'IPv4'));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function open(name: string | null, port = 0, onBatch: (count: number) => void = () => {}): NetioDhcp {
  const opened = netio.openDhcp(name, port, onBatch);
  cleanups.push(() => netio.closeDhcp(opened.socket));
  return opened;
}

async function udpPeer(): Promise<{ socket: dgram.Socket; port: number; next: () => Promise<{ bytes: number[]; address: string; port: number }> }> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
  cleanups.push(() => socket.close());
  const waiting: ((m: { bytes: number[]; address: string; port: number }) => void)[] = [];
  const arrived: { bytes: number[]; address: string; port: number }[] = [];
  socket.on('message', (msg, rinfo) => {
    const m = { bytes: [...msg], address: rinfo.address, port: rinfo.port };
    const w = waiting.shift();
    if (w) w(m);
    else arrived.push(m);
  });
  return {
    socket,
    port: socket.address().port,
    next: () => new Promise((resolve) => {
      const m = arrived.shift();
      if (m) resolve(m);
      else waiting.push(resolve);
    }),
  };
}

/** A DhcpSocket on loopback whose datagrams (copied) can be awaited one by one. */
function receiver(name: string | null, port = 0, frames = false): { socket: NativeDhcpSocket; next: () => Promise<{ bytes: number[]; arrival: DhcpArrival }> } {
  const arrived: { bytes: number[]; arrival: DhcpArrival }[] = [];
  const waiting: ((m: { bytes: number[]; arrival: DhcpArrival }) => void)[] = [];
  const socket = openDhcpSocket(name, (bytes, arrival) => {
    const m = { bytes: [...bytes], arrival };
    const w = waiting.shift();
    if (w) w(m);
    else arrived.push(m);
  }, { port, frames });
  cleanups.push(() => socket.close());
  return {
    socket,
    next: () => new Promise((resolve) => {
      const m = arrived.shift();
      if (m) resolve(m);
      else waiting.push(resolve);
    }),
  };
}

describe('openDhcp arguments', () => {
  it('takes an interface name of 1 to 15 bytes, or null', () => {
    expect(() => netio.openDhcp('x'.repeat(16), 0, () => {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE', name: 'TypeError' }));
    expect(() => netio.openDhcp('', 0, () => {})).toThrow(/interfaceName must be/);
    expect(() => netio.openDhcp(7 as unknown as string, 0, () => {})).toThrow(/interfaceName must be/);
    expect(() => netio.openDhcp('lo\0x', 0, () => {})).toThrow(/interfaceName must be/);
  });

  it('names an interface that does not exist ENODEV', () => {
    expect(() => netio.openDhcp('sg-nowhere0', 0, () => {})).toThrow(expect.objectContaining({ code: 'ENODEV', message: expect.stringContaining('sg-nowhere0') }));
  });

  it('takes a whole port from 0 to 65535 and a callback', () => {
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      expect(() => netio.openDhcp(null, port, () => {})).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
    expect(() => netio.openDhcp(null, 0, 'no' as unknown as () => void)).toThrow(/onBatch must be a function/);
    expect(() => (netio.openDhcp as (...a: unknown[]) => unknown)(null, 0)).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
  });

  it('reports the interface it bound to and the port', () => {
    const bound = open(LOOPBACK!);
    expect(bound.ifindex).toBeGreaterThan(0);
    expect(bound.port).toBeGreaterThan(0);
    expect(open(null).ifindex).toBe(0);
  });

  it('lets a server bound to an interface and the unbound relay socket share a port', () => {
    const relay = open(null);
    expect(() => open(LOOPBACK!, relay.port)).not.toThrow();
  });
});

describe('sendDhcp arguments', () => {
  const ok = Uint8Array.from([1, 2, 3]);

  it('refuses what is not a netio DHCP socket', () => {
    const udp = netio.openUdp(4, '127.0.0.1', 0, false, 0, () => {}, 1);
    cleanups.push(() => netio.closeUdp(udp.socket));
    expect(() => netio.sendDhcp(udp.socket as never, ok, netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/not a netio DHCP socket/);
    expect(() => netio.sendDhcp({} as never, ok, netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/not a netio DHCP socket/);
  });

  it('takes 1 to DHCP_SLOT bytes in a Uint8Array', () => {
    const s = open(null).socket;
    expect(() => netio.sendDhcp(s, new Uint8Array(0), netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    expect(() => netio.sendDhcp(s, new Uint8Array(netio.DHCP_SLOT + 1), netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/1 to 1500 bytes/);
    expect(() => netio.sendDhcp(s, new Uint16Array(4) as unknown as Uint8Array, netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/Uint8Array/);
    expect(() => netio.sendDhcp(s, [1, 2] as unknown as Uint8Array, netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/Uint8Array/);
  });

  it('takes a known kind, an IPv4 literal, a port and an ifindex', () => {
    const s = open(null).socket;
    expect(() => netio.sendDhcp(s, ok, 3, '127.0.0.1', 9, null, 0)).toThrow(/kind must be an integer from 0 to 2/);
    for (const address of ['nowhere', '::1', '', '127.0.0.1.5', null]) {
      expect(() => netio.sendDhcp(s, ok, netio.DHCP_UNICAST, address, 9, null, 0)).toThrow(/IPv4 address literal/);
    }
    expect(() => netio.sendDhcp(s, ok, netio.DHCP_UNICAST, '127.0.0.1', 0, null, 0)).toThrow(/port must be an integer from 1/);
    expect(() => netio.sendDhcp(s, ok, netio.DHCP_UNICAST, '127.0.0.1', 9, null, -1)).toThrow(/ifindex must be/);
  });

  it('takes a MAC as six hex pairs with colons, for a hardware reply', () => {
    const s = open(null).socket;
    for (const mac of ['02:5c:00:10:00', '02-5c-00-10-00-10', '02:5c:00:10:00:1g', '02:5c:00:10:00:100', '025c:00:10:00:10:', 'x', null]) {
      expect(() => netio.sendDhcp(s, ok, netio.DHCP_HARDWARE, '127.0.0.1', 9, mac, 1)).toThrow(/mac must be six two-digit hex bytes/);
    }
  });

  it('sends a bound socket\'s broadcasts out of its interface only, and wants one for the relay socket\'s', () => {
    const bound = open(LOOPBACK!);
    expect(() => netio.sendDhcp(bound.socket, ok, netio.DHCP_BROADCAST, null, 9, null, bound.ifindex + 1000)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const relay = open(null);
    expect(() => netio.sendDhcp(relay.socket, ok, netio.DHCP_BROADCAST, null, 9, null, 0)).toThrow(/needs the interface's ifindex/);
    expect(() => netio.sendDhcp(relay.socket, ok, netio.DHCP_HARDWARE, '127.0.0.1', 9, '02:5c:00:10:00:10', 0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('throws EBADF once the socket is closed', () => {
    const opened = netio.openDhcp(null, 0, () => {});
    netio.closeDhcp(opened.socket);
    netio.closeDhcp(opened.socket); // idempotent
    expect(() => netio.sendDhcp(opened.socket, ok, netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe('DhcpSocket on loopback', () => {
  it('hands each datagram over with its arrival interface, source and destination', async () => {
    const r = receiver(LOOPBACK!);
    const peer = await udpPeer();
    peer.socket.send(Uint8Array.from([1, 2, 3]), r.socket.port, '127.0.0.1');
    const m = await r.next();
    expect(m.bytes).toEqual([1, 2, 3]);
    expect(m.arrival).toEqual({ ifindex: r.socket.ifindex, sourceAddress: '127.0.0.1', sourcePort: peer.port, destinationAddress: '127.0.0.1' });
    expect(r.socket.interfaceName).toBe(LOOPBACK);
  });

  it('drops and counts a datagram longer than a slot, and goes on receiving', async () => {
    const r = receiver(null);
    const peer = await udpPeer();
    peer.socket.send(new Uint8Array(netio.DHCP_SLOT + 1), r.socket.port, '127.0.0.1');
    peer.socket.send(new Uint8Array(netio.DHCP_SLOT).fill(7), r.socket.port, '127.0.0.1');
    const m = await r.next();
    expect(m.bytes).toHaveLength(netio.DHCP_SLOT);
    expect(m.arrival.ifindex).toBeGreaterThan(0); // the relay socket learns the interface from IP_PKTINFO
    expect(r.socket.counters()).toMatchObject({ received: 2, oversized: 1 });
  });

  it('sends a unicast from its own port', async () => {
    const r = receiver(LOOPBACK!);
    const peer = await udpPeer();
    r.socket.send(Uint8Array.from([4, 5]), { kind: 'unicast', address: '127.0.0.1', port: peer.port });
    expect(await peer.next()).toEqual({ bytes: [4, 5], address: '127.0.0.1', port: r.socket.port });
    expect(r.socket.counters().sent).toBe(1);
  });

  it('sends a hardware reply as a broadcast, and counts it, where no neighbour entry can be made', async () => {
    // Loopback has no ARP: SIOCSARP refuses, so the reply must still leave, as a broadcast.
    const bound = open(LOOPBACK!);
    const peer = await udpPeer();
    expect(netio.sendDhcp(bound.socket, Uint8Array.from([6]), netio.DHCP_HARDWARE, '127.0.0.9', peer.port, '02:5c:00:10:00:10', 0)).toBe(1);
    expect(await peer.next()).toMatchObject({ bytes: [6], port: bound.port });
    const r = receiver(LOOPBACK!);
    r.socket.send(Uint8Array.from([6]), { kind: 'hardware', address: '127.0.0.9', mac: '02:5c:00:10:00:10' });
    expect(r.socket.counters()).toMatchObject({ sent: 1, hardwareAsBroadcast: 1 });
  });

  it('passes a handler\'s exception to onError and delivers the rest of the batch', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    let resolveSecond: () => void;
    const second = new Promise<void>((resolve) => { resolveSecond = resolve; });
    const socket = openDhcpSocket(null, (bytes) => {
      seen.push(bytes[0]!);
      if (bytes[0] === 1) throw new Error('handler bug');
      resolveSecond();
    }, { port: 0, onError: (e) => errors.push(e) });
    cleanups.push(() => socket.close());
    const peer = await udpPeer();
    peer.socket.send(Uint8Array.from([1]), socket.port, '127.0.0.1');
    peer.socket.send(Uint8Array.from([2]), socket.port, '127.0.0.1');
    await second;
    expect(seen).toEqual([1, 2]);
    expect(errors).toEqual([new Error('handler bug')]);
    expect(socket.counters().handlerErrors).toBe(1);
  });

  it('keeps its counters after close and refuses to send', () => {
    const r = receiver(null);
    r.socket.close();
    expect(r.socket.counters()).toMatchObject({ received: 0, oversized: 0 });
    expect(() => r.socket.send(Uint8Array.from([1]), { kind: 'unicast', address: '127.0.0.1', port: 9 })).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

describe('the frame watch', () => {
  it('takes a boolean, an interface and a port, and only receives', () => {
    expect(() => netio.openDhcp(LOOPBACK!, 9, () => {}, 'yes' as unknown as boolean)).toThrow(/frames must be a boolean/);
    expect(() => netio.openDhcp(null, 9, () => {}, true)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('needs an interface') }));
    expect(() => netio.openDhcp(LOOPBACK!, 0, () => {}, true)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const watch = open(LOOPBACK!);
    const frames = netio.openDhcp(LOOPBACK!, watch.port, () => {}, true);
    cleanups.push(() => netio.closeDhcp(frames.socket));
    expect(frames).toMatchObject({ ifindex: watch.ifindex, port: watch.port });
    expect(() => netio.sendDhcp(frames.socket, Uint8Array.from([1]), netio.DHCP_UNICAST, '127.0.0.1', 9, null, 0)).toThrow(/a frame watch only receives/);
    expect(() => openDhcpSocket(null, () => {}, { port: 68, frames: true })).toThrow(/a frame watch needs an interface/);
  });

  it('hands over the UDP payload of frames to its port only, with the sender\'s MAC', async () => {
    const r = receiver(LOOPBACK!, 0, true);
    const peer = await udpPeer();
    // Another port first: were it let through, it would stand first in the list.
    const other = r.socket.port === 65535 ? r.socket.port - 1 : r.socket.port + 1;
    peer.socket.send(Uint8Array.from([9]), other, '127.0.0.1');
    peer.socket.send(Uint8Array.from([1, 2, 3]), r.socket.port, '127.0.0.1');
    const first = await r.next();
    expect(first).toEqual({
      bytes: [1, 2, 3],
      arrival: { ifindex: r.socket.ifindex, sourceAddress: '127.0.0.1', sourcePort: peer.port, destinationAddress: '127.0.0.1', sourceMac: '00:00:00:00:00:00' },
    });
    // Loopback carries each frame out and in: the second datagram follows the first exactly once.
    peer.socket.send(Uint8Array.from([4]), r.socket.port, '127.0.0.1');
    expect((await r.next()).bytes).toEqual([4]);
    expect(r.socket.counters()).toMatchObject({ received: 2, malformedFrames: 0 });
  });
});

describe('without the addon', () => {
  it('refuses to open, saying DHCP needs netio and how to build it', () => {
    expect(() => openDhcpSocket(null, () => {}, { netioPath: '/nonexistent/netio.node' })).toThrow(expect.objectContaining({
      code: 'ERR_NETIO_MISSING',
      message: expect.stringMatching(/DHCP needs the netio addon.*npm run build/),
    }));
  });

  it('refuses an addon built without DHCP sockets', () => {
    const { openDhcp: _, ...old } = netio;
    expect(() => openDhcpSocket(null, () => {}, { netio: old as Netio })).toThrow(/built without DHCP sockets: rebuild/);
  });
});
