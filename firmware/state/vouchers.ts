// Vouchers, the devices signed in with them, the visitors they name, and the code attempts the
// brute-force limits count, in state.db. Codes never reach this module: only their keyed hash.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { DeviceEnd, Visitor, Voucher, VoucherDevice, VoucherKind } from '../portal/vouchers/schema.ts';
import { InvalidInputError, isoInstant, NotFoundError } from './values.ts';

type Row = Record<string, SQLOutputValue>;

export interface VoucherInsert {
  codeHash: string;
  kind: VoucherKind;
  label: string | null;
  visitorId: number | null;
  validFrom: Date;
  validUntil: Date;
  maxDevices: number;
  downKbit: number | null;
  upKbit: number | null;
  policyId: string | null;
  issuedBy: string;
  issuedAt: Date;
}

export interface DeviceAuthorisation {
  voucherId: number;
  mac: string;
  address: string;
  networkId: string | null;
  until: Date;
  termsVersion: string | null;
  at: Date;
}

export interface NewVisitor {
  name: string;
  organisation?: string | null;
  purpose?: string | null;
  email?: string | null;
  phone?: string | null;
  sponsorAccount?: string | null;
  sponsorName?: string | null;
  termsVersion?: string | null;
  termsAcceptedAt?: Date | null;
  created: Date;
}

const VOUCHER_COLUMNS = `v.id, v.kind, v.label, v.visitor_id, v.valid_from, v.valid_until, v.max_devices, v.down_kbit, v.up_kbit,
  v.policy_id, v.issued_by, v.issued_at, v.revoked_at, v.revoked_by, v.revoke_reason`;
const DEVICE_COLUMNS = 'voucher_id, mac, address, network_id, first_seen, last_seen, authorised_until, terms_version, ended_at, ended_reason';

