// Probe before offer (RFC 2131 4.4.1: a server SHOULD probe an address before allocating it). A
// device given an address inside a pool by hand (a printer set up years ago) answers for it though
// no lease names it; without a probe the server would offer it to the next new client, and the two
// would fight over it until that client noticed (if it ARP-checks at all) and DECLINEd.
//
// Only an OFFER of an address the client did not hold is probed: a client returning to its own
// lease, or retransmitting while its offer is held, is answered at once. When something other
// than the client answers, the address is set aside as in use, an event names the MAC that
// answered, and the responder is asked again, at most MAX_PROBES times per request; then nothing
// is sent (the client retries, by when those addresses are out of the pool). Pure apart from the
// probe it is given: the sockets are the service's.
import { formatIPv4 } from './ipv4.ts';
import type { DhcpMessage } from './packet.ts';
import type { DhcpEvent, DhcpResponder, DhcpResponse } from './responder.ts';

/** Probes per request before the server gives up on it (the client retries, a few seconds later). */
export const MAX_PROBES = 3;

/** Asks who holds an address: the MAC that answered, or null. */
export type Probe = (address: number) => Promise<string | null>;

export interface OfferProbeCounters {
  /** Offers that were probed first. */
  probed: number;
  /** Probes something other than the client answered (each an event). */
  inUse: number;
  /** Requests left unanswered after MAX_PROBES answered probes. */
  gaveUp: number;
  /** DISCOVERs from a client whose offer was still being probed (dropped: the probe answers it). */
  whileProbing: number;
}

/** What the client held before a request: its own lease, or an offer still held for it. */
export interface Holding {
  address: number;
  own: boolean;
}

export interface Settled {
  /** What to send and record; null when nothing is sent. */
  response: DhcpResponse | null;
  /** Events of the probes and of every response asked for on the way. */
  events: DhcpEvent[];
}

export class OfferProbes {
  readonly counters: OfferProbeCounters = { probed: 0, inUse: 0, gaveUp: 0, whileProbing: 0 };
  readonly #probe: Probe;
  readonly #now: () => number;
  readonly #inFlight = new Set<string>();

  constructor(probe: Probe, now: () => number) {
    this.#probe = probe;
    this.#now = now;
  }

  /** A probe of an offer for this client is under way. */
  busy(clientKey: string): boolean {
    return this.#inFlight.has(clientKey);
  }

  /**
   * Read before the responder answers (its OFFER replaces the client's entry): the address the
   * client may have without a probe, one whose lease it had, or whose offer to it is still held.
   */
  holding(responder: DhcpResponder, clientKey: string, nowMs: number): Holding | undefined {
    const entry = responder.table.ofClient(clientKey);
    if (entry === undefined) return undefined;
    const leased = entry.stored !== null && entry.stored.clientKey === clientKey;
    const held = entry.state === 'offered' && entry.untilMs > nowMs;
    return { address: entry.address, own: leased || held };
  }

  /** Whether the response offers an address the client did not hold. */
  needed(response: DhcpResponse, before: Holding | undefined): boolean {
    if (response.outcome !== 'offer' || response.reply === null) return false;
    return !(before !== undefined && before.own && before.address === response.reply.yiaddr);
  }

  /** Probes the offered address until nothing but the client answers, asking the responder again each time something else does. */
  async settle(responder: DhcpResponder, message: DhcpMessage, first: DhcpResponse, before: Holding | undefined): Promise<Settled> {
    const events: DhcpEvent[] = [...first.events];
    this.#inFlight.add(message.clientKey);
    try {
      let response = first;
      for (let probes = 1; this.needed(response, before); probes++) {
        const address = response.reply!.yiaddr;
        this.counters.probed++;
        const mac = await this.#probe(address);
        if (mac === null || mac === message.mac) break;
        const nowMs = this.#now();
        // In use replaces the offer, so the client's retransmission is no longer "its own address".
        responder.markInUse(address, nowMs);
        this.counters.inUse++;
        events.push({ kind: 'dhcp.address-in-use', mac, details: { address: formatIPv4(address), client: message.mac } });
        if (probes === MAX_PROBES) {
          this.counters.gaveUp++;
          return { response: null, events };
        }
        response = responder.respond(message, nowMs);
        events.push(...response.events);
      }
      return { response, events };
    } finally {
      this.#inFlight.delete(message.clientKey);
    }
  }
}
