// A voucher's policy made real: while a guest device is signed in with a voucher that names a
// policy, DNS answers it under that policy instead of the guest network's. state.db is the
// record; this keeps DNS's per-address override map (LeaseDevices.applyPolicy, on every DNS
// thread) equal to it. sync() recomputes the whole wanted map from the authorisations in force
// and sends only the differences, so a sign-in, sign-out, revoke, sweep, restart or
// configuration change all take the same path, and a timer at the earliest authorisation end
// clears an expired device at its minute rather than at the next sweep.
//
// A voucher naming a policy that a configuration change removed is not given to DNS (the
// engine would pass it over anyway): its devices get the network's policy, and the gap is
// recorded once as a network event and shown in `status`.
import type { PolicyChange } from '../../clients/lease-devices.ts';
import { parseAddress } from '../../clients/ip.ts';
import type { Logger } from '../../log.ts';
import type { NewNetworkEvent } from '../../state/network-events.ts';
import type { VoucherDevice, VoucherPolicyStatus } from './schema.ts';

export type { VoucherPolicyStatus };

export interface VoucherPolicyDeps {
  /** Authorisations in force whose voucher names a policy (VoucherRepository.activePolicies). */
  active: (now: Date) => readonly { device: VoucherDevice; policyId: string }[];
  /** The policy ids the configuration has now. */
  policies: () => readonly string[];
  /** DnsThreads.setPolicies: every DNS thread's directory. */
  apply: (changes: PolicyChange[]) => void;
  events: { append(event: NewNetworkEvent): number };
  now: () => Date;
  /** setTimeout (unref'd) unless a test drives it; returns the cancel. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  logger?: Logger;
}

type MissingVoucherPolicy = VoucherPolicyStatus['missing'][number];

interface Applied { mac: string; policy: string }

/** The longest a timer waits: setTimeout's limit is ~24.8 days and a regular visitor's voucher may run a term. */
const MAX_TIMER_MS = 86_400_000;

function realTimer(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
}

export class VoucherPolicies {
  readonly #d: VoucherPolicyDeps;
  readonly #applied = new Map<number, Applied>();
  /** Missing policies already reported, by "voucherId policyId": an event once, not at every sync. */
  #missing = new Map<string, MissingVoucherPolicy>();
  #cancel: (() => void) | undefined;

  constructor(deps: VoucherPolicyDeps) {
    this.#d = deps;
  }

  /** Makes DNS's overrides those of the authorisations in force now. Never throws: a failure is logged and the next sync repairs it. */
  sync(): void {
    try {
      this.#sync();
    } catch (err) {
      this.#d.logger?.error({ err }, 'the vouchers\' policies could not be given to DNS; the next change or sweep tries again');
    }
  }

  status(): VoucherPolicyStatus {
    return { devices: this.#applied.size, missing: [...this.#missing.values()] };
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #sync(): void {
    const now = this.#d.now();
    const known = new Set(this.#d.policies());
    const wanted = new Map<number, Applied & { until: number }>();
    const missing = new Map<string, MissingVoucherPolicy>();
    for (const { device, policyId } of this.#d.active(now)) {
      if (!known.has(policyId)) {
        const key = `${device.voucherId} ${policyId}`;
        const m = missing.get(key) ?? { voucherId: device.voucherId, policyId, devices: 0 };
        m.devices++;
        missing.set(key, m);
        continue;
      }
      const parsed = parseAddress(device.address);
      if (!parsed || parsed.family !== 4) continue;
      wanted.set(Number(parsed.value), { mac: device.mac, policy: policyId, until: Date.parse(device.authorisedUntil) });
    }
    const changes: PolicyChange[] = [];
    for (const address of this.#applied.keys()) {
      if (!wanted.has(address)) {
        changes.push([address]);
        this.#applied.delete(address);
      }
    }
    let next = Infinity;
    for (const [address, w] of wanted) {
      const have = this.#applied.get(address);
      if (!have || have.mac !== w.mac || have.policy !== w.policy) {
        changes.push([address, w.mac, w.policy]);
        this.#applied.set(address, { mac: w.mac, policy: w.policy });
      }
      if (w.until < next) next = w.until;
    }
    if (changes.length > 0) this.#d.apply(changes);
    for (const [key, m] of missing) {
      if (this.#missing.has(key)) continue;
      this.#d.events.append({ at: now, kind: 'portal.voucher-policy-missing', networkId: null, mac: null, details: { voucherId: m.voucherId, policyId: m.policyId, devices: m.devices } });
      this.#d.logger?.warn({ voucherId: m.voucherId, policyId: m.policyId, devices: m.devices }, 'a voucher names a policy that no longer exists: its devices get their network\'s policy');
    }
    this.#missing = missing;
    this.#schedule(next, now.getTime());
  }

  #schedule(at: number, now: number): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (!Number.isFinite(at)) return;
    const set = this.#d.setTimer ?? realTimer;
    this.#cancel = set(() => this.sync(), Math.min(Math.max(0, at - now), MAX_TIMER_MS));
  }
}
