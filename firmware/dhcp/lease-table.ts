// One network's leases in memory: who holds which address, and the choice of an address for a
// client (RFC 2131 4.3.1's order: its reservation, its current or previous address, the address it
// asks for, a never-used one, then the longest-lapsed). The SQLite rows are written through by the
// responder; this table is rebuilt from them at start, so it holds nothing the file does not.
import type { Lease } from '../state/schemas.ts';
import { parseIPv4 } from './ipv4.ts';
import { inPools, type DhcpNetwork } from './settings.ts';

export type EntryState = 'offered' | 'bound' | 'released' | 'declined' | 'in-use';

export interface LeaseEntry {
  address: number;
  /** Who holds or last held it; '' for an address found in use by something we did not lease to. */
  clientKey: string;
  mac: string;
  state: EntryState;
  /** bound: lease end; offered: end of the hold; declined, in-use: end of the quarantine; released: when. */
  untilMs: number;
  /** The row state.db has for this address, or null (an offer to a new address is never stored). */
  stored: Lease | null;
}

/** How long an OFFER keeps its address for the client before it may go to another (RFC 2131 4.3.1 leaves it to us). */
export const OFFER_HOLD_MS = 30_000;
/** How long a declined address, or one a probe found answering, is kept out of the pool. */
export const QUARANTINE_MS = 10 * 60_000;

export class LeaseTable {
  readonly network: DhcpNetwork;
  readonly #byAddress = new Map<number, LeaseEntry>();
  readonly #byClient = new Map<string, LeaseEntry>();
  #pool = 0;
  #cursor: number;
  #freeCache = { atMs: Number.NaN, free: 0 };

  constructor(network: DhcpNetwork, stored: readonly Lease[]) {
    this.network = network;
    this.#cursor = network.pools[0]?.first ?? 0;
    for (const lease of stored) {
      const address = parseIPv4(lease.address);
      if (address === undefined || lease.state === 'offered') continue;
      const entry: LeaseEntry = { address, clientKey: lease.clientKey, mac: lease.mac, state: lease.state, untilMs: Date.parse(lease.expires), stored: lease };
      this.#byAddress.set(address, entry);
      if (lease.state === 'declined') continue;
      const other = this.#byClient.get(lease.clientKey);
      if (other === undefined || (other.stored !== null && other.stored.updated < lease.updated)) this.#byClient.set(lease.clientKey, entry);
    }
  }

  at(address: number): LeaseEntry | undefined {
    return this.#byAddress.get(address);
  }

  /** The client's current or most recent address on this network (never a declined one). */
  ofClient(clientKey: string): LeaseEntry | undefined {
    return this.#byClient.get(clientKey);
  }

  get size(): number {
    return this.#byAddress.size;
  }

  entries(): IterableIterator<LeaseEntry> {
    return this.#byAddress.values();
  }

  /** Another client (or something on the wire) holds the address now. */
  heldByOther(address: number, clientKey: string, nowMs: number): boolean {
    const entry = this.#byAddress.get(address);
    if (entry === undefined) return false;
    if (entry.state === 'declined' || entry.state === 'in-use') return entry.untilMs > nowMs;
    if (entry.clientKey === clientKey) return false;
    return (entry.state === 'bound' || entry.state === 'offered') && entry.untilMs > nowMs;
  }

  /** The address may be given to this client: ours to give, not someone's reservation, not held. */
  usableBy(address: number, clientKey: string, mac: string, nowMs: number): boolean {
    const n = this.network;
    const reservedMac = n.reservedFor.get(address);
    if (reservedMac !== undefined) {
      if (reservedMac !== mac) return false;
    } else if (!inPools(n, address)) return false;
    if (address === n.serverAddress || address === n.subnet.network || address === n.subnet.broadcast) return false;
    return !this.heldByOther(address, clientKey, nowMs);
  }

  /** Picks an address for the client, or null when the pool has none left. */
  choose(clientKey: string, mac: string, requested: number | null, nowMs: number): number | null {
    const reservation = this.network.reservations.get(mac);
    if (reservation !== undefined && this.usableBy(reservation.address, clientKey, mac, nowMs)) return reservation.address;
    const own = this.#byClient.get(clientKey);
    if (own !== undefined && this.usableBy(own.address, clientKey, mac, nowMs)) return own.address;
    if (requested !== null && this.usableBy(requested, clientKey, mac, nowMs)) return requested;
    const fresh = this.#nextFresh();
    if (fresh !== null) return fresh;
    return this.#oldestReclaimable(mac, nowMs);
  }

  /** Holds the address for the client until the hold ends (or it REQUESTs it). */
  offer(address: number, clientKey: string, mac: string, nowMs: number): LeaseEntry {
    const existing = this.#byAddress.get(address);
    if (existing !== undefined && existing.clientKey === clientKey && existing.state === 'bound' && existing.untilMs > nowMs) return existing;
    return this.#put({ address, clientKey, mac, state: 'offered', untilMs: nowMs + OFFER_HOLD_MS, stored: existing?.stored ?? null }, nowMs);
  }

  /** Records a committed bound lease; the client's other addresses on this network are dropped, as in state.db. */
  bound(lease: Lease, address: number): LeaseEntry {
    const previous = this.#byClient.get(lease.clientKey);
    if (previous !== undefined && previous.address !== address && this.#byAddress.get(previous.address) === previous) {
      this.#adjustFree(previous, undefined, Date.parse(lease.updated));
      this.#byAddress.delete(previous.address);
    }
    return this.#put({ address, clientKey: lease.clientKey, mac: lease.mac, state: 'bound', untilMs: Date.parse(lease.expires), stored: lease }, Date.parse(lease.updated));
  }

