// Who may take a NEW lease (renewals never pass through here): a token bucket per MAC and one per
// network, and a reserve at the bottom of the pool that only a patient client can reach. Tools that
// starve a pool (dhcpstarv, perfdhcp, yersinia) start a new exchange (a new xid) for every request,
// from random MACs; a real device that got no OFFER retransmits its DISCOVER, same MAC and same
// xid (udhcpc, dhclient), a second or more later. So when the network's bucket is empty, or the
// pool is down to its last tenth, a retransmission gets through a small lane of its own and the
// flood does not, even when the flood repeats MACs.
import { TokenBuckets } from '../dns/query/token-buckets.ts';
import type { DhcpNetwork } from './settings.ts';

export type Admission = 'admitted' | 'admitted-patient' | 'mac-limited' | 'network-limited';

/** A refused DISCOVER sent again (same MAC, same xid) at least this much later is a retransmitting client. */
export const PATIENCE_MS = 900;
/** The patient lane: this many new leases a second, bursts of this many. */
const PATIENT_PER_SECOND = 1;
const PATIENT_BURST = 4;
/** How many refused MACs are remembered (a flood of random ones pushes out the oldest). */
const REMEMBERED_REFUSALS = 32768;
/** The share of the pool kept for patient clients once a flood has begun. */
const RESERVE_SHARE = 0.1;

export interface AdmissionStats {
  admitted: number;
  admittedPatient: number;
  macLimited: number;
  networkLimited: number;
}

export class AdmissionControl {
  readonly #perMac: TokenBuckets;
  readonly #network: TokenBuckets;
  readonly #patient: TokenBuckets;
  readonly #refused = new Map<string, { atMs: number; xid: number }>();
  readonly #reserve: number;
  readonly stats: AdmissionStats = { admitted: 0, admittedPatient: 0, macLimited: 0, networkLimited: 0 };

  constructor(network: DhcpNetwork) {
    this.#perMac = new TokenBuckets({ ratePerSecond: network.perMacPerMinute / 60, burst: network.perMacPerMinute, maxClients: 16384 });
    // A burst never takes more than a quarter of a large pool at once, whatever the configured rate.
    const burst = Math.max(1, Math.min(network.perNetworkPerMinute, Math.max(16, Math.ceil(network.poolSize / 4))));
    this.#network = new TokenBuckets({ ratePerSecond: network.perNetworkPerMinute / 60, burst, maxClients: 1 });
    this.#patient = new TokenBuckets({ ratePerSecond: PATIENT_PER_SECOND, burst: PATIENT_BURST, maxClients: 1 });
    this.#reserve = Math.floor(network.poolSize * RESERVE_SHARE);
  }

  /** Decides (and, when admitted, spends the tokens for) a new lease for `mac` in exchange `xid`; `free` is what the pool has left. */
  admit(mac: string, xid: number, free: number, nowMs: number): Admission {
    // The MAC's own bucket is spent last, so a device refused while the network is flooded keeps
    // its allowance for when it gets through.
    let outcome: Admission = 'network-limited';
    const refused = this.#refused.get(mac);
    const retransmitted = refused !== undefined && refused.xid === xid && nowMs - refused.atMs >= PATIENCE_MS;
    if ((this.#reserve === 0 || free > this.#reserve) && this.#network.take('', nowMs)) outcome = 'admitted';
    else if (retransmitted && this.#patient.take('', nowMs)) outcome = 'admitted-patient';
    if (outcome === 'network-limited') {
      if (refused === undefined || refused.xid !== xid) {
        if (refused === undefined && this.#refused.size >= REMEMBERED_REFUSALS) this.#refused.delete(this.#refused.keys().next().value!);
        this.#refused.set(mac, { atMs: nowMs, xid });
      }
      this.stats.networkLimited++;
      return outcome;
    }
    if (!this.#perMac.take(mac, nowMs)) {
      this.stats.macLimited++;
      return 'mac-limited';
    }
    this.#refused.delete(mac);
    if (outcome === 'admitted') this.stats.admitted++;
    else this.stats.admittedPatient++;
    return outcome;
  }
}
