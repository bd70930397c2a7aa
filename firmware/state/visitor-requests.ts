// Visitors' registration requests and the sponsors' codes in state.db. Storage only: the rules
// (who may decide, limits, what approval does) are in firmware/portal/registration/.
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import type { RequestState, VisitorRequest } from '../portal/registration/schema.ts';
import { InvalidInputError, isoInstant, NotFoundError } from './values.ts';
import type { VoucherRepository } from './vouchers.ts';

type Row = Record<string, SQLOutputValue>;
const str = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

export interface NewRequest {
  visitorId: number;
  mac: string;
  address: string;
  networkId: string | null;
  created: Date;
}

export interface Decision {
  state: Exclude<RequestState, 'pending'>;
  at: Date;
  by: string;
  reason: string | null;
  voucherId?: number | null;
}

export class VisitorRequestRepository {
  readonly #db: DatabaseSync;
  readonly #vouchers: VoucherRepository;

  constructor(db: DatabaseSync, vouchers: VoucherRepository) {
    this.#db = db;
    this.#vouchers = vouchers;
  }

  insert(r: NewRequest): VisitorRequest {
    const row = this.#db.prepare(`INSERT INTO visitor_requests (visitor_id, mac, address, network_id, created, state)
      VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id`).get(r.visitorId, r.mac, r.address, r.networkId, isoInstant(r.created, 'created'));
    return this.get(Number(row?.id))!;
  }

  get(id: number): VisitorRequest | undefined {
    const row = this.#db.prepare('SELECT * FROM visitor_requests WHERE id = ?').get(id);
    return row ? this.#toRequest(row) : undefined;
  }

  /** The device's latest request (pending, or the last decided). */
  latestFor(mac: string): VisitorRequest | undefined {
    const row = this.#db.prepare('SELECT * FROM visitor_requests WHERE mac = ? ORDER BY created DESC, id DESC LIMIT 1').get(mac);
    return row ? this.#toRequest(row) : undefined;
  }

  /** Registrations from a device (MAC or address) since `since`: the flood limit counts these. */
  countFrom(mac: string, address: string, since: Date): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM visitor_requests WHERE created >= ? AND (mac = ? OR address = ?)').get(since.toISOString(), mac, address)?.n ?? 0);
  }

  pendingCount(sponsorAccount?: string): number {
    const row = sponsorAccount === undefined
      ? this.#db.prepare("SELECT count(*) AS n FROM visitor_requests WHERE state = 'pending'").get()
      : this.#db.prepare("SELECT count(*) AS n FROM visitor_requests r JOIN visitors v ON v.id = r.visitor_id WHERE r.state = 'pending' AND v.sponsor_account = ?").get(sponsorAccount);
    return Number(row?.n ?? 0);
  }

  /** Newest first; `sponsorAccount` limits to the requests naming that sponsor. */
  list(options: { sponsorAccount?: string; state?: RequestState; limit?: number } = {}): VisitorRequest[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.sponsorAccount !== undefined) { where.push('v.sponsor_account = ?'); args.push(options.sponsorAccount); }
    if (options.state !== undefined) { where.push('r.state = ?'); args.push(options.state); }
    args.push(options.limit ?? 500);
    const rows = this.#db.prepare(`SELECT r.* FROM visitor_requests r JOIN visitors v ON v.id = r.visitor_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created DESC, r.id DESC LIMIT ?`).all(...args);
    return rows.map((row) => this.#toRequest(row));
  }

  /** Records a decision on a request that is still pending (or, for a withdrawal, approved). */
  decide(id: number, d: Decision): VisitorRequest {
    const from = d.state === 'withdrawn' ? 'approved' : 'pending';
    const changed = this.#db.prepare(`UPDATE visitor_requests SET state = ?, decided_at = ?, decided_by = ?, reason = ?, voucher_id = coalesce(?, voucher_id)
      WHERE id = ? AND state = ?`).run(d.state, isoInstant(d.at, 'decided at'), d.by, d.reason, d.voucherId ?? null, id, from).changes;
    const now = this.get(id);
    if (!now) throw new NotFoundError(`there is no visitor request ${id}`);
    if (Number(changed) !== 1) throw new InvalidInputError(`visitor request ${id} is ${now.state}, not ${from}`);
    return now;
  }

  /** Pending requests older than `before` lapse: their visitor registers again. */
  lapseBefore(before: Date, at: Date): number {
    return Number(this.#db.prepare(`UPDATE visitor_requests SET state = 'lapsed', decided_at = ?, decided_by = 'portal', reason = 'no decision in time'
      WHERE state = 'pending' AND created < ?`).run(at.toISOString(), before.toISOString()).changes);
  }

  setSponsorCode(accountId: number, hash: string, at: Date): void {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new InvalidInputError('a sponsor code is stored by its hex keyed hash');
    this.#db.prepare(`INSERT INTO sponsor_codes (account_id, code_hash, set_at) VALUES (?, ?, ?)
      ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, set_at = excluded.set_at`).run(accountId, hash, at.toISOString());
  }

  sponsorCodeHash(accountId: number): string | undefined {
    return str(this.#db.prepare('SELECT code_hash FROM sponsor_codes WHERE account_id = ?').get(accountId)?.code_hash) ?? undefined;
  }

  sponsorCodeSetAt(accountId: number): string | null {
    return str(this.#db.prepare('SELECT set_at FROM sponsor_codes WHERE account_id = ?').get(accountId)?.set_at);
  }

  #toRequest(r: Row): VisitorRequest {
    const visitor = this.#vouchers.visitor(Number(r.visitor_id));
    if (!visitor) throw new Error(`visitor request ${String(r.id)} names no visitor`);
    return {
      id: Number(r.id), visitor, mac: String(r.mac), address: String(r.address), networkId: str(r.network_id), created: String(r.created),
      state: String(r.state) as RequestState, decidedAt: str(r.decided_at), decidedBy: str(r.decided_by), reason: str(r.reason),
      voucherId: r.voucher_id === null || r.voucher_id === undefined ? null : Number(r.voucher_id),
    };
  }
}
