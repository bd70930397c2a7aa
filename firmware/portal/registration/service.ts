// Registration at work: a visitor's device registers naming a sponsor, the request waits, the
// sponsor approves (the web UI's queue, or their personal code typed on the visitor's device) or
// declines, and the sponsor or the DSL withdraws access later. Approval issues a voucher bound to
// the visitor through VoucherService and signs the waiting device in with it at once; withdrawal
// revokes that voucher, so every device of the visitor is off in one change of the set.
//
// Who may decide: the sponsor the request names, or an account with visitors.manage. Every
// decision is audited under the account, in the transaction that records it.
import { timingSafeEqual } from 'node:crypto';
import type { AuditAppend } from '../../control/audit.ts';
import { permissionsOf } from '../../admin/roles.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { VisitorRequestRepository } from '../../state/visitor-requests.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import type { VoucherRepository } from '../../state/vouchers.ts';
import { hashCode } from '../vouchers/code-key.ts';
import { attemptVerdict, DEFAULT_LIMITS, type AttemptLimits } from '../vouchers/limits.ts';
import type { Voucher } from '../vouchers/schema.ts';
import type { GuestDevice, RedeemResult, VoucherService } from '../vouchers/service.ts';
import type { Approval, Registration, VisitorRecord, VisitorRequest } from './schema.ts';
import { ForbiddenError } from './errors.ts';
import { RegularVisitors } from './regular.ts';
import { validitySeconds, type SchoolTerm } from './validity.ts';

/** Registrations a device may make an hour: enough to correct a mistake, too few to flood a sponsor. */
export const REGISTRATIONS_PER_HOUR = 3;
/** A request nobody decided within this lapses: the sponsor has gone home, the visitor asks again. */
export const PENDING_SECONDS = 4 * 3600;
/** What a sponsor code at reception gives: the rest of the day on the one device and one more. */
export const CODE_APPROVAL: Approval = { validity: { until: 'end-of-day' }, maxDevices: 2 };

export { ForbiddenError };

export interface Sponsor {
  id: number;
  name: string;
}

export interface RegistrationDeps {
  requests: VisitorRequestRepository;
  vouchers: VoucherRepository;
  service: Pick<VoucherService, 'issue' | 'authorise' | 'revoke'>;
  accounts: { list(): AccountRow[]; byId(id: number): AccountRow | undefined; byUsername(username: string): AccountRow | undefined };
  audit: { append(entry: AuditAppend): unknown };
  transaction: <T>(fn: () => T) => T;
  key: Buffer;
  deviceAt: (address: string) => GuestDevice | undefined;
  now: () => Date;
  timezone: () => string;
  /** Tells the sponsor of a new request at once (an e-mail when they have one and delivery is set up). */
  notify?: (sponsor: AccountRow, request: VisitorRequest) => void;
  limits?: AttemptLimits;
  /** The school's terms (site.terms): a regular visitor's access runs to the end of one. */
  terms?: () => readonly SchoolTerm[];
  /** VoucherService.extend, for renewing a regular visitor. */
  extend?: VoucherService['extend'];
}

export type RegisterResult =
  | { outcome: 'pending'; request: VisitorRequest }
  | { outcome: 'no-lease' }
  | { outcome: 'unknown-sponsor' }
  | { outcome: 'too-many' };

export type CodeResult =
  | { outcome: 'approved'; request: VisitorRequest; until: string }
  | { outcome: 'wrong' }
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'no-request' };

const isSponsor = (a: AccountRow) => !a.disabled && !a.breakGlass && permissionsOf(a.roles).has('visitors.sponsor');
const actor = (a: AccountRow) => `account:${a.username}`;

export class RegistrationService {
  readonly #d: RegistrationDeps;
  readonly #limits: AttemptLimits;

  constructor(deps: RegistrationDeps) {
    this.#d = deps;
    this.#limits = deps.limits ?? DEFAULT_LIMITS;
  }

  /** Regular visitors: named, longer-lived access that a sponsor sets up and renews. */
  get regular(): RegularVisitors {
    const extend = this.#d.extend;
    if (!extend) throw new Error('regular visitors need VoucherService.extend');
    return new RegularVisitors({
      vouchers: this.#d.vouchers, service: { issue: this.#d.service.issue.bind(this.#d.service), revoke: this.#d.service.revoke.bind(this.#d.service), extend },
      audit: this.#d.audit, now: this.#d.now, timezone: this.#d.timezone, terms: this.#d.terms ?? (() => []),
    });
  }

  /** Staff a visitor may name: names only (never an e-mail), in alphabetical order. */
  sponsors(): Sponsor[] {
    return this.#d.accounts.list().filter(isSponsor).map((a) => ({ id: a.id, name: a.displayName }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
  }