const str = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SQLOutputValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export class VoucherRepository {
  readonly #db: DatabaseSync;
  readonly #byHash: StatementSync;
  readonly #openCount: StatementSync;
  readonly #failures: StatementSync;
  readonly #attempt: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#byHash = db.prepare(`SELECT ${VOUCHER_COLUMNS}, 0 AS devices_now FROM vouchers v WHERE v.code_hash = ?`);
    this.#openCount = db.prepare('SELECT count(*) AS n FROM voucher_devices WHERE voucher_id = ? AND ended_at IS NULL AND authorised_until > ? AND mac <> ?');
    this.#failures = db.prepare('SELECT count(*) AS n FROM code_attempts WHERE ok = 0 AND at >= ? AND (mac = ? OR address = ?)');
    this.#attempt = db.prepare('INSERT INTO code_attempts (at, mac, address, ok) VALUES (?, ?, ?, ?)');
  }

  insert(v: VoucherInsert): Voucher {
    if (!/^[0-9a-f]{64}$/.test(v.codeHash)) throw new InvalidInputError('a voucher is stored by the hex SHA-256 HMAC of its code');
    if (v.validUntil.getTime() <= v.validFrom.getTime()) throw new InvalidInputError('a voucher must end after it starts');
    const row = this.#db.prepare(`INSERT INTO vouchers (code_hash, kind, label, visitor_id, valid_from, valid_until, max_devices, down_kbit, up_kbit, policy_id, issued_by, issued_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(
      v.codeHash, v.kind, v.label, v.visitorId, isoInstant(v.validFrom, 'valid from'), isoInstant(v.validUntil, 'valid until'),
      v.maxDevices, v.downKbit, v.upKbit, v.policyId, v.issuedBy, isoInstant(v.issuedAt, 'issued at'));
    return this.get(Number(row?.id), v.issuedAt)!;
  }

  /** The voucher a code's hash names, revoked or expired alike (the caller decides, in constant work). */
  byHash(hash: string): Voucher | undefined {
    const row = this.#byHash.get(hash);
    return row ? toVoucher(row) : undefined;
  }

  get(id: number, now: Date): Voucher | undefined {
    const row = this.#db.prepare(`SELECT ${VOUCHER_COLUMNS}, (SELECT count(*) FROM voucher_devices d WHERE d.voucher_id = v.id AND d.ended_at IS NULL AND d.authorised_until > ?) AS devices_now
      FROM vouchers v WHERE v.id = ?`).get(now.toISOString(), id);
    return row ? toVoucher(row) : undefined;
  }

  /** Newest first; `current` only: not revoked and not yet ended at `now`. */
  list(now: Date, options: { current?: boolean } = {}): Voucher[] {
    const at = now.toISOString();
    const where = options.current ? 'WHERE v.revoked_at IS NULL AND v.valid_until > ?' : '';
    return this.#db.prepare(`SELECT ${VOUCHER_COLUMNS}, (SELECT count(*) FROM voucher_devices d WHERE d.voucher_id = v.id AND d.ended_at IS NULL AND d.authorised_until > ?) AS devices_now
      FROM vouchers v ${where} ORDER BY v.id DESC`).all(...(options.current ? [at, at] : [at])).map(toVoucher);
  }

  revoke(id: number, at: Date, by: string, reason: string): Voucher {
    const existing = this.get(id, at);
    if (!existing) throw new NotFoundError(`there is no voucher ${id}`);
    if (existing.revokedAt !== null) throw new InvalidInputError(`voucher ${id} was already revoked at ${existing.revokedAt} by ${existing.revokedBy ?? '?'}`);
    this.#db.prepare('UPDATE vouchers SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?').run(isoInstant(at, 'revoked at'), by, reason, id);
    return this.get(id, at)!;
  }

  /** Devices signed in with the voucher now, other than `exceptMac` (the one asking again). */
  devicesNow(voucherId: number, now: Date, exceptMac = ''): number {
    return Number(this.#openCount.get(voucherId, now.toISOString(), exceptMac)?.n);
  }

  /** Signs a device in (or again, with its new address and time), first seen kept. */
  authorise(a: DeviceAuthorisation): VoucherDevice {
    const at = isoInstant(a.at, 'signed in at');
    this.#db.prepare(`INSERT INTO voucher_devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
      ON CONFLICT (voucher_id, mac) DO UPDATE SET address = excluded.address, network_id = excluded.network_id, last_seen = excluded.last_seen,
        authorised_until = excluded.authorised_until, terms_version = excluded.terms_version, ended_at = NULL, ended_reason = NULL`)
      .run(a.voucherId, a.mac, a.address, a.networkId, at, at, isoInstant(a.until, 'authorised until'), a.termsVersion);
    return toDevice(this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM voucher_devices WHERE voucher_id = ? AND mac = ?`).get(a.voucherId, a.mac)!);
  }

  /** The device's authorisation in force at `now`, with its voucher, if it has one. */
  activeFor(mac: string, now: Date): { device: VoucherDevice; voucher: Voucher } | undefined {
    const row = this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM voucher_devices WHERE mac = ? AND ended_at IS NULL AND authorised_until > ? ORDER BY authorised_until DESC LIMIT 1`)
      .get(mac, now.toISOString());
    if (!row) return undefined;
    const device = toDevice(row);
    return { device, voucher: this.get(device.voucherId, now)! };
  }

  /** Every authorisation in force at `now` (the daemon's start loads them into the set). */
  allActive(now: Date): VoucherDevice[] {
    return this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM voucher_devices WHERE ended_at IS NULL AND authorised_until > ? ORDER BY voucher_id, mac`)
      .all(now.toISOString()).map(toDevice);
  }

  /** The authorisations in force at `now` whose voucher names a policy: DNS answers those devices under it. */
  activePolicies(now: Date): { device: VoucherDevice; policyId: string }[] {
    return this.#db.prepare(`SELECT ${DEVICE_COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')}, v.policy_id AS voucher_policy FROM voucher_devices d JOIN vouchers v ON v.id = d.voucher_id
      WHERE d.ended_at IS NULL AND d.authorised_until > ? AND v.revoked_at IS NULL AND v.policy_id IS NOT NULL ORDER BY d.voucher_id, d.mac`)
      .all(now.toISOString()).map((row) => ({ device: toDevice(row), policyId: String(row.voucher_policy) }));
  }

  devicesOf(voucherId: number): VoucherDevice[] {
    return this.#db.prepare(`SELECT ${DEVICE_COLUMNS} FROM voucher_devices WHERE voucher_id = ? ORDER BY first_seen`).all(voucherId).map(toDevice);
  }

  /** Ends the authorisations of a voucher (one MAC, or all) still open; returns those it ended. */
  end(voucherId: number, at: Date, reason: DeviceEnd, mac?: string): VoucherDevice[] {
    const rows = this.#db.prepare(`UPDATE voucher_devices SET ended_at = ?, ended_reason = ? WHERE voucher_id = ? AND ended_at IS NULL ${mac ? 'AND mac = ?' : ''}
      RETURNING ${DEVICE_COLUMNS}`).all(isoInstant(at, 'ended at'), reason, voucherId, ...(mac ? [mac] : []));
    return rows.map(toDevice);
  }

  /** Marks the authorisations whose time ran out (the kernel already let them lapse); returns those it marked. */
  markExpired(now: Date): VoucherDevice[] {
    const at = now.toISOString();
    return this.#db.prepare(`UPDATE voucher_devices SET ended_at = authorised_until, ended_reason = 'expired' WHERE ended_at IS NULL AND authorised_until <= ?
      RETURNING ${DEVICE_COLUMNS}`).all(at).map(toDevice);
  }

  recordAttempt(at: Date, mac: string | null, address: string, ok: boolean): void {
    this.#attempt.run(isoInstant(at, 'attempt time'), mac, address, ok ? 1 : 0);
  }

  /** Failed attempts since `since` from this MAC or this address. */
  failuresOf(mac: string | null, address: string, since: Date): number {
    return Number(this.#failures.get(since.toISOString(), mac ?? '', address)?.n);
  }

  /** Failed attempts since `since` from anyone. */
  allFailures(since: Date): number {
    return Number(this.#db.prepare('SELECT count(*) AS n FROM code_attempts WHERE ok = 0 AND at >= ?').get(since.toISOString())?.n);
  }

  pruneAttempts(before: Date): number {
    return Number(this.#db.prepare('DELETE FROM code_attempts WHERE at < ?').run(before.toISOString()).changes);
  }

  createVisitor(v: NewVisitor): Visitor {
    if (v.name.trim() === '' || v.name.length > 120) throw new InvalidInputError('a visitor needs a name of 1 to 120 characters');
    const row = this.#db.prepare(`INSERT INTO visitors (name, organisation, purpose, email, phone, sponsor_account, sponsor_name, terms_version, terms_accepted_at, created)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`).get(v.name, v.organisation ?? null, v.purpose ?? null, v.email ?? null, v.phone ?? null,
      v.sponsorAccount ?? null, v.sponsorName ?? null, v.termsVersion ?? null, v.termsAcceptedAt ? isoInstant(v.termsAcceptedAt, 'terms accepted at') : null,
      isoInstant(v.created, 'created'))!;
    return toVisitor(row);
  }

  visitor(id: number): Visitor | undefined {
    const row = this.#db.prepare('SELECT * FROM visitors WHERE id = ?').get(id);
    return row ? toVisitor(row) : undefined;
  }

  /**
   * Retention: vouchers that ended (ran out or were revoked) before `before`, with their devices,
   * and the visitors no remaining voucher names whose record is older than that.
   */
  purgeBefore(before: Date): { vouchers: number; visitors: number } {
    const cut = before.toISOString();
    const ended = 'SELECT id FROM vouchers WHERE valid_until < ?1 OR (revoked_at IS NOT NULL AND revoked_at < ?1)';
    // A registration request goes with its voucher, or, never approved, once it is as old.
    this.#db.prepare(`DELETE FROM visitor_requests WHERE voucher_id IN (${ended}) OR (voucher_id IS NULL AND created < ?1)`).run(cut);
    this.#db.prepare(`DELETE FROM voucher_devices WHERE voucher_id IN (${ended})`).run(cut);
    const vouchers = Number(this.#db.prepare(`DELETE FROM vouchers WHERE id IN (${ended})`).run(cut).changes);
    const visitors = Number(this.#db.prepare('DELETE FROM visitors WHERE created < ? AND id NOT IN (SELECT visitor_id FROM vouchers WHERE visitor_id IS NOT NULL)').run(cut).changes);
    return { vouchers, visitors };
  }
}

function toVoucher(r: Row): Voucher {
  return {
    id: Number(r.id), kind: String(r.kind) as VoucherKind, label: str(r.label), visitorId: num(r.visitor_id),
    validFrom: String(r.valid_from), validUntil: String(r.valid_until), maxDevices: Number(r.max_devices),
    tier: { downKbit: num(r.down_kbit), upKbit: num(r.up_kbit) }, policyId: str(r.policy_id),
    issuedBy: String(r.issued_by), issuedAt: String(r.issued_at),
    revokedAt: str(r.revoked_at), revokedBy: str(r.revoked_by), revokeReason: str(r.revoke_reason),
    devicesNow: Number(r.devices_now),
  };
}

function toDevice(r: Row): VoucherDevice {
  return {
    voucherId: Number(r.voucher_id), mac: String(r.mac), address: String(r.address), networkId: str(r.network_id),
    firstSeen: String(r.first_seen), lastSeen: String(r.last_seen), authorisedUntil: String(r.authorised_until),
    termsVersion: str(r.terms_version), endedAt: str(r.ended_at), endedReason: str(r.ended_reason) as DeviceEnd | null,
  };
}

function toVisitor(r: Row): Visitor {
  return {
    id: Number(r.id), name: String(r.name), organisation: str(r.organisation), purpose: str(r.purpose), email: str(r.email), phone: str(r.phone),
    sponsorAccount: str(r.sponsor_account), sponsorName: str(r.sponsor_name), termsVersion: str(r.terms_version),
    termsAcceptedAt: str(r.terms_accepted_at), created: String(r.created),
  };
}
