// DhcpSocket (transport-types.ts) on the netio addon (firmware/native/dhcp-io.c). Node's dgram
// cannot bind a socket to an interface, learn the interface a datagram arrived on, send a
// broadcast out of a chosen interface, or reach a client that has no address yet, so there is no
// dgram fallback: without the addon, opening fails and says how to build it.
//
// Datagrams arrive in batches (one call from C per batch); each is handed to `onReceive` as a view
// of the addon's receive buffer, valid only during the call, as the seam says.
import { loadNetio, type Netio, type NetioDhcpSocket as NativeHandle } from '../native/netio.ts';
import type { DhcpArrival, DhcpDestination, DhcpReceive, DhcpSocket } from './transport-types.ts';
import { readUdpFrame } from './udp-frame.ts';
import { macFromBytes } from '../state/mac.ts';

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;

export interface DhcpSocketOptions {
  /** 67 (the default) for a server or the relay socket, 68 for the rogue-server watch; 0 lets the kernel choose (tests). */
  port?: number;
  /**
   * Where an exception thrown by `onReceive` goes (the rest of the batch is still delivered).
   * Without it the first one is rethrown after the batch, as an uncaught exception.
   */
  onError?: (error: unknown) => void;
  /** The addon; default: the built one (loadNetio(netioPath)). */
  netio?: Netio;
  /** Where to load the addon from when `netio` is not given (tests). */
  netioPath?: string;
  /**
   * The rogue watch: receive the frames other hosts send to the port on the interface (a packet
   * socket, CAP_NET_RAW), so each arrival names the sender's MAC (`sourceMac`) and this host's own
   * broadcasts are not heard. Sending still goes through the ordinary socket.
   */
  frames?: boolean;
}

export interface DhcpTransportCounters {
  /** Datagrams the kernel handed over, including the oversized ones. */
  received: number;
  /** Longer than the addon's slot (1500 bytes): dropped before JavaScript saw them. */
  oversized: number;
  /** Exceptions thrown by onReceive. */
  handlerErrors: number;
  /** Datagrams the kernel took. */
  sent: number;
  /** Hardware replies sent as broadcasts because no neighbour entry could be made (no CAP_NET_ADMIN, no ARP on the link). */
  hardwareAsBroadcast: number;
  /** Frames (`frames` sockets only) whose IPv4 or UDP header did not add up. */
  malformedFrames: number;
}

/** The netio addon, or an Error saying why DHCP cannot run without it. */
function requireNetio(given: Netio | undefined, path: string | undefined): Netio {
  let netio = given;
  if (netio === undefined) {
    const load = path === undefined ? loadNetio() : loadNetio(path);
    if (load.netio === undefined) {
      throw Object.assign(new Error(`DHCP needs the netio addon, since Node's dgram cannot bind a socket to an interface: ${load.reason}`), { code: 'ERR_NETIO_MISSING' });
    }
    netio = load.netio;
  }
  if (typeof netio.openDhcp !== 'function' || typeof netio.sendDhcp !== 'function') {
    throw Object.assign(new Error('the netio addon was built without DHCP sockets: rebuild it with npm run build'), { code: 'ERR_NETIO_MISSING' });
  }
  return netio;
}

/** Source and destination addresses seen, as text; cleared when it reaches this size. */
const MAX_CACHED_ADDRESSES = 4096;

export class NativeDhcpSocket implements DhcpSocket {
  readonly interfaceName: string | null;
  readonly ifindex: number;
  /** The bound port. */
  readonly port: number;
  readonly #netio: Netio;
  /** Sends, and receives unless `frames`. */
  readonly #socket: NativeHandle;
  /** The frame watch's packet socket, which receives instead. */
  readonly #frames: NativeHandle | undefined;
  readonly #onReceive: DhcpReceive;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #input: Uint8Array;
  readonly #meta: Int32Array;
  readonly #metaBytes: Uint8Array;
  readonly #slot: number;
  readonly #metaInts: number;
  readonly #addresses = new Map<number, string>();
  #handlerErrors = 0;
  #sent = 0;
  #hardwareAsBroadcast = 0;
  #malformedFrames = 0;
  #open = true;
  /** DHCP's other side: clients (68) from a server's socket, servers (67) from the port-68 watch's, whose probe is a DISCOVER. */
  readonly #broadcastPort: number;
  /** What C counted, kept at close (the native counters go with the socket). */
  #closedStats: [number, number] = [0, 0];

