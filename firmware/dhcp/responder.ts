// What one network's DHCP server answers (RFC 2131 4.3): pure apart from the lease store, which
// it calls synchronously so a bound lease is committed before its ACK exists. The service decides
// which network a message belongs to (arrival interface, or giaddr for a relayed one), sends the
// reply to its destination and records the events.
import type { LeaseRepository } from '../state/leases.ts';
import type { Lease, NetworkEventKind } from '../state/schemas.ts';
import { AdmissionControl, type AdmissionStats } from './admission.ts';
import { formatIPv4, subnetContains } from './ipv4.ts';
import { LeaseTable, QUARANTINE_MS } from './lease-table.ts';
import { hex, MESSAGE_TYPE, MESSAGE_TYPE_NAMES } from './options.ts';
import type { DhcpMessage } from './packet.ts';
import { configurationReply, nakReply, type DhcpReply } from './reply.ts';
import type { DhcpNetwork } from './settings.ts';

export interface DhcpEvent {
  kind: NetworkEventKind;
  mac: string | null;
  details: Record<string, unknown>;
}

export type Outcome =
  | 'offer' | 'ack' | 'nak' | 'inform'
  | 'released' | 'declined'
  | 'chose-other-server' | 'unknown-client' | 'not-ours' | 'ignored'
  | 'rate-limited' | 'pool-exhausted' | 'store-failed';

export interface DhcpResponse {
  reply: DhcpReply | null;
  events: DhcpEvent[];
  outcome: Outcome;
  /** Set when outcome is store-failed: why the lease could not be committed (no ACK was made). */
  error?: Error;
}

/** The part of the lease repository the responder writes through. */
export type LeaseWriter = Pick<LeaseRepository, 'bind' | 'save'>;

export interface ResponderOptions {
  network: DhcpNetwork;
  leases: LeaseWriter;
  /** The network's rows from state.db (LeaseRepository.forNetwork), read once at start. */
  stored: readonly Lease[];
  /** Whether the device table has this MAC as school-owned (for the school-device-on-guest event). */
  schoolOwned?: (mac: string) => boolean;
}

/** Pool and rate-limit events are summarised at most this often per network. */
const SUMMARY_INTERVAL_MS = 60_000;
/** A school device on guest is reported at most this often per device. */
const SCHOOL_DEVICE_INTERVAL_MS = 10 * 60_000;

export class DhcpResponder {
  readonly network: DhcpNetwork;
  readonly table: LeaseTable;
  readonly #admission: AdmissionControl;
  readonly #leases: LeaseWriter;
  readonly #schoolOwned: (mac: string) => boolean;
  readonly counts: Record<Outcome, number> = {
    offer: 0, ack: 0, nak: 0, inform: 0, released: 0, declined: 0, 'chose-other-server': 0, 'unknown-client': 0,
    'not-ours': 0, ignored: 0, 'rate-limited': 0, 'pool-exhausted': 0, 'store-failed': 0,
  };
  readonly #lastEvent = new Map<string, { atMs: number; suppressed: number }>();

  constructor(options: ResponderOptions) {
    this.network = options.network;
    this.table = new LeaseTable(options.network, options.stored);
    this.#admission = new AdmissionControl(options.network);
    this.#leases = options.leases;
    this.#schoolOwned = options.schoolOwned ?? (() => false);
  }

  get admission(): Readonly<AdmissionStats> {
    return this.#admission.stats;
  }

  /** Something answered a probe (ping or ARP) of this address: it is not offered for a while. */
  markInUse(address: number, nowMs: number): void {
    this.table.markInUse(address, nowMs);
  }

  respond(message: DhcpMessage, nowMs: number): DhcpResponse {
    const events: DhcpEvent[] = [];
    const outcome = (name: Outcome, reply: DhcpReply | null = null, error?: Error): DhcpResponse => {
      this.counts[name]++;
      return error === undefined ? { reply, events, outcome: name } : { reply, events, outcome: name, error };
    };
    if ((message.messageType === MESSAGE_TYPE.DISCOVER || message.messageType === MESSAGE_TYPE.REQUEST) && this.network.kind === 'guest') {
      this.#checkSchoolDevice(message, nowMs, events);
    }
    switch (message.messageType) {
      case MESSAGE_TYPE.DISCOVER: return this.#discover(message, nowMs, events, outcome);
      case MESSAGE_TYPE.REQUEST: return this.#request(message, nowMs, events, outcome);
      case MESSAGE_TYPE.DECLINE: return this.#decline(message, nowMs, events, outcome);
      case MESSAGE_TYPE.RELEASE: return this.#release(message, nowMs, outcome);
      case MESSAGE_TYPE.INFORM:
        return outcome('inform', configurationReply(message, this.network, MESSAGE_TYPE.ACK, 0, false));
      default:
        // OFFER, ACK, NAK: server messages, never a client's.
        return outcome('ignored');
    }
  }

