// Vouchers at work: issuing (the code shown once), signing a guest device in with one, signing
// it out, revoking a voucher, and the daemon's start loading every authorisation in force back
// into the firewall. state.db is the record; the `authorised_guests` set mirrors it through
// FirewallService.changeElements, a voucher's bandwidth tier goes through the shaper, and its
// policy to DNS (`changed`, VoucherPolicies in dns-policies.ts).
//
// Signing in does the same work for every code that is not usable now (unknown, expired,
// revoked, not yet valid): hash, one indexed lookup, one failure recorded, one answer. Only a
// typo the check character catches is told apart, which says nothing about any real code.
import type { AlertCandidate } from '../../monitor/alerts/alert-schema.ts';
import type { Logger } from '../../log.ts';
import type { NewNetworkEvent } from '../../state/network-events.ts';
import type { NewVisitor, VoucherRepository } from '../../state/vouchers.ts';
import { InvalidInputError } from '../../state/values.ts';
import { hashCode } from './code-key.ts';
import { generateCode, parseCode } from './codes.ts';
import { authoriseLines, deauthoriseLines } from './elements.ts';
import { attemptVerdict, DEFAULT_LIMITS, lockoutCaused, type AttemptLimits } from './limits.ts';
import { MAX_GROUP_COUNT, type BandwidthTier, type NewVoucher, type Visitor, type Voucher, type VoucherDevice, type VoucherGroup } from './schema.ts';

/** The device behind a guest address, from its DHCP lease. */
export interface GuestDevice {
  mac: string;
  networkId: string;
}

export interface VoucherServiceDeps {
  store: VoucherRepository;
  /** Runs a change and its records as one transaction (StateDatabase.transaction). */
  transaction: <T>(fn: () => T) => T;
  key: Buffer;
  deviceAt: (address: string) => GuestDevice | undefined;
  /** FirewallService.changeElements: false while the firewall is off (the record stays the truth). */
  change: (lines: readonly string[]) => Promise<boolean>;
  /** ShapingService.setDeviceCap, for a voucher with a bandwidth tier. */
  setCap?: (mac: string, tier: BandwidthTier) => Promise<unknown>;
  events: { append(event: NewNetworkEvent): number };
  raise?: (candidate: AlertCandidate) => void;
  now: () => Date;
  limits?: AttemptLimits;
  logger?: Logger;
  /** crypto.randomInt unless a test drives it. */
  pick?: (n: number) => number;
  /** The authorisations in force changed (VoucherPolicies.sync: DNS answers each device under its voucher's policy). */
  changed?: () => void;
}

export type RedeemResult =
  | { outcome: 'signed-in'; voucherId: number; until: string; enforced: boolean }
  | { outcome: 'typo' }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'full'; maxDevices: number }
  | { outcome: 'no-lease' };

export interface Session {
  device: VoucherDevice;
  voucher: Voucher;
  secondsLeft: number;
}

export class VoucherService {
  readonly #d: VoucherServiceDeps;
  readonly #limits: AttemptLimits;

  constructor(deps: VoucherServiceDeps) {
    this.#d = deps;
    this.#limits = deps.limits ?? DEFAULT_LIMITS;
  }