  /** Binds at once; throws with the errno's code (ENODEV, EADDRINUSE, EACCES...). */
  constructor(interfaceName: string | null, onReceive: DhcpReceive, options: DhcpSocketOptions = {}) {
    const netio = requireNetio(options.netio, options.netioPath);
    this.#netio = netio;
    this.#onReceive = onReceive;
    this.#onError = options.onError;
    this.#slot = netio.DHCP_SLOT;
    this.#metaInts = netio.DHCP_META / 4;
    const frames = options.frames === true;
    if (frames && interfaceName === null) throw Object.assign(new Error('a frame watch needs an interface'), { code: 'EINVAL' });
    // With frames, what the ordinary socket receives is read and dropped: the packet socket hears it too.
    const opened = netio.openDhcp(interfaceName, options.port ?? DHCP_SERVER_PORT, frames ? () => {} : this.#onBatch);
    this.#socket = opened.socket;
    let receiving = opened;
    if (frames) {
      try {
        receiving = netio.openDhcp(interfaceName, opened.port, this.#onFrames, true);
      } catch (error) {
        netio.closeDhcp(opened.socket);
        throw error;
      }
      this.#frames = receiving.socket;
    }
    this.#input = new Uint8Array(receiving.input);
    this.#meta = new Int32Array(receiving.meta);
    this.#metaBytes = new Uint8Array(receiving.meta);
    this.interfaceName = interfaceName;
    this.ifindex = opened.ifindex;
    this.port = opened.port;
    this.#broadcastPort = opened.port === DHCP_CLIENT_PORT ? DHCP_SERVER_PORT : DHCP_CLIENT_PORT;
  }

  send(bytes: Uint8Array, destination: DhcpDestination, ifindex = 0): void {
    const n = this.#netio;
    let fellBack: number;
    switch (destination.kind) {
      case 'broadcast':
        fellBack = n.sendDhcp(this.#socket, bytes, n.DHCP_BROADCAST, null, this.#broadcastPort, null, ifindex);
        break;
      case 'unicast':
        // Routed: the way out is the routing table's (on a bound socket, within its interface).
        fellBack = n.sendDhcp(this.#socket, bytes, n.DHCP_UNICAST, destination.address, destination.port, null, 0);
        break;
      case 'hardware':
        fellBack = n.sendDhcp(this.#socket, bytes, n.DHCP_HARDWARE, destination.address, DHCP_CLIENT_PORT, destination.mac, ifindex);
        break;
      default:
        throw new TypeError(`unknown DHCP destination kind ${(destination as { kind: unknown }).kind}`);
    }
    this.#sent++;
    if (fellBack === 1) this.#hardwareAsBroadcast++;
  }

  counters(): DhcpTransportCounters {
    const [received, oversized] = this.#open ? this.#netio.dhcpStats(this.#frames ?? this.#socket) : this.#closedStats;
    return {
      received, oversized, handlerErrors: this.#handlerErrors, sent: this.#sent, hardwareAsBroadcast: this.#hardwareAsBroadcast,
      malformedFrames: this.#malformedFrames,
    };
  }

  /** The socket alone no longer keeps the process alive. */
  unref(): void {
    this.#netio.unrefDhcp(this.#socket);
    if (this.#frames !== undefined) this.#netio.unrefDhcp(this.#frames);
  }

  close(): void {
    if (!this.#open) return;
    this.#closedStats = this.#netio.dhcpStats(this.#frames ?? this.#socket);
    this.#open = false;
    this.#netio.closeDhcp(this.#socket);
    if (this.#frames !== undefined) this.#netio.closeDhcp(this.#frames);
  }

  // Called from C with the number of datagrams waiting in the receive slots.
  readonly #onBatch = (count: number): void => {
    let firstError: { error: unknown } | undefined;
    for (let i = 0; i < count && this.#open; i++) {
      const m = i * this.#metaInts;
      const length = this.#meta[m]!;
      if (length < 0) continue; // oversized: counted in C
      const arrival: DhcpArrival = {
        ifindex: this.#meta[m + 1]!,
        sourcePort: this.#meta[m + 2]!,
        sourceAddress: this.#ipv4(this.#metaBytes, (m + 3) * 4),
        destinationAddress: this.#ipv4(this.#metaBytes, (m + 4) * 4),
      };
      const start = i * this.#slot;
      firstError ??= this.#deliver(this.#input.subarray(start, start + length), arrival);
    }
    if (firstError !== undefined) throw firstError.error;
  };

  // The frame watch's batch: whole IPv4 packets, each with the sender's MAC.
  readonly #onFrames = (count: number): void => {
    let firstError: { error: unknown } | undefined;
    const macAt = this.#netio.DHCP_MAC_AT;
    for (let i = 0; i < count && this.#open; i++) {
      const m = i * this.#metaInts;
      const length = this.#meta[m]!;
      if (length < 0) continue; // oversized: counted in C
      const frame = readUdpFrame(this.#input, i * this.#slot, length);
      if (frame === undefined) {
        this.#malformedFrames++;
        continue;
      }
      const arrival: DhcpArrival = {
        ifindex: this.#meta[m + 1]!,
        sourcePort: frame.sourcePort,
        sourceAddress: this.#ipv4(this.#input, frame.sourceAt),
        destinationAddress: this.#ipv4(this.#input, frame.destinationAt),
        ...(this.#meta[m + 5] === 6 ? { sourceMac: macFromBytes(this.#metaBytes, m * 4 + macAt) } : {}),
      };
      firstError ??= this.#deliver(this.#input.subarray(frame.payloadStart, frame.payloadEnd), arrival);
    }
    if (firstError !== undefined) throw firstError.error;
  };

  /** Hands one datagram over; a handler's exception goes to onError, or comes back to be rethrown after the batch. */
  #deliver(bytes: Uint8Array, arrival: DhcpArrival): { error: unknown } | undefined {
    try {
      this.#onReceive(bytes, arrival);
    } catch (error) {
      this.#handlerErrors++;
      if (this.#onError === undefined) return { error };
      this.#onError(error);
    }
    return undefined;
  }

  #ipv4(b: Uint8Array, at: number): string {
    const key = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    let text = this.#addresses.get(key);
    if (text === undefined) {
      if (this.#addresses.size >= MAX_CACHED_ADDRESSES) this.#addresses.clear();
      text = `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
      this.#addresses.set(key, text);
    }
    return text;
  }
}


/**
 * A DHCP socket on `interfaceName` (a per-network server on port 67, or the rogue watch on 68), or
 * with null the relay socket: unbound, hearing datagrams to the port on every interface.
 */
export function openDhcpSocket(interfaceName: string | null, onReceive: DhcpReceive, options: DhcpSocketOptions = {}): NativeDhcpSocket {
  return new NativeDhcpSocket(interfaceName, onReceive, options);
}