  #discover(m: DhcpMessage, nowMs: number, events: DhcpEvent[], outcome: Finish): DhcpResponse {
    const own = this.table.ofClient(m.clientKey);
    const holding = own !== undefined && (own.state === 'bound' || own.state === 'offered') && own.untilMs > nowMs;
    if (!holding && !this.#admit(m, nowMs, events)) return outcome('rate-limited');
    const address = this.table.choose(m.clientKey, m.mac, m.requestedAddress, nowMs);
    if (address === null) {
      this.#summary('dhcp.pool-exhausted', nowMs, events, { poolSize: this.network.poolSize });
      return outcome('pool-exhausted');
    }
    this.table.offer(address, m.clientKey, m.mac, nowMs);
    return outcome('offer', configurationReply(m, this.network, MESSAGE_TYPE.OFFER, address, true));
  }

  #request(m: DhcpMessage, nowMs: number, events: DhcpEvent[], outcome: Finish): DhcpResponse {
    const n = this.network;
    if (m.serverId !== null) {
      // SELECTING: the client answers one server's OFFER, by that server's identifier.
      if (m.serverId !== n.serverAddress) {
        this.table.withdrawOffer(m.clientKey, nowMs);
        return outcome('chose-other-server');
      }
      const address = m.requestedAddress ?? (m.ciaddr !== 0 ? m.ciaddr : null);
      if (address === null) return outcome('nak', nakReply(m, n, 'no requested address'));
      return this.#confirm(m, address, nowMs, events, outcome);
    }
    if (m.ciaddr === 0) {
      // INIT-REBOOT: a client that remembers an address asks to keep it.
      const address = m.requestedAddress;
      if (address === null) return outcome('ignored');
      if (!subnetContains(n.subnet, address)) return outcome('nak', nakReply(m, n, `${formatIPv4(address)} is not on this network`));
      const own = this.table.ofClient(m.clientKey);
      if (own === undefined && this.table.at(address)?.clientKey !== m.clientKey) {
        // RFC 2131 4.3.2: no record of this client, so not ours to judge, unless the address is someone else's.
        if (this.table.heldByOther(address, m.clientKey, nowMs) || this.#reservedForOther(address, m.mac)) {
          return outcome('nak', nakReply(m, n, `${formatIPv4(address)} is in use`));
        }
        return outcome('unknown-client');
      }
      if (own !== undefined && own.address !== address && (own.state === 'bound' || own.state === 'offered') && own.untilMs > nowMs) {
        return outcome('nak', nakReply(m, n, `${formatIPv4(address)} is not your address`));
      }
      return this.#confirm(m, address, nowMs, events, outcome);
    }
    // RENEWING (unicast to us) or REBINDING (broadcast): the client holds ciaddr.
    if (!subnetContains(n.subnet, m.ciaddr)) return outcome('not-ours');
    return this.#confirm(m, m.ciaddr, nowMs, events, outcome);
  }

  /** ACK the address to the client (lease committed first), or NAK it. */
  #confirm(m: DhcpMessage, address: number, nowMs: number, events: DhcpEvent[], outcome: Finish): DhcpResponse {
    const n = this.network;
    if (!this.table.usableBy(address, m.clientKey, m.mac, nowMs)) {
      return outcome('nak', nakReply(m, n, `${formatIPv4(address)} is not available`));
    }
    const reservation = n.reservations.get(m.mac);
    if (reservation !== undefined && reservation.address !== address && this.table.usableBy(reservation.address, m.clientKey, m.mac, nowMs)) {
      return outcome('nak', nakReply(m, n, `this device has a reserved address, ${formatIPv4(reservation.address)}`));
    }
    // Renewing what the client already has (or was offered) is never rate limited.
    const entry = this.table.at(address);
    const known = entry !== undefined && entry.clientKey === m.clientKey && entry.state !== 'declined' && entry.state !== 'in-use';
    if (!known && !this.#admit(m, nowMs, events)) return outcome('rate-limited');
    const lease = this.#lease(m, address, nowMs);
    try {
      this.#leases.bind(lease, reservation === undefined ? {} : { name: reservation.name, groupId: reservation.groupId });
    } catch (error) {
      return outcome('store-failed', null, error instanceof Error ? error : new Error(String(error)));
    }
    this.table.bound(lease, address);
    return outcome('ack', configurationReply(m, n, MESSAGE_TYPE.ACK, address, true));
  }

  #decline(m: DhcpMessage, nowMs: number, events: DhcpEvent[], outcome: Finish): DhcpResponse {
    const address = m.requestedAddress;
    if (address === null || (m.serverId !== null && m.serverId !== this.network.serverAddress)) return outcome('ignored');
    const entry = this.table.at(address);
    // Only the client we gave the address to can make us set it aside.
    if (entry === undefined || entry.clientKey !== m.clientKey || (entry.state !== 'offered' && entry.state !== 'bound')) return outcome('ignored');
    const lease: Lease = { ...this.#lease(m, address, nowMs), state: 'declined', expires: new Date(nowMs + QUARANTINE_MS).toISOString() };
    try {
      this.#leases.save(lease);
    } catch (error) {
      return outcome('store-failed', null, error instanceof Error ? error : new Error(String(error)));
    }
    this.table.stored(lease, address);
    events.push({ kind: 'dhcp.declined', mac: m.mac, details: { address: formatIPv4(address), quarantineSeconds: QUARANTINE_MS / 1000 } });
    return outcome('declined');
  }

  #release(m: DhcpMessage, nowMs: number, outcome: Finish): DhcpResponse {
    const entry = this.table.at(m.ciaddr);
    if (entry === undefined || entry.clientKey !== m.clientKey || entry.state !== 'bound') return outcome('ignored');
    const lease: Lease = { ...(entry.stored ?? this.#lease(m, m.ciaddr, nowMs)), state: 'released', expires: new Date(nowMs).toISOString(), updated: new Date(nowMs).toISOString() };
    try {
      this.#leases.save(lease);
    } catch (error) {
      return outcome('store-failed', null, error instanceof Error ? error : new Error(String(error)));
    }
    this.table.stored(lease, m.ciaddr);
    return outcome('released');
  }

  #admit(m: DhcpMessage, nowMs: number, events: DhcpEvent[]): boolean {
    const verdict = this.#admission.admit(m.mac, m.xid, this.table.freeCount(nowMs), nowMs);
    if (verdict === 'admitted' || verdict === 'admitted-patient') return true;
    if (verdict === 'mac-limited') {
      this.#summary(`dhcp.rate-limited ${m.mac}`, nowMs, events, { perMacPerMinute: this.network.perMacPerMinute }, 'dhcp.rate-limited', m.mac);
    } else {
      this.#summary('dhcp.starvation', nowMs, events, {
        perNetworkPerMinute: this.network.perNetworkPerMinute, free: this.table.freeCount(nowMs), poolSize: this.network.poolSize,
      });
    }
    return false;
  }

  #checkSchoolDevice(m: DhcpMessage, nowMs: number, events: DhcpEvent[]): void {
    if (!this.#schoolOwned(m.mac)) return;
    const key = `school-device ${m.mac}`;
    const last = this.#lastEvent.get(key);
    if (last !== undefined && nowMs - last.atMs < SCHOOL_DEVICE_INTERVAL_MS) return;
    this.#lastEvent.set(key, { atMs: nowMs, suppressed: 0 });
    events.push({ kind: 'dhcp.school-device-on-guest', mac: m.mac, details: { hostname: m.hostname, message: MESSAGE_TYPE_NAMES[m.messageType] } });
  }

  /** One event per interval and key, carrying how many were folded into it since the last. */
  #summary(key: string, nowMs: number, events: DhcpEvent[], details: Record<string, unknown>, kind = key as NetworkEventKind, mac: string | null = null): void {
    const last = this.#lastEvent.get(key);
    if (last !== undefined && nowMs - last.atMs < SUMMARY_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    if (this.#lastEvent.size > 4096) this.#lastEvent.clear();
    this.#lastEvent.set(key, { atMs: nowMs, suppressed: 0 });
    events.push({ kind, mac, details: { ...details, sinceLastEvent: (last?.suppressed ?? 0) + 1 } });
  }

  #reservedForOther(address: number, mac: string): boolean {
    const owner = this.network.reservedFor.get(address);
    return owner !== undefined && owner !== mac;
  }

  #lease(m: DhcpMessage, address: number, nowMs: number): Lease {
    return {
      networkId: this.network.id,
      address: formatIPv4(address),
      clientKey: m.clientKey,
      mac: m.mac,
      clientId: m.clientId === null ? null : hex(m.clientId),
      hostname: m.hostname,
      vendorClass: m.vendorClass,
      parameters: [...m.parameterList],
      relayAgent: m.giaddr === 0 ? null : formatIPv4(m.giaddr),
      relayInfo: m.relayInfo === null ? null : hex(m.relayInfo),
      state: 'bound',
      expires: new Date(nowMs + this.network.leaseSeconds * 1000).toISOString(),
      updated: new Date(nowMs).toISOString(),
    };
  }
}

type Finish = (name: Outcome, reply?: DhcpReply | null, error?: Error) => DhcpResponse;