  /** A new voucher and its code, which is shown now and never again. `record` adds the audit entry in the same transaction. */
  issue(params: NewVoucher & { visitor?: Omit<NewVisitor, 'created'> }, issuedBy: string, record: (voucher: Voucher) => void = () => undefined): { voucher: Voucher; code: string } {
    const now = this.#d.now();
    const { validFrom, validUntil } = this.#window(params, now);
    const { visitor, ...voucherParams } = params;
    return this.#d.transaction(() => {
      // Who got it is a visitor record of its own, kept (and purged) with the voucher.
      const visitorId = visitor ? this.#d.store.createVisitor({ ...visitor, created: now }).id : voucherParams.visitorId;
      const label = voucherParams.label ?? visitor?.name;
      const issued = this.#insert({ ...voucherParams, visitorId, label }, validFrom, validUntil, issuedBy, now, null);
      record(issued.voucher);
      return issued;
    });
  }

  /**
   * `count` vouchers for an event, recorded as one group, in one transaction: all of them or none.
   * Each code is shown now, on the printed sheet, and never again.
   */
  issueGroup(name: string, count: number, params: Omit<NewVoucher, 'kind' | 'label' | 'visitorId'>, issuedBy: string,
    record: (group: VoucherGroup) => void = () => undefined): { group: VoucherGroup; codes: { voucher: Voucher; code: string }[] } {
    if (!Number.isInteger(count) || count < 1 || count > MAX_GROUP_COUNT) throw new InvalidInputError(`a group holds 1 to ${MAX_GROUP_COUNT} vouchers`);
    const now = this.#d.now();
    const { validFrom, validUntil } = this.#window(params, now);
    return this.#d.transaction(() => {
      const draft = this.#d.store.insertGroup({ name, issuedBy, issuedAt: now, validFrom, validUntil, maxDevices: params.maxDevices, count });
      const codes = Array.from({ length: count }, (_, k) => this.#insert({ ...params, kind: 'group', label: `${name.slice(0, 110)} #${k + 1}` }, validFrom, validUntil, issuedBy, now, draft.id));
      const group = this.#d.store.group(draft.id, now)!;
      record(group);
      return { group, codes };
    });
  }

  #window(params: Pick<NewVoucher, 'validFrom' | 'validSeconds'>, now: Date): { validFrom: Date; validUntil: Date } {
    const validFrom = params.validFrom ? new Date(params.validFrom) : now;
    const validUntil = new Date(validFrom.getTime() + params.validSeconds * 1000);
    if (validUntil.getTime() <= now.getTime()) throw new InvalidInputError('that voucher would have ended already');
    return { validFrom, validUntil };
  }

  #insert(params: NewVoucher, validFrom: Date, validUntil: Date, issuedBy: string, now: Date, groupId: number | null): { voucher: Voucher; code: string } {
    const code = generateCode(this.#d.pick);
    const parsed = parseCode(code);
    if (!parsed.ok) throw new Error('a generated code failed its own check');
    const voucher = this.#d.store.insert({
      codeHash: hashCode(this.#d.key, parsed.code), kind: params.kind, label: params.label ?? null, visitorId: params.visitorId ?? null,
      validFrom, validUntil, maxDevices: params.maxDevices, downKbit: params.tier?.downKbit ?? null, upKbit: params.tier?.upKbit ?? null,
      policyId: params.policyId ?? null, issuedBy, issuedAt: now, groupId,
    });
    return { voucher, code };
  }

  list(options: { current?: boolean } = {}): Voucher[] {
    this.sweep();
    return this.#d.store.list(this.#d.now(), options);
  }

  /** The visitors the vouchers name (who got each), by id. */
  visitorsOf(vouchers: readonly Voucher[]): Visitor[] {
    const ids = [...new Set(vouchers.map((v) => v.visitorId).filter((id): id is number => id !== null))];
    return ids.map((id) => this.#d.store.visitor(id)).filter((v): v is Visitor => v !== undefined);
  }

  groups(options: { issuedBy?: string } = {}): VoucherGroup[] {
    return this.#d.store.groups(this.#d.now(), options);
  }

  group(id: number): VoucherGroup | undefined {
    return this.#d.store.group(id, this.#d.now());
  }

  /**
   * Ends the voucher now: every device signed in with it loses its element in one transaction
   * of the set, so none keeps the internet a moment longer than another.
   */
  async revoke(id: number, by: string, reason: string, record: (voucher: Voucher, ended: VoucherDevice[]) => void = () => undefined): Promise<{ voucher: Voucher; ended: VoucherDevice[]; enforced: boolean }> {
    const now = this.#d.now();
    const { voucher, ended } = this.#d.transaction(() => {
      this.#d.store.revoke(id, now, by, reason);
      const e = this.#d.store.end(id, now, 'revoked');
      const v = this.#d.store.get(id, now)!;
      record(v, e);
      return { voucher: v, ended: e };
    });
    this.#d.changed?.();
    const enforced = await this.#d.change(ended.flatMap((d) => deauthoriseLines(d.address, d.mac)));
    await this.#uncap(voucher, ended.map((d) => d.mac));
    return { voucher, ended, enforced };
  }

  /** Revokes every voucher of a group still in force, and the group, with every device off in one change of the set. */
  async revokeGroup(id: number, by: string, reason: string, record: (group: VoucherGroup, ended: VoucherDevice[]) => void = () => undefined): Promise<{ group: VoucherGroup; ended: VoucherDevice[]; enforced: boolean }> {
    const now = this.#d.now();
    const { group, ended, vouchers } = this.#d.transaction(() => {
      const ids = this.#d.store.revokeGroup(id, now, by, reason);
      const e: VoucherDevice[] = [];
      for (const voucherId of ids) {
        this.#d.store.revoke(voucherId, now, by, reason);
        e.push(...this.#d.store.end(voucherId, now, 'revoked'));
      }
      const g = this.#d.store.group(id, now)!;
      record(g, e);
      return { group: g, ended: e, vouchers: ids.map((v) => this.#d.store.get(v, now)!) };
    });
    const enforced = await this.#d.change(ended.flatMap((d) => deauthoriseLines(d.address, d.mac)));
    for (const voucher of vouchers) await this.#uncap(voucher, ended.filter((d) => d.voucherId === voucher.id).map((d) => d.mac));
    return { group, ended, enforced };
  }

  /**
   * Renews a voucher (a regular visitor's, before or after it lapsed): it ends at `until`, and the
   * devices still signed in with it get the new time in the set at once.
   */
  async extend(id: number, until: Date, record: (voucher: Voucher) => void = () => undefined): Promise<{ voucher: Voucher; enforced: boolean }> {
    const now = this.#d.now();
    const { voucher, devices } = this.#d.transaction(() => {
      const d = this.#d.store.extend(id, until, now);
      const v = this.#d.store.get(id, now)!;
      record(v);
      return { voucher: v, devices: d };
    });
    const enforced = await this.#d.change(devices.flatMap((d) => authoriseLines(d.address, d.mac, until, now)));
    return { voucher, enforced };
  }

  /** A guest device at `address` signs in with what its user typed, having accepted `termsVersion`. */
  async redeem(address: string, typed: string, termsVersion: string | null): Promise<RedeemResult> {
    const now = this.#d.now();
    const device = this.#d.deviceAt(address);
    const mac = device?.mac ?? null;
    const counts = this.#counts(mac, address, now);
    const verdict = attemptVerdict(counts, this.#limits);
    if (!verdict.allowed) return { outcome: 'locked', retryAfterSeconds: verdict.retryAfterSeconds };
    const parsed = parseCode(typed);
    if (!parsed.ok) return { outcome: 'typo' };
    const voucher = this.#d.store.byHash(hashCode(this.#d.key, parsed.code));
    const usable = voucher !== undefined && voucher.revokedAt === null
      && Date.parse(voucher.validFrom) <= now.getTime() && now.getTime() < Date.parse(voucher.validUntil);
    if (!usable) {
      this.#d.store.recordAttempt(now, mac, address, false);
      this.#afterFailure(mac, address, device?.networkId ?? null, now);
      return { outcome: 'invalid' };
    }
    if (!device) return { outcome: 'no-lease' };
    return this.#signIn(voucher, device, address, termsVersion, now);
  }

  /**
   * Signs the device at `address` in with voucher `id` on a sponsor's say-so (an approved
   * registration): no code is typed, so no attempt is counted. `mac` is the device that asked:
   * if another now holds the address, nothing is authorised.
   */
  async authorise(id: number, address: string, mac: string, termsVersion: string | null): Promise<RedeemResult> {
    const now = this.#d.now();
    const device = this.#d.deviceAt(address);
    if (!device || device.mac !== mac) return { outcome: 'no-lease' };
    const voucher = this.#d.store.get(id, now);
    if (!voucher || voucher.revokedAt !== null || now.getTime() >= Date.parse(voucher.validUntil)) return { outcome: 'invalid' };
    return this.#signIn(voucher, device, address, termsVersion, now);
  }

  async #signIn(voucher: Voucher, device: GuestDevice, address: string, termsVersion: string | null, now: Date): Promise<RedeemResult> {
    if (this.#d.store.devicesNow(voucher.id, now, device.mac) >= voucher.maxDevices) return { outcome: 'full', maxDevices: voucher.maxDevices };
    const until = new Date(voucher.validUntil);
    const previous = this.#d.store.activeFor(device.mac, now);
    this.#d.transaction(() => {
      // Signed in before (another address, or another voucher): that authorisation ends here.
      if (previous && previous.device.voucherId !== voucher.id) this.#d.store.end(previous.device.voucherId, now, 'signed-out', device.mac);
      this.#d.store.authorise({ voucherId: voucher.id, mac: device.mac, address, networkId: device.networkId, until, termsVersion, at: now });
      this.#d.store.recordAttempt(now, device.mac, address, true);
    });
    this.#d.changed?.();
    const stale = previous && previous.device.address !== address ? deauthoriseLines(previous.device.address, device.mac) : [];
    const enforced = await this.#d.change([...stale, ...authoriseLines(address, device.mac, until, now)]);
    if (voucher.tier.downKbit !== null || voucher.tier.upKbit !== null) {
      await this.#d.setCap?.(device.mac, voucher.tier)?.catch((err: Error) => this.#d.logger?.error({ err, mac: device.mac }, 'the voucher\'s bandwidth tier could not be applied'));
    }
    return { outcome: 'signed-in', voucherId: voucher.id, until: until.toISOString(), enforced };
  }

  /** The authorisation the device at `address` has now, if any (the RFC 8908 answer and the visitor's page). */
  sessionAt(address: string): Session | undefined {
    const device = this.#d.deviceAt(address);
    if (!device) return undefined;
    const now = this.#d.now();
    const active = this.#d.store.activeFor(device.mac, now);
    // The address must match too: the set holds address and MAC together.
    if (!active || active.device.address !== address) return undefined;
    return { ...active, secondsLeft: Math.max(0, Math.floor((Date.parse(active.device.authorisedUntil) - now.getTime()) / 1000)) };
  }

  /** The visitor ends their own session: the device's element goes at once. */
  async signOut(address: string): Promise<boolean> {
    const session = this.sessionAt(address);
    if (!session) return false;
    const now = this.#d.now();
    this.#d.store.end(session.device.voucherId, now, 'signed-out', session.device.mac);
    this.#d.changed?.();
    await this.#d.change(deauthoriseLines(address, session.device.mac));
    await this.#uncap(session.voucher, [session.device.mac]);
    return true;
  }

  /** Every authorisation in force, into the set (the daemon's start, or the firewall switched on). */
  async loadAll(): Promise<number> {
    const now = this.#d.now();
    this.sweep();
    const devices = this.#d.store.allActive(now);
    const loaded = await this.#d.change(devices.flatMap((d) => authoriseLines(d.address, d.mac, new Date(d.authorisedUntil), now)));
    return loaded ? devices.length : 0;
  }

  /** Marks lapsed authorisations ended (the kernel already dropped them), lifts their tiers and forgets old attempts. */
  sweep(): void {
    const now = this.#d.now();
    const expired = this.#d.store.markExpired(now);
    // The kernel dropped their elements itself; their bandwidth tier is lifted here, or the next
    // voucher the device signs in with (with no tier of its own) would inherit the cap.
    for (const [voucherId, macs] of Map.groupBy(expired, (d) => d.voucherId)) {
      const voucher = this.#d.store.get(voucherId, now);
      if (voucher) void this.#uncap(voucher, macs.map((d) => d.mac));
    }
    const keep = Math.max(this.#limits.deviceWindowSeconds, this.#limits.globalWindowSeconds, 3600);
    this.#d.store.pruneAttempts(new Date(now.getTime() - keep * 1000));
    this.#d.changed?.();
  }

  #counts(mac: string | null, address: string, now: Date): { device: number; global: number } {
    return {
      device: this.#d.store.failuresOf(mac, address, new Date(now.getTime() - this.#limits.deviceWindowSeconds * 1000)),
      global: this.#d.store.allFailures(new Date(now.getTime() - this.#limits.globalWindowSeconds * 1000)),
    };
  }

  #afterFailure(mac: string | null, address: string, networkId: string | null, now: Date): void {
    const scope = lockoutCaused(this.#counts(mac, address, now), this.#limits);
    if (!scope) return;
    const seconds = scope === 'device' ? this.#limits.deviceWindowSeconds : this.#limits.globalWindowSeconds;
    const failures = scope === 'device' ? this.#limits.deviceFailures : this.#limits.globalFailures;
    this.#d.events.append({ at: now, kind: 'portal.lockout', networkId, mac, details: { address, scope, failures, lockedSeconds: seconds } });
    this.#d.raise?.({
      kind: 'portal.lockout', severity: scope === 'global' ? 'high' : 'medium', at: now.toISOString(), networkId, mac, address: mac ? null : address,
      subject: scope === 'global' ? 'voucher codes guessed on the guest network' : `voucher codes guessed from ${address}`,
      reason: scope === 'global'
        ? `${failures} wrong voucher codes from guest devices within ${Math.round(this.#limits.globalWindowSeconds / 60)} minutes: devices that got one wrong are refused for a while`
        : `${failures} wrong voucher codes from one device: it may not try again for ${Math.round(seconds / 60)} minutes`,
      details: { address, scope },
    });
  }

  async #uncap(voucher: Voucher, macs: readonly string[]): Promise<void> {
    if (voucher.tier.downKbit === null && voucher.tier.upKbit === null) return;
    for (const mac of macs) {
      await this.#d.setCap?.(mac, { downKbit: null, upKbit: null })?.catch((err: Error) => this.#d.logger?.error({ err, mac }, 'the voucher\'s bandwidth tier could not be lifted'));
    }
  }
}
