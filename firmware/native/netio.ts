// The netio addon (netio.c and dhcp-io.c beside this file, built by `npm run build` into
// build/native/): batched UDP I/O for the DNS listeners, the query log writer's scheduling class,
// DHCP's interface-bound sockets, and the service manager's notifications (sd_notify, which the
// systemd unit's Type=notify needs). For DNS and the writer it is an optimisation, not a
// dependency: where it was not built (no C compiler) or cannot load, the listeners use Node's
// dgram and say so in the log and in `schoolgate status`, and the writer keeps the normal class.
// DHCP has no such fallback (dgram cannot bind to an interface): firmware/dhcp/transport.ts
// refuses to open without it.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { APP_ROOT } from '../paths.ts';

/** Where `npm run build` (scripts/build-native.ts) puts the addon; the same for both firmware forms. */
export const NETIO_PATH = join(APP_ROOT, 'build/native/netio.node');

/** The native socket handle: opaque to JavaScript. */
export type NetioSocket = { readonly __netio: unique symbol };

/** What openUdp returns: the socket and the four buffers it shares with C (layout in netio.c). */
export interface NetioUdp {
  socket: NetioSocket;
  input: ArrayBuffer;
  inputMeta: ArrayBuffer;
  output: ArrayBuffer;
  outputMeta: ArrayBuffer;
}

/** A DHCP socket's native handle: opaque to JavaScript. */
export type NetioDhcpSocket = { readonly __netioDhcp: unique symbol };

/** What openDhcp returns: the socket, the two receive buffers it shares with C (layout in dhcp-io.c), and where it is bound. */
export interface NetioDhcp {
  socket: NetioDhcpSocket;
  input: ArrayBuffer;
  meta: ArrayBuffer;
  /** The interface it is bound to; 0 for the unbound (relay) socket. */
  ifindex: number;
  /** The bound port (port 0 asks the kernel for one). */
  port: number;
}

/** An ARP socket's native handle: opaque to JavaScript. */
export type NetioArpSocket = { readonly __netioArp: unique symbol };

/** What openArp returns: the socket, its receive buffers (layout in arp-probe.c), the interface and its MAC. */
export interface NetioArp {
  socket: NetioArpSocket;
  input: ArrayBuffer;
  /** ARP_BATCH int32s: each packet's length, or -1 when it was dropped for its size. */
  meta: ArrayBuffer;
  ifindex: number;
  /** The interface's 6-byte MAC. */
  mac: ArrayBuffer;
}

