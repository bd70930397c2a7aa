// Regular visitors: named, longer-lived access (a supply teacher for the term, a governor, a
// visiting specialist) that a sponsor sets up in the web UI, renews before or after it lapses,
// and that the sponsor or the DSL withdraws at once. The visitor gets a code of kind 'regular',
// shown once to the sponsor: renewal extends that same voucher, so the code they carry keeps
// working and devices still signed in keep going without signing in again.
//
// Who may act: the sponsor the visitor record names, or an account with visitors.manage. Every
// change is audited under the account, in the transaction that records it.
import { permissionsOf } from '../../admin/roles.ts';
import type { AuditAppend } from '../../control/audit.ts';
import type { AccountRow } from '../../state/accounts.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import type { VoucherRepository } from '../../state/vouchers.ts';
import { MAX_VALID_SECONDS } from '../vouchers/schema.ts';
import type { VoucherService } from '../vouchers/service.ts';
import type { RegularIssued, RegularUntil, RegularVisitor, RegularVisitorForm } from './schema.ts';
import { ForbiddenError } from './errors.ts';
import { regularUntil, type SchoolTerm } from './validity.ts';

export interface RegularVisitorDeps {
  vouchers: VoucherRepository;
  service: Pick<VoucherService, 'issue' | 'revoke' | 'extend'>;
  audit: { append(entry: AuditAppend): unknown };
  now: () => Date;
  timezone: () => string;
  terms: () => readonly SchoolTerm[];
}

const actor = (a: AccountRow) => `account:${a.username}`;
const manages = (a: AccountRow) => permissionsOf(a.roles).has('visitors.manage');

export class RegularVisitors {
  readonly #d: RegularVisitorDeps;

  constructor(deps: RegularVisitorDeps) {
    this.#d = deps;
  }

  /** Every regular visitor for visitors.manage (with their sponsor); a sponsor's own otherwise. */
  list(by: AccountRow): RegularVisitor[] {
    return this.#d.vouchers.regular(this.#d.now(), manages(by) ? {} : { sponsorAccount: by.username });
  }

  issue(by: AccountRow, form: RegularVisitorForm): RegularIssued {
    const now = this.#d.now();
    const { until, term } = this.#until(form.until, now);
    const visitor = { name: form.name.trim(), organisation: form.organisation.trim(), purpose: form.purpose.trim(), sponsorAccount: by.username, sponsorName: by.displayName };
    const { voucher, code } = this.#d.service.issue({
      kind: 'regular', validSeconds: Math.floor((until.getTime() - now.getTime()) / 1000), maxDevices: form.maxDevices, visitor,
    }, actor(by), (v) => {
      this.#d.audit.append({ actor: actor(by), action: 'visitors.regular', subject: `voucher ${v.id}`,
        details: { visitor: visitor.name, organisation: visitor.organisation, purpose: visitor.purpose, validUntil: v.validUntil, term, maxDevices: v.maxDevices } });
    });
    return { visitor: this.#d.vouchers.visitor(voucher.visitorId!)!, voucher, code, term };
  }

  /** A new end for the visitor's access, before or after it lapsed; a withdrawn one stays withdrawn. */
  async renew(by: AccountRow, voucherId: number, choice: RegularUntil): Promise<RegularVisitor> {
    const current = this.#mayAct(by, voucherId);
    const { until, term } = this.#until(choice, this.#d.now());
    const { voucher } = await this.#d.service.extend(voucherId, until, (v) => {
      this.#d.audit.append({ actor: actor(by), action: 'visitors.renew', subject: `voucher ${v.id}`,
        details: { visitor: current.visitor.name, from: current.voucher.validUntil, validUntil: v.validUntil, term } });
    });
    return { visitor: current.visitor, voucher };
  }

  /** Ends the visitor's access at once: the voucher is revoked, every device off in one change of the set. */
  async withdraw(by: AccountRow, voucherId: number, reason: string): Promise<RegularVisitor> {
    const current = this.#mayAct(by, voucherId);
    const { voucher } = await this.#d.service.revoke(voucherId, actor(by), reason, (v, ended) => {
      this.#d.audit.append({ actor: actor(by), action: 'visitors.withdraw', subject: `voucher ${v.id}`,
        details: { visitor: current.visitor.name, regular: true, reason, devicesEnded: ended.length } });
    });
    return { visitor: current.visitor, voucher };
  }

  #until(choice: RegularUntil, now: Date): { until: Date; term: string | null } {
    const result = regularUntil(choice, now, this.#d.timezone(), this.#d.terms());
    if (!result.ok) throw new InvalidInputError(result.error);
    if (result.until.getTime() - now.getTime() > MAX_VALID_SECONDS * 1000) throw new InvalidInputError('a regular visitor\'s access lasts at most a year: renew it later instead');
    if (result.until.getTime() - now.getTime() < 60_000) throw new InvalidInputError('that ends too soon: choose a later date');
    return { until: result.until, term: result.term };
  }

  #mayAct(by: AccountRow, voucherId: number): RegularVisitor {
    const found = this.#d.vouchers.regular(this.#d.now()).find((r) => r.voucher.id === voucherId);
    if (!found) throw new NotFoundError(`there is no regular visitor with voucher ${voucherId}`);
    if (!manages(by) && found.visitor.sponsorAccount !== by.username) throw new ForbiddenError('this visitor has another sponsor');
    return found;
  }
}