  register(address: string, form: Registration): RegisterResult {
    const now = this.#d.now();
    const device = this.#d.deviceAt(address);
    if (!device) return { outcome: 'no-lease' };
    const sponsor = this.#d.accounts.byId(form.sponsorId);
    if (!sponsor || !isSponsor(sponsor)) return { outcome: 'unknown-sponsor' };
    this.sweep();
    if (this.#d.requests.countFrom(device.mac, address, new Date(now.getTime() - 3_600_000)) >= REGISTRATIONS_PER_HOUR) return { outcome: 'too-many' };
    const request = this.#d.transaction(() => {
      // A new registration from the device replaces the one still waiting: the sponsor sees one.
      const previous = this.#d.requests.latestFor(device.mac);
      if (previous?.state === 'pending') this.#d.requests.decide(previous.id, { state: 'lapsed', at: now, by: 'portal', reason: 'registered again' });
      const visitor = this.#d.vouchers.createVisitor({
        name: form.name.trim(), organisation: form.organisation.trim(), purpose: form.purpose.trim(), email: form.email, phone: form.phone,
        sponsorAccount: sponsor.username, sponsorName: sponsor.displayName, termsVersion: form.termsVersion, termsAcceptedAt: now, created: now,
      });
      return this.#d.requests.insert({ visitorId: visitor.id, mac: device.mac, address, networkId: device.networkId, created: now });
    });
    this.#d.notify?.(sponsor, request);
    return { outcome: 'pending', request };
  }

  /** The latest request of the device at `address` (the waiting page), if it has one. */
  requestAt(address: string): VisitorRequest | undefined {
    const device = this.#d.deviceAt(address);
    if (!device) return undefined;
    this.sweep();
    const request = this.#d.requests.latestFor(device.mac);
    return request && request.address === address ? request : undefined;
  }

  /** The requests `account` may see: those naming them, or every open one with visitors.manage. */
  queue(account: AccountRow, options: { all?: boolean } = {}): VisitorRequest[] {
    this.sweep();
    const manage = permissionsOf(account.roles).has('visitors.manage');
    if (options.all && !manage) throw new ForbiddenError('only visitors.manage sees every visitor');
    if (options.all) return this.#d.requests.list();
    // visitors.manage sees everyone waiting and everyone on now (to withdraw); a sponsor, their own.
    if (manage) return this.#d.requests.list().filter((r) => r.state === 'pending' || r.state === 'approved');
    return this.#d.requests.list({ sponsorAccount: account.username });
  }

  /** What the navigation's count shows: pending requests naming the account (all of them for visitors.manage). */
  pendingCount(account: AccountRow): number {
    this.sweep();
    return permissionsOf(account.roles).has('visitors.manage') ? this.#d.requests.pendingCount() : this.#d.requests.pendingCount(account.username);
  }

  /** Every visitor's record with its voucher (visitors.manage: the records page). */
  records(): VisitorRecord[] {
    const now = this.#d.now();
    return this.#d.requests.list().map((request) => ({ request, voucher: request.voucherId === null ? null : this.#d.vouchers.get(request.voucherId, now) ?? null }));
  }

  async approve(by: AccountRow, id: number, approval: Approval): Promise<{ request: VisitorRequest; voucher: Voucher; signedIn: RedeemResult }> {
    const request = this.#mayDecide(by, id);
    const now = this.#d.now();
    const validSeconds = validitySeconds(approval.validity, now, this.#d.timezone());
    let decided: VisitorRequest | undefined;
    const { voucher } = this.#d.service.issue({
      kind: 'single', label: request.visitor.name.slice(0, 120), visitorId: request.visitor.id, validSeconds, maxDevices: approval.maxDevices,
    }, actor(by), (v) => {
      decided = this.#d.requests.decide(id, { state: 'approved', at: now, by: actor(by), reason: null, voucherId: v.id });
      this.#d.audit.append({ actor: actor(by), action: 'visitors.approve', subject: `visitor-request:${id}`,
        details: { visitor: request.visitor.name, organisation: request.visitor.organisation, sponsor: request.visitor.sponsorName, voucherId: v.id, validUntil: v.validUntil, maxDevices: v.maxDevices } });
    });
    // The device that asked goes online now. The code is never shown to anyone: another device
    // of the visitor registers on its own.
    const signedIn = await this.#d.service.authorise(voucher.id, request.address, request.mac, request.visitor.termsVersion);
    return { request: decided!, voucher, signedIn };
  }

  decline(by: AccountRow, id: number, reason: string): VisitorRequest {
    this.#mayDecide(by, id);
    return this.#d.transaction(() => {
      const decided = this.#d.requests.decide(id, { state: 'declined', at: this.#d.now(), by: actor(by), reason });
      this.#d.audit.append({ actor: actor(by), action: 'visitors.decline', subject: `visitor-request:${id}`, details: { visitor: decided.visitor.name, reason } });
      return decided;
    });
  }

  /** Ends an approved visitor's access at once: the voucher is revoked, every device off. */
  async withdraw(by: AccountRow, id: number, reason: string): Promise<VisitorRequest> {
    const request = this.#mayAct(by, id);
    if (request.state !== 'approved' || request.voucherId === null) throw new InvalidInputError(`visitor request ${id} is ${request.state}: only an approved visitor's access can be withdrawn`);
    let decided: VisitorRequest | undefined;
    await this.#d.service.revoke(request.voucherId, actor(by), reason, (v, ended) => {
      decided = this.#d.requests.decide(id, { state: 'withdrawn', at: this.#d.now(), by: actor(by), reason });
      this.#d.audit.append({ actor: actor(by), action: 'visitors.withdraw', subject: `visitor-request:${id}`,
        details: { visitor: request.visitor.name, voucherId: v.id, reason, devicesEnded: ended.length } });
    });
    return decided!;
  }

  /** Sets `account`'s personal sponsor code (6 to 12 digits), kept only as its keyed hash. */
  setSponsorCode(account: AccountRow, code: string): { setAt: string } {
    if (!isSponsor(account)) throw new ForbiddenError('only an account that may sponsor visitors has a sponsor code');
    if (!/^[0-9]{6,12}$/.test(code)) throw new InvalidInputError('a sponsor code is 6 to 12 digits');
    if (/^(\d)\1+$/.test(code) || '01234567890123'.includes(code) || '98765432109876'.includes(code)) throw new InvalidInputError('choose a code that is not one digit repeated or a run like 123456');
    const now = this.#d.now();
    this.#d.transaction(() => {
      this.#d.requests.setSponsorCode(account.id, hashCode(this.#d.key, `sponsor:${account.id}:${code}`), now);
      this.#d.audit.append({ actor: actor(account), action: 'visitors.sponsor-code', subject: `account:${account.username}` });
    });
    return { setAt: now.toISOString() };
  }

  sponsorCodeSetAt(account: AccountRow): string | null {
    return this.#d.requests.sponsorCodeSetAt(account.id);
  }

  /**
   * At reception: the sponsor types their code on the visitor's device, which approves that
   * device's waiting request as them. Wrong codes count against the device under the vouchers'
   * brute-force limits (the same memory, so a device cannot try both kinds twice as often).
   */
  async approveWithCode(address: string, typed: string): Promise<CodeResult> {
    const now = this.#d.now();
    const device = this.#d.deviceAt(address);
    const mac = device?.mac ?? null;
    const failures = () => ({
      device: this.#d.vouchers.failuresOf(mac, address, new Date(now.getTime() - this.#limits.deviceWindowSeconds * 1000)),
      global: this.#d.vouchers.allFailures(new Date(now.getTime() - this.#limits.globalWindowSeconds * 1000)),
    });
    const verdict = attemptVerdict(failures(), this.#limits);
    if (!verdict.allowed) return { outcome: 'locked', retryAfterSeconds: verdict.retryAfterSeconds };
    const request = this.requestAt(address);
    if (!request || request.state !== 'pending') return { outcome: 'no-request' };
    const sponsor = request.visitor.sponsorAccount ? this.#d.accounts.byUsername(request.visitor.sponsorAccount) : undefined;
    const stored = sponsor && isSponsor(sponsor) ? this.#d.requests.sponsorCodeHash(sponsor.id) : undefined;
    const clean = typed.replace(/\s+/g, '').slice(0, 32);
    // The hash is computed whether or not the sponsor has a code: the time says nothing of which.
    const given = Buffer.from(hashCode(this.#d.key, `sponsor:${sponsor?.id ?? 0}:${clean}`), 'hex');
    const ok = stored !== undefined && timingSafeEqual(given, Buffer.from(stored, 'hex'));
    this.#d.vouchers.recordAttempt(now, mac, address, ok);
    if (!ok || !sponsor) return { outcome: 'wrong' };
    const approved = await this.approve(sponsor, request.id, CODE_APPROVAL);
    return { outcome: 'approved', request: approved.request, until: approved.voucher.validUntil };
  }

  /** Pending requests past their time lapse. */
  sweep(): void {
    const now = this.#d.now();
    this.#d.requests.lapseBefore(new Date(now.getTime() - PENDING_SECONDS * 1000), now);
  }

  #mayAct(by: AccountRow, id: number): VisitorRequest {
    const request = this.#d.requests.get(id);
    if (!request) throw new NotFoundError(`there is no visitor request ${id}`);
    const manage = permissionsOf(by.roles).has('visitors.manage');
    if (!manage && request.visitor.sponsorAccount !== by.username) throw new ForbiddenError('this visitor named another sponsor');
    return request;
  }

  #mayDecide(by: AccountRow, id: number): VisitorRequest {
    const request = this.#mayAct(by, id);
    if (request.state !== 'pending') throw new InvalidInputError(`visitor request ${id} is ${request.state}, not waiting for a decision`);
    return request;
  }
}
