// The DHCP service as the composition root sees it: one server per DHCP-enabled network on that
// network's interface (transport.ts), each answering through its responder (responder.ts) with
// its leases in state.db; the relay socket for networks reached through a relay agent; the rogue
// watch; the expiry sweep; and the lease -> device map DNS reads (clients/lease-devices.ts).
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { StateDatabase } from '../state/database.ts';
import type { NetworkEventKind } from '../state/schemas.ts';
import { interfaceHolds, interfaceMac } from './interfaces.ts';
import { macFromBytes } from '../state/mac.ts';
import { parseIPv4, subnetContains } from './ipv4.ts';
import { ArpProber, ARP_PROBE_WAIT_MS } from './arp-probe.ts';
import { resolveMac } from './neighbours.ts';
import { OfferProbes, type Settled } from './offer-probe.ts';
import { MESSAGE_TYPE_NAMES } from './options.ts';
import { parseRequest, type DhcpMessage, type MalformedReason } from './packet.ts';
import { DhcpResponder, type DhcpEvent, type DhcpResponse, type Outcome } from './responder.ts';
import { ROGUE_PROBE_MS, ROGUE_REPEAT_MS, RogueWatch, type RogueSighting } from './rogue-watch.ts';
import { dhcpNetworks, type DhcpNetwork } from './settings.ts';
import { DHCP_CLIENT_PORT, openDhcpSocket, type DhcpSocketOptions } from './transport.ts';
import type { DhcpArrival, DhcpSocket } from './transport-types.ts';
import type { DhcpStatus } from './status-schema.ts';

/** Where lease changes go so DNS names the device behind an address (DnsThreads). */
export interface DeviceDirectory {
  setDevice(address: number, mac: string | undefined, group?: string | null): void;
}

export interface DhcpServiceOptions {
  config: Readonly<Config>;
  state: StateDatabase;
  directory: DeviceDirectory;
  logger: Logger;
  /** Port the servers bind (67; tests may choose another). */
  serverPort?: number;
  /** The rogue watch's probe interval (ms); 0 turns probing off. Default 5 minutes. */
  rogueProbeMs?: number;
  /** Open the rogue watch's port-68 sockets (default true). */
  rogueWatch?: boolean;
  /** How long an ARP probe of a new address waits for an answer before the OFFER goes (ms); 0 turns probing off. Default 250. */
  arpProbeMs?: number;
  netioPath?: DhcpSocketOptions['netioPath'];
  now?: () => number;
}

/** How often expired leases leave DNS's directory (ms). */
const SWEEP_MS = 30_000;

interface Server {
  interfaceName: string;
  socket: DhcpSocket & { readonly port: number };
  /** The interface's own MAC: the rogue watch's probes, heard by our own server, are not a client. */
  ownMac: string;
  /** The networks whose requests arrive on this interface (more than one only behind a relay). */
  networks: Served[];
}

interface Served {
  network: DhcpNetwork;
  responder: DhcpResponder;
  /** Probe before offer, on the network's own interface; undefined: `noProbe` says why not. */
  probes?: OfferProbes;
  noProbe?: string;
}

export class DhcpService {
  readonly #options: DhcpServiceOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  #config: Readonly<Config>;
  #served: Served[] = [];
  #servers: Server[] = [];
  #relay: Server | undefined;
  #rogue: RogueWatch | undefined;
  #probers: ArpProber[] = [];
  #sweepTimer: NodeJS.Timeout | undefined;
  /** "network address" -> when the lease DNS knows of ends (ms), for the sweep. */
  readonly #known = new Map<string, { address: number; untilMs: number }>();
  readonly #malformed: Partial<Record<MalformedReason, number>> = {};
  #unmatched = 0;
  #directOnRelay = 0;
  #sendErrors = 0;
  #storeFailures = 0;
  /** Each interface's MAC, read once (a random one where it cannot be read, kept so probes and the self-filter agree). */
  readonly #macs = new Map<string, Uint8Array>();

  constructor(options: DhcpServiceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#config = options.config;
    this.#now = options.now ?? Date.now;
  }

  get running(): boolean {
    return this.#servers.length > 0 || this.#relay !== undefined;
  }