  /** A stored lease in another state (released, declined). */
  stored(lease: Lease, address: number): LeaseEntry {
    return this.#put({ address, clientKey: lease.clientKey, mac: lease.mac, state: lease.state as EntryState, untilMs: Date.parse(lease.expires), stored: lease }, Date.parse(lease.updated));
  }

  /** The client took another server's offer: our hold ends now (the address goes back to what it was). */
  withdrawOffer(clientKey: string, nowMs: number): boolean {
    const entry = this.#byClient.get(clientKey);
    if (entry === undefined || entry.state !== 'offered' || entry.untilMs <= nowMs) return false;
    this.#adjustFree(entry, { ...entry, untilMs: nowMs }, nowMs);
    entry.untilMs = nowMs;
    return true;
  }

  /** Something answered a probe of the address: keep it out of the pool for a while (not stored). */
  markInUse(address: number, nowMs: number): void {
    const existing = this.#byAddress.get(address);
    this.#put({ address, clientKey: '', mac: existing?.mac ?? '', state: 'in-use', untilMs: nowMs + QUARANTINE_MS, stored: existing?.stored ?? null }, nowMs);
  }

  /** Addresses a new client could still get (never-used plus lapsed), recounted at most once a second. */
  freeCount(nowMs: number): number {
    if (Math.abs(nowMs - this.#freeCache.atMs) < 1000) return this.#freeCache.free;
    let held = 0;
    for (const entry of this.#byAddress.values()) {
      if (holds(entry, nowMs) && inPools(this.network, entry.address)) held++;
    }
    for (const address of this.network.reservedFor.keys()) {
      const entry = this.#byAddress.get(address);
      if (inPools(this.network, address) && !(entry !== undefined && holds(entry, nowMs))) held++;
    }
    const free = Math.max(0, this.network.poolSize - held - (inPools(this.network, this.network.serverAddress) ? 1 : 0));
    this.#freeCache = { atMs: nowMs, free };
    return free;
  }

  #put(entry: LeaseEntry, nowMs: number): LeaseEntry {
    const previous = this.#byAddress.get(entry.address);
    this.#adjustFree(previous, entry, nowMs);
    if (previous !== undefined && this.#byClient.get(previous.clientKey) === previous) {
      this.#byClient.delete(previous.clientKey);
    }
    this.#byAddress.set(entry.address, entry);
    if (entry.clientKey !== '' && entry.state !== 'declined') this.#byClient.set(entry.clientKey, entry);
    return entry;
  }

  // Keeps the free count right between recounts, so a flood of DISCOVERs costs no scan each.
  #adjustFree(before: LeaseEntry | undefined, after: LeaseEntry | undefined, nowMs: number): void {
    const address = (after ?? before)!.address;
    if (Number.isNaN(this.#freeCache.atMs) || !inPools(this.network, address) || this.network.reservedFor.has(address)) return;
    this.#freeCache.free += (before !== undefined && holds(before, nowMs) ? 1 : 0) - (after !== undefined && holds(after, nowMs) ? 1 : 0);
  }

  // Addresses are handed out in order the first time round, so a fresh pool fills from its start.
  #nextFresh(): number | null {
    const n = this.network;
    while (this.#pool < n.pools.length) {
      const range = n.pools[this.#pool]!;
      if (this.#cursor < range.first) this.#cursor = range.first;
      while (this.#cursor <= range.last) {
        const address = this.#cursor++;
        if (this.#byAddress.has(address) || n.reservedFor.has(address)) continue;
        if (address === n.serverAddress || address === n.subnet.network || address === n.subnet.broadcast) continue;
        return address;
      }
      this.#pool++;
    }
    return null;
  }

  // Lapsed leases and released addresses first (longest ago first), then ended quarantines, then
  // lapsed offers, and last the offers still held but never confirmed: a flood of DISCOVERs holds
  // nothing a client that completes its exchange cannot take.
  #oldestReclaimable(mac: string, nowMs: number): number | null {
    let best: LeaseEntry | undefined;
    let bestRank = 4;
    for (const entry of this.#byAddress.values()) {
      const rank = reclaimRank(entry, nowMs);
      if (rank > bestRank || (rank === bestRank && best !== undefined && entry.untilMs >= best.untilMs)) continue;
      if (rank === 4) continue;
      const reservedMac = this.network.reservedFor.get(entry.address);
      if ((reservedMac !== undefined && reservedMac !== mac) || !inPools(this.network, entry.address)) continue;
      if (entry.address === this.network.serverAddress) continue;
      best = entry;
      bestRank = rank;
    }
    return best === undefined ? null : best.address;
  }
}

/** The address is out of the pool for now: leased, offered, declined or found in use. */
function holds(entry: LeaseEntry, nowMs: number): boolean {
  return entry.state !== 'released' && entry.untilMs > nowMs;
}

function reclaimRank(entry: LeaseEntry, nowMs: number): number {
  const lapsed = entry.untilMs <= nowMs;
  switch (entry.state) {
    case 'released': return 0;
    case 'bound': return lapsed ? 0 : 4;
    case 'declined':
    case 'in-use': return lapsed ? 1 : 4;
    case 'offered': return lapsed ? 2 : 3;
  }
}