export interface Netio {
  /**
   * `onBatch(count)`: `count` datagrams wait in the input slots; on a connected socket a negative
   * count is -errno (an ICMP error the kernel handed over). `slots` (default BATCH): datagrams per
   * batch, and the room the buffers have.
   */
  openUdp(family: 4 | 6, address: string, port: number, reusePort: boolean, bufferBytes: number, onBatch: (count: number) => void, slots?: number): NetioUdp;
  /** Datagrams the kernel took; on a connected socket that sent none because the kernel refused, -errno. */
  sendBatch(socket: NetioSocket, count: number): number;
  /** Only this peer's datagrams are received from now on, and its ICMP errors are reported. */
  connectUdp(socket: NetioSocket, address: string, port: number): void;
  /** The socket alone no longer keeps the process alive. */
  unrefUdp(socket: NetioSocket): void;
  /** onBatch(0), once, at the loop's next idle phase: for datagrams queued outside a batch. */
  armFlush(socket: NetioSocket): void;
  localPort(socket: NetioSocket): number;
  bufferSizes(socket: NetioSocket): [number, number];
  closeUdp(socket: NetioSocket): void;
  /**
   * Moves thread `tid` of this process into the idle scheduling class (SCHED_IDLE) or back to the
   * normal one; throws with the errno's code (EPERM: leaving it needs LimitNICE or CAP_SYS_NICE).
   */
  setIdleScheduling(tid: number, idle: boolean): void;
  /**
   * An IPv4 UDP socket on 0.0.0.0:`port` (SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO), bound to the
   * named interface (SO_BINDTOIFINDEX, else SO_BINDTODEVICE), or to none with null. `onBatch(count)`:
   * `count` datagrams wait in the input slots. Throws with the errno's code (ENODEV: no such
   * interface; EADDRINUSE; EACCES below 1024 without CAP_NET_BIND_SERVICE). With `frames`: a packet
   * socket on the named interface instead, receiving (never sending) the IPv4 packets to UDP `port`
   * that arrive there (none this host sent), each with the sender's MAC (EPERM without CAP_NET_RAW).
   */
  openDhcp(interfaceName: string | null, port: number, onBatch: (count: number) => void, frames?: boolean): NetioDhcp;
  /**
   * One datagram: `kind` DHCP_BROADCAST (255.255.255.255:port out of the interface), DHCP_UNICAST
   * (address:port, routed) or DHCP_HARDWARE (address:port at `mac` on the interface, by a neighbour
   * entry, no ARP). `ifindex` 0: the socket's own interface. Returns 1 when a hardware reply went
   * as a broadcast instead (no neighbour entry could be made), else 0; throws with the errno's code.
   */
  sendDhcp(socket: NetioDhcpSocket, bytes: Uint8Array, kind: number, address: string | null, port: number, mac: string | null, ifindex: number): number;
  /** [datagrams received, of which dropped for being longer than DHCP_SLOT]. */
  dhcpStats(socket: NetioDhcpSocket): [number, number];
  unrefDhcp(socket: NetioDhcpSocket): void;
  /** Stops receiving and closes the descriptor; idempotent. */
  closeDhcp(socket: NetioDhcpSocket): void;
  /**
   * A packet socket on the named interface receiving the Ethernet/IPv4 ARP replies that arrive
   * there; `onBatch(count)`: `count` wait in the input slots. Throws with the errno's code (EPERM
   * without CAP_NET_RAW, ENODEV, EAFNOSUPPORT for a link that is not Ethernet).
   */
  openArp?(interfaceName: string, onBatch: (count: number) => void): NetioArp;
  /** One ARP packet (28 to ARP_SLOT bytes) to the Ethernet broadcast address on the socket's interface. */
  sendArp?(socket: NetioArpSocket, bytes: Uint8Array): void;
  /** [replies received, of which dropped for being longer than ARP_SLOT]. */
  arpStats?(socket: NetioArpSocket): [number, number];
  unrefArp?(socket: NetioArpSocket): void;
  /** Stops receiving and closes the descriptor; idempotent. */
  closeArp?(socket: NetioArpSocket): void;
  /**
   * One sd_notify datagram (`READY=1`, `WATCHDOG=1`…) to the service manager's socket: a path, or
   * an abstract name starting with '@', as $NOTIFY_SOCKET gives it. Throws with the errno's code.
   * Optional: an addon built before it lacks it.
   */
  sdNotify?(socketPath: string, message: string): void;
  readonly ARP_BATCH?: number;
  readonly ARP_SLOT?: number;
  readonly BATCH: number;
  readonly SLOT: number;
  readonly META: number;
  readonly TEXT_AT: number;
  readonly OUTPUT_BYTES: number;
  readonly DHCP_BATCH: number;
  readonly DHCP_SLOT: number;
  readonly DHCP_META: number;
  readonly DHCP_BROADCAST: number;
  readonly DHCP_UNICAST: number;
  readonly DHCP_HARDWARE: number;
  readonly DHCP_MAC_AT: number;
}

export type NetioLoad = { netio: Netio; reason?: undefined } | { netio?: undefined; reason: string };

let loaded: NetioLoad | undefined;

/** Loads the addon once per thread; `reason` says why it is not there. */
export function loadNetio(path = NETIO_PATH): NetioLoad {
  if (loaded !== undefined && path === NETIO_PATH) return loaded;
  let result: NetioLoad;
  try {
    const netio = createRequire(import.meta.url)(path) as Netio;
    const layoutOk = [netio.BATCH, netio.SLOT, netio.META, netio.TEXT_AT, netio.OUTPUT_BYTES].every((n) => Number.isInteger(n) && n > 0)
      && typeof netio.openUdp === 'function' && typeof netio.sendBatch === 'function' && typeof netio.connectUdp === 'function' && typeof netio.armFlush === 'function'
      && typeof netio.setIdleScheduling === 'function';
    result = layoutOk ? { netio } : { reason: `${path} is not the netio this firmware expects (rebuild with npm run build)` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    result = { reason: code === 'MODULE_NOT_FOUND' ? `${path} was not built (npm run build needs a C compiler: apt-get install gcc)` : `${path} cannot be loaded: ${(error as Error).message}` };
  }
  if (path === NETIO_PATH) loaded = result;
  return result;
}
