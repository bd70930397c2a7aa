// Another DHCP server on a school network (a home router plugged into a classroom socket, a
// pupil's laptop sharing its connection) hands out wrong gateways and DNS servers, and every
// device it answers escapes the filter. A socket on port 68 of each interface hears the OFFERs
// and ACKs that are broadcast there; any whose server identifier is not ours is reported, with
// the interface and the offender's MAC. A DISCOVER sent now and then (probe) makes a rogue
// answer even when no client is asking.
import { randomBytes, randomInt } from 'node:crypto';
import { formatIPv4 } from './ipv4.ts';
import { MESSAGE_TYPE, OPT, u32 } from './options.ts';
import { BROADCAST_FLAG, encodeReply, parseReply } from './packet.ts';
import type { DhcpArrival, DhcpSocket } from './transport-types.ts';

export interface RogueSighting {
  interfaceName: string;
  networkId: string;
  /** The server identifier it gave (option 54), or its source address when it gave none. */
  server: string;
  sourceAddress: string;
  /** OFFER or ACK. */
  messageType: 'OFFER' | 'ACK';
  /** The address it handed out. */
  offered: string;
}

/**
 * The pure judgement: a datagram heard on port 68 is a rogue's when it is a well-formed OFFER or
 * ACK whose server is not ours (`ours`: our address on that network).
 */
export function judgeReply(bytes: Uint8Array, arrival: Pick<DhcpArrival, 'sourceAddress'>, ours: number): Omit<RogueSighting, 'interfaceName' | 'networkId'> | undefined {
  const reply = parseReply(bytes);
  if (reply === undefined) return undefined;
  if (reply.messageType !== MESSAGE_TYPE.OFFER && reply.messageType !== MESSAGE_TYPE.ACK) return undefined;
  if (reply.serverId === ours) return undefined;
  // A reply with no server identifier from our own address is ours too (a relay's copy, say).
  if (reply.serverId === null && arrival.sourceAddress === formatIPv4(ours)) return undefined;
  return {
    server: reply.serverId === null ? arrival.sourceAddress : formatIPv4(reply.serverId),
    sourceAddress: arrival.sourceAddress,
    messageType: reply.messageType === MESSAGE_TYPE.OFFER ? 'OFFER' : 'ACK',
    offered: formatIPv4(reply.yiaddr),
  };
}

/**
 * A DISCOVER as a client would send it, asking for a broadcast answer (so our port-68 socket
 * hears it), from `mac` (the interface's own), with a random transaction id.
 */
export function probeDiscover(mac: Uint8Array): Uint8Array {
  const chaddr = new Uint8Array(16);
  chaddr.set(mac.subarray(0, 6));
  const bytes = encodeReply({
    xid: randomInt(0, 0x1_0000_0000), flags: BROADCAST_FLAG, ciaddr: 0, yiaddr: 0, siaddr: 0, giaddr: 0, chaddr,
    options: [[OPT.MESSAGE_TYPE, Uint8Array.of(MESSAGE_TYPE.DISCOVER)], [OPT.PARAMETER_LIST, Uint8Array.of(OPT.SUBNET_MASK, OPT.ROUTER, OPT.DNS)]],
  });
  bytes[0] = 1; // BOOTREQUEST: encodeReply writes the shape, a client's message differs only here
  return bytes;
}

export interface RogueWatchNetwork {
  networkId: string;
  interfaceName: string;
  /** Our address on it (the server identifier our replies carry). */
  serverAddress: number;
}

export interface RogueWatchOptions {
  networks: readonly RogueWatchNetwork[];
  /** Opens the port-68 socket of an interface (transport.ts). */
  open: (interfaceName: string, onReceive: (bytes: Uint8Array, arrival: DhcpArrival) => void) => DhcpSocket;
  /** The offender's MAC from its address on an interface, or null when it cannot be learnt (used when the arrival does not name it). */
  resolveMac: (interfaceName: string, address: string) => Promise<string | null>;
  /** The interface's own MAC (probes are sent from it). */
  interfaceMac: (interfaceName: string) => Uint8Array;
  report: (sighting: RogueSighting, mac: string | null) => void;
  /** How often each interface is probed (ms); 0: never. */
  probeEveryMs: number;
  /** The same server on the same interface is reported again only after this long (ms). */
  repeatAfterMs: number;
  now?: () => number;
  onError: (error: unknown, interfaceName: string) => void;
}

/** Long enough that a rogue left plugged in is not an event a minute, short enough to be noticed again the next morning. */
export const ROGUE_REPEAT_MS = 60 * 60_000;
export const ROGUE_PROBE_MS = 5 * 60_000;

export class RogueWatch {
  readonly #options: RogueWatchOptions;
  readonly #sockets: { network: RogueWatchNetwork; socket: DhcpSocket }[] = [];
  /** interface + server -> when it was last reported. */
  readonly #reported = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  sightings = 0;
  probes = 0;

  constructor(options: RogueWatchOptions) {
    this.#options = options;
  }

  start(): void {
    const o = this.#options;
    for (const network of o.networks) {
      try {
        const socket = o.open(network.interfaceName, (bytes, arrival) => this.#heard(network, bytes, arrival));
        this.#sockets.push({ network, socket });
      } catch (error) {
        o.onError(error, network.interfaceName);
      }
    }
    if (o.probeEveryMs > 0 && this.#sockets.length > 0) {
      this.probe();
      this.#timer = setInterval(() => this.probe(), o.probeEveryMs);
      this.#timer.unref();
    }
  }

  /** One DISCOVER out of every watched interface. */
  probe(): void {
    for (const { network, socket } of this.#sockets) {
      try {
        socket.send(probeDiscover(this.#options.interfaceMac(network.interfaceName)), { kind: 'broadcast' });
        this.probes++;
      } catch (error) {
        this.#options.onError(error, network.interfaceName);
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const { socket } of this.#sockets.splice(0)) socket.close();
  }

  #heard(network: RogueWatchNetwork, bytes: Uint8Array, arrival: DhcpArrival): void {
    const judged = judgeReply(bytes, arrival, network.serverAddress);
    if (judged === undefined) return;
    this.sightings++;
    const now = (this.#options.now ?? Date.now)();
    const key = `${network.interfaceName} ${judged.server}`;
    const last = this.#reported.get(key);
    if (last !== undefined && now - last < this.#options.repeatAfterMs) return;
    this.#reported.set(key, now);
    const sighting: RogueSighting = { ...judged, interfaceName: network.interfaceName, networkId: network.networkId };
    // A frame socket names the sender itself; otherwise ask the neighbour table (which knows only
    // a server with an address on our subnet).
    if (arrival.sourceMac !== undefined) {
      this.#options.report(sighting, arrival.sourceMac);
      return;
    }
    this.#options.resolveMac(network.interfaceName, judged.sourceAddress).then(
      (mac) => this.#options.report(sighting, mac),
      (error: unknown) => {
        this.#options.onError(error, network.interfaceName);
        this.#options.report(sighting, null);
      },
    );
  }
}

/** A fresh random locally administered MAC, for tests and for an interface whose MAC cannot be read. */
export function randomMac(): Uint8Array {
  const mac = randomBytes(6);
  mac[0] = (mac[0]! & 0xfe) | 0x02;
  return mac;
}