  /** Opens every server; a network whose socket cannot be opened is a startup error, not a silent gap. */
  start(): void {
    const networks = dhcpNetworks(this.#config);
    const nowMs = this.#now();
    this.#loadDirectory(nowMs);
    if (networks.length === 0) return;
    const { state } = this.#options;
    this.#served = networks.map((network) => ({
      network,
      responder: new DhcpResponder({
        network,
        leases: state.leases,
        stored: state.leases.forNetwork(network.id),
        schoolOwned: (mac) => state.devices.get(mac)?.schoolOwned === true,
      }),
    }));
    const byInterface = new Map<string, Served[]>();
    const relayed: Served[] = [];
    for (const served of this.#served) {
      // A network whose interface this machine does not have is reached only through a relay agent.
      if (!existsSync(`/sys/class/net/${served.network.interfaceName}`)) {
        relayed.push(served);
        continue;
      }
      const list = byInterface.get(served.network.interfaceName) ?? [];
      list.push(served);
      byInterface.set(served.network.interfaceName, list);
    }
    const socketOptions: DhcpSocketOptions = {
      port: this.#options.serverPort ?? 67,
      onError: (error) => this.#logger.error({ err: error }, 'DHCP handler error'),
      ...(this.#options.netioPath !== undefined ? { netioPath: this.#options.netioPath } : {}),
    };
    try {
      for (const [interfaceName, list] of byInterface) {
        this.#startProbes(interfaceName, list);
        const server: Server = { interfaceName, networks: list, socket: undefined as unknown as Server['socket'], ownMac: macFromBytes(this.#macOf(interfaceName)) };
        server.socket = openDhcpSocket(interfaceName, (bytes, arrival) => this.#receive(server, bytes, arrival), socketOptions);
        this.#servers.push(server);
      }
      if (relayed.length > 0) {
        for (const served of relayed) served.noProbe = 'reached through a relay: ARP does not cross it';
        const relay: Server = { interfaceName: '(relay)', networks: [], socket: undefined as unknown as Server['socket'], ownMac: '' };
        relay.socket = openDhcpSocket(null, (bytes, arrival) => this.#receive(relay, bytes, arrival), socketOptions);
        this.#relay = relay;
      }
    } catch (error) {
      this.stop();
      throw new Error(`DHCP cannot open its sockets: ${(error as Error).message}`, { cause: error });
    }
    if (this.#options.rogueWatch !== false) this.#startRogueWatch();
    this.#sweepTimer = setInterval(() => this.#sweep(this.#now()), SWEEP_MS);
    this.#sweepTimer.unref();
    this.#logger.info({
      networks: this.#served.map((s) => `${s.network.id}@${s.network.interfaceName}`),
      relayed: relayed.map((s) => s.network.id),
    }, 'DHCP serving');
  }

  stop(): void {
    clearInterval(this.#sweepTimer);
    this.#rogue?.stop();
    this.#rogue = undefined;
    for (const server of this.#servers.splice(0)) server.socket.close();
    for (const prober of this.#probers.splice(0)) prober.close();
    this.#relay?.socket.close();
    this.#relay = undefined;
    this.#served = [];
  }

  /** Where each server listens (the relay socket's interface is "(relay)"). */
  listening(): { interfaceName: string; port: number }[] {
    return [...this.#servers, ...(this.#relay ? [this.#relay] : [])].map((s) => ({ interfaceName: s.interfaceName, port: s.socket.port }));
  }

  /** A new configuration: the servers are rebuilt from it when anything DHCP reads changed. */
  reload(config: Readonly<Config>): void {
    const previous = this.#config;
    this.#config = config;
    if (dhcpShape(config) === dhcpShape(previous)) return;
    this.stop();
    try {
      this.start();
      this.#logger.info('DHCP configuration reloaded');
    } catch (error) {
      // Never leave the school without addresses: the servers that ran before come back.
      this.#logger.error({ err: error }, 'DHCP could not start with the new configuration; the previous one stays in force');
      this.#config = previous;
      try {
        this.start();
      } catch (again) {
        this.#logger.error({ err: again }, 'DHCP could not restart with the previous configuration either: no DHCP until the next reload or restart');
      }
    }
  }

  /** Pools, counters and sockets, for `schoolgate status`. */
  stats(): DhcpStatus {
    const nowMs = this.#now();
    return {
      enabled: this.#served.length > 0,
      networks: this.#served.map(({ network, responder, probes, noProbe }) => {
        const free = responder.table.freeCount(nowMs);
        return {
          id: network.id,
          interface: network.interfaceName,
          poolSize: network.poolSize,
          free,
          used: network.poolSize - free,
          leaseSeconds: network.leaseSeconds,
          reservations: network.reservations.size,
          outcomes: { ...responder.counts },
          arpProbe: {
            on: probes !== undefined, ...(noProbe !== undefined ? { reason: noProbe } : {}),
            ...(probes?.counters ?? { probed: 0, inUse: 0, gaveUp: 0, whileProbing: 0 }),
          },
        };
      }),
      malformed: { ...this.#malformed },
      unmatched: this.#unmatched,
      directOnRelay: this.#directOnRelay,
      sendErrors: this.#sendErrors,
      storeFailures: this.#storeFailures,
      rogue: { sightings: this.#rogue?.sightings ?? 0, probes: this.#rogue?.probes ?? 0 },
    };
  }

  #receive(server: Server, bytes: Uint8Array, arrival: DhcpArrival): void {
    const parsed = parseRequest(bytes);
    if (!parsed.ok) {
      this.#malformed[parsed.reason] = (this.#malformed[parsed.reason] ?? 0) + 1;
      return;
    }
    const message = parsed.message;
    if (message.mac === server.ownMac) return;
    if (server.networks.length === 0 && message.giaddr === 0) {
      // The relay socket hears every interface's broadcasts too: the direct ones are a server's.
      this.#directOnRelay++;
      return;
    }
    const served = this.#route(server, message.giaddr, arrival);
    if (served === undefined) {
      this.#unmatched++;
      return;
    }
    const nowMs = this.#now();
    const { probes, responder } = served;
    if (probes?.busy(message.clientKey)) {
      probes.counters.whileProbing++;
      return;
    }
    const before = probes?.holding(responder, message.clientKey, nowMs);
    const response = responder.respond(message, nowMs);
    if (probes !== undefined && probes.needed(response, before)) {
      probes.settle(responder, message, response, before)
        .then((settled) => this.#answer(server, served, message, arrival, settled, this.#now()))
        .catch((error: unknown) => this.#logger.error({ err: error, network: served.network.id, mac: message.mac }, 'DHCP offer after a probe failed'));
      return;
    }
    this.#answer(server, served, message, arrival, { response, events: response.events }, nowMs);
  }

  /** Sends the reply, if any, and records what was done. */
  #answer(server: Server, served: Served, message: DhcpMessage, arrival: DhcpArrival, settled: Settled, nowMs: number): void {
    // A probe may outlast its server (a reload): the client asks the new one again.
    if (server !== this.#relay && !this.#servers.includes(server)) return;
    for (const event of settled.events) this.#record(served.network, event, nowMs);
    const response: DhcpResponse | null = settled.response;
    if (response === null) return;
    // The lease is committed by now (respond() binds before it builds an ACK).
    if (response.reply !== null) {
      try {
        server.socket.send(response.reply.bytes, response.reply.destination, arrival.ifindex);
      } catch (error) {
        this.#sendErrors++;
        this.#logger.warn({ err: error, network: served.network.id, mac: message.mac, message: MESSAGE_TYPE_NAMES[response.reply.messageType] }, 'DHCP reply could not be sent');
      }
    }
    this.#after(served.network, response.outcome, message.mac, response.reply?.yiaddr ?? message.ciaddr, nowMs, response.error);
  }

  /** An ARP prober on the interface for its networks, or the reason there is none (said once, at start). */
  #startProbes(interfaceName: string, list: Served[]): void {
    const waitMs = this.#options.arpProbeMs ?? ARP_PROBE_WAIT_MS;
    if (waitMs <= 0) {
      for (const served of list) served.noProbe = 'turned off';
      return;
    }
    try {
      const prober = new ArpProber(interfaceName, { waitMs, ...(this.#options.netioPath !== undefined ? { netioPath: this.#options.netioPath } : {}) });
      this.#probers.push(prober);
      for (const served of list) served.probes = new OfferProbes((address) => prober.probe(address), this.#now);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'EPERM' ? 'no CAP_NET_RAW' : (error as Error).message;
      for (const served of list) served.noProbe = reason;
      this.#logger.warn({ err: error, interface: interfaceName }, `DHCP offers on ${interfaceName} without an ARP probe first (${reason}): a device with a static address in the pool may be offered its address`);
    }
  }

  /**
   * Which network a request belongs to: a relayed one (giaddr set) by the subnet holding giaddr,
   * wherever it arrived; a direct one by its arrival interface (never on the relay socket).
   */
  #route(server: Server, giaddr: number, arrival: DhcpArrival): Served | undefined {
    if (giaddr !== 0) return this.#served.find((s) => subnetContains(s.network.subnet, giaddr));
    if (server.networks.length === 1) return server.networks[0];
    if (server.networks.length === 0) return undefined;
    // Several networks on one interface: the direct one is the one whose address the request was sent to, or whose gateway this interface holds.
    const destination = parseIPv4(arrival.destinationAddress);
    return server.networks.find((s) => s.network.serverAddress === destination)
      ?? server.networks.find((s) => interfaceHolds(server.interfaceName, s.network.serverAddress))
      ?? server.networks[0];
  }

  #after(network: DhcpNetwork, outcome: Outcome, mac: string, address: number, nowMs: number, error?: Error): void {
    if (outcome === 'ack' && address !== 0) {
      const device = this.#options.state.devices.get(mac);
      this.#options.directory.setDevice(address, mac, device?.groupId ?? null);
      this.#known.set(`${network.id} ${address}`, { address, untilMs: nowMs + network.leaseSeconds * 1000 });
    } else if (outcome === 'released' || outcome === 'declined') {
      const key = `${network.id} ${address}`;
      if (this.#known.delete(key)) this.#options.directory.setDevice(address, undefined);
    } else if (outcome === 'store-failed') {
      this.#storeFailures++;
      this.#logger.error({ err: error, network: network.id, mac }, 'DHCP lease could not be stored: no ACK sent');
    }
  }

  #record(network: DhcpNetwork, event: DhcpEvent, nowMs: number): void {
    this.#appendEvent(event.kind, network.id, network.interfaceName, event.mac, event.details, nowMs);
  }

  #appendEvent(kind: NetworkEventKind, networkId: string, interfaceName: string, mac: string | null, details: Record<string, unknown>, nowMs: number): void {
    try {
      this.#options.state.networkEvents.append({ at: new Date(nowMs), kind, networkId, interface: interfaceName, mac, details });
    } catch (error) {
      this.#logger.error({ err: error, kind }, 'network event could not be stored');
    }
    this.#logger.warn({ event: kind, network: networkId, interface: interfaceName, mac, ...details }, `network event: ${kind}`);
  }

  /** DNS learns every lease in force at start (a restart loses no device naming). */
  #loadDirectory(nowMs: number): void {
    const { state, directory } = this.#options;
    for (const lease of state.leases.list({ activeAt: new Date(nowMs) })) {
      const address = parseIPv4(lease.address);
      if (address === undefined) continue;
      const key = `${lease.networkId} ${address}`;
      if (this.#known.has(key)) continue;
      directory.setDevice(address, lease.mac, state.devices.get(lease.mac)?.groupId ?? null);
      this.#known.set(key, { address, untilMs: Date.parse(lease.expires) });
    }
  }

  #sweep(nowMs: number): void {
    for (const [key, entry] of this.#known) {
      if (entry.untilMs > nowMs) continue;
      this.#known.delete(key);
      this.#options.directory.setDevice(entry.address, undefined);
    }
  }

  #startRogueWatch(): void {
    const watched = this.#servers.flatMap((server) => {
      const direct = server.networks.find((s) => interfaceHolds(server.interfaceName, s.network.serverAddress)) ?? server.networks[0];
      return direct === undefined ? [] : [{ networkId: direct.network.id, interfaceName: server.interfaceName, serverAddress: direct.network.serverAddress }];
    });
    const rogue = new RogueWatch({
      networks: watched,
      open: (interfaceName, onReceive) => {
        const options: DhcpSocketOptions = { port: DHCP_CLIENT_PORT, ...(this.#options.netioPath !== undefined ? { netioPath: this.#options.netioPath } : {}) };
        try {
          // Frames name the sender's MAC even when it has no address on our subnet (a home router's 192.168.1.1).
          return openDhcpSocket(interfaceName, onReceive, { ...options, frames: true });
        } catch (error) {
          this.#logger.warn({ err: error, interface: interfaceName }, 'DHCP rogue watch without frames (no CAP_NET_RAW?): a rogue server is named by the neighbour table only');
          return openDhcpSocket(interfaceName, onReceive, options);
        }
      },
      resolveMac: (interfaceName, address) => resolveMac(interfaceName, address),
      interfaceMac: (name) => this.#macOf(name),
      report: (sighting, mac) => this.#rogueSeen(sighting, mac),
      probeEveryMs: this.#options.rogueProbeMs ?? ROGUE_PROBE_MS,
      repeatAfterMs: ROGUE_REPEAT_MS,
      now: this.#now,
      onError: (error, interfaceName) => this.#logger.warn({ err: error, interface: interfaceName }, 'DHCP rogue-server watch problem'),
    });
    rogue.start();
    this.#rogue = rogue;
  }

  #macOf(interfaceName: string): Uint8Array {
    let mac = this.#macs.get(interfaceName);
    if (mac === undefined) this.#macs.set(interfaceName, (mac = interfaceMac(interfaceName)));
    return mac;
  }

  #rogueSeen(sighting: RogueSighting, mac: string | null): void {
    this.#appendEvent('dhcp.rogue-server', sighting.networkId, sighting.interfaceName, mac, {
      server: sighting.server, source: sighting.sourceAddress, message: sighting.messageType, offered: sighting.offered,
    }, this.#now());
  }
}

/** What the DHCP servers are built from: a reload that leaves it alone leaves them running. */
function dhcpShape(config: Readonly<Config>): string {
  return JSON.stringify([
    config.networks.map((n) => [n.id, n.kind, n.enabled, n.interface, n.subnets, n.gateway.ipv4, n.dhcp]),
    config.reservations ?? [], config.web.portal ?? null,
  ]);
}
