// Vouchers, the devices signed in with them, the visitors they name, and the code attempts the
// brute-force limits count, in state.db. Codes never reach this module: only their keyed hash.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { GuestSession } from '../portal/vouchers/guest-identity.ts';
import type { DeviceEnd, Visitor, Voucher, VoucherDevice, VoucherGroup, VoucherKind } from '../portal/vouchers/schema.ts';
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
  groupId?: number | null;
}

export interface GroupInsert {
  name: string;
  issuedBy: string;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  maxDevices: number;
  count: number;
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
  v.policy_id, v.issued_by, v.issued_at, v.revoked_at, v.revoked_by, v.revoke_reason, v.group_id`;
const GROUP_COLUMNS = `g.id, g.name, g.issued_by, g.issued_at, g.valid_from, g.valid_until, g.max_devices, g.count, g.revoked_at, g.revoked_by, g.revoke_reason,
  (SELECT count(*) FROM voucher_devices d JOIN vouchers v ON v.id = d.voucher_id WHERE v.group_id = g.id AND d.ended_at IS NULL AND d.authorised_until > ?) AS devices_now`;
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
    const row = this.#db.prepare(`INSERT INTO vouchers (code_hash, kind, label, visitor_id, valid_from, valid_until, max_devices, down_kbit, up_kbit, policy_id, issued_by, issued_at, group_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(
      v.codeHash, v.kind, v.label, v.visitorId, isoInstant(v.validFrom, 'valid from'), isoInstant(v.validUntil, 'valid until'),
      v.maxDevices, v.downKbit, v.upKbit, v.policyId, v.issuedBy, isoInstant(v.issuedAt, 'issued at'), v.groupId ?? null);
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

  /** Regular visitors' vouchers with their visitor, newest first; `sponsorAccount` limits to one sponsor's. */
  regular(now: Date, options: { sponsorAccount?: string } = {}): { voucher: Voucher; visitor: Visitor }[] {
    const at = now.toISOString();
    const where = options.sponsorAccount === undefined ? '' : 'AND p.sponsor_account = ?';
    const rows = this.#db.prepare(`SELECT ${VOUCHER_COLUMNS}, (SELECT count(*) FROM voucher_devices d WHERE d.voucher_id = v.id AND d.ended_at IS NULL AND d.authorised_until > ?) AS devices_now
      FROM vouchers v JOIN visitors p ON p.id = v.visitor_id WHERE v.kind = 'regular' ${where} ORDER BY v.id DESC LIMIT 500`)
      .all(at, ...(options.sponsorAccount === undefined ? [] : [options.sponsorAccount]));
    return rows.map((row) => ({ voucher: toVoucher(row), visitor: this.visitor(Number(row.visitor_id))! }));
  }

  revoke(id: number, at: Date, by: string, reason: string): Voucher {
    const existing = this.get(id, at);
    if (!existing) throw new NotFoundError(`there is no voucher ${id}`);
    if (existing.revokedAt !== null) throw new InvalidInputError(`voucher ${id} was already revoked at ${existing.revokedAt} by ${existing.revokedBy ?? '?'}`);
    this.#db.prepare('UPDATE vouchers SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?').run(isoInstant(at, 'revoked at'), by, reason, id);
    return this.get(id, at)!;
  }

  /**
   * A renewal: the voucher ends at `until` instead, and its devices still signed in keep their
   * access that long. Returns those devices (their elements need the new timeout).
   */
  extend(id: number, until: Date, now: Date): VoucherDevice[] {
    const existing = this.get(id, now);
    if (!existing) throw new NotFoundError(`there is no voucher ${id}`);
    if (existing.revokedAt !== null) throw new InvalidInputError(`voucher ${id} was revoked at ${existing.revokedAt}: issue a new one`);
    if (until.getTime() <= now.getTime() || until.getTime() <= Date.parse(existing.validFrom)) throw new InvalidInputError('a renewal must end later than now');
    const end = isoInstant(until, 'valid until');
    this.#db.prepare('UPDATE vouchers SET valid_until = ? WHERE id = ?').run(end, id);
    return this.#db.prepare(`UPDATE voucher_devices SET authorised_until = ? WHERE voucher_id = ? AND ended_at IS NULL AND authorised_until > ?
      RETURNING ${DEVICE_COLUMNS}`).all(end, id, now.toISOString()).map(toDevice);
  }

  insertGroup(g: GroupInsert): VoucherGroup {
    const row = this.#db.prepare(`INSERT INTO voucher_groups (name, issued_by, issued_at, valid_from, valid_until, max_devices, count)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(g.name, g.issuedBy, isoInstant(g.issuedAt, 'issued at'), isoInstant(g.validFrom, 'valid from'),
      isoInstant(g.validUntil, 'valid until'), g.maxDevices, g.count);
    return this.group(Number(row?.id), g.issuedAt)!;
  }

  group(id: number, now: Date): VoucherGroup | undefined {
    const row = this.#db.prepare(`SELECT ${GROUP_COLUMNS} FROM voucher_groups g WHERE g.id = ?`).get(now.toISOString(), id);
    return row ? toGroup(row) : undefined;
  }

  /** Newest first; `issuedBy` limits to one sponsor's groups. */
  groups(now: Date, options: { issuedBy?: string } = {}): VoucherGroup[] {
    const where = options.issuedBy === undefined ? '' : 'WHERE g.issued_by = ?';
    return this.#db.prepare(`SELECT ${GROUP_COLUMNS} FROM voucher_groups g ${where} ORDER BY g.id DESC LIMIT 500`)
      .all(now.toISOString(), ...(options.issuedBy === undefined ? [] : [options.issuedBy])).map(toGroup);
  }

  /** Marks the group revoked (its vouchers are revoked by the caller, in the same transaction). */
  revokeGroup(id: number, at: Date, by: string, reason: string): number[] {
    const existing = this.group(id, at);
    if (!existing) throw new NotFoundError(`there is no voucher group ${id}`);
    if (existing.revokedAt !== null) throw new InvalidInputError(`voucher group ${id} was already revoked at ${existing.revokedAt} by ${existing.revokedBy ?? '?'}`);
    this.#db.prepare('UPDATE voucher_groups SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ?').run(isoInstant(at, 'revoked at'), by, reason, id);
    return this.#db.prepare('SELECT id FROM vouchers WHERE group_id = ? AND revoked_at IS NULL ORDER BY id').all(id).map((r) => Number(r.id));
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

  /**
   * Every time the device was signed in, with the visitor and sponsor of its voucher, oldest first:
   * what names a guest device in its records. A scan of voucher_devices (its key leads with the
   * voucher): a school's guests over the retention period are thousands of rows, read only for an
   * alert on guest or an export, never per DNS question.
   */
  guestSessions(mac: string): GuestSession[] {
    return this.#db.prepare(`SELECT d.mac, d.network_id, d.first_seen, coalesce(d.ended_at, d.authorised_until) AS until,
        p.name, p.organisation, p.sponsor_name, v.label, v.issued_by
      FROM voucher_devices d JOIN vouchers v ON v.id = d.voucher_id LEFT JOIN visitors p ON p.id = v.visitor_id
      WHERE d.mac = ? ORDER BY d.first_seen`).all(mac).map((r) => ({
      mac: String(r.mac), networkId: str(r.network_id), from: String(r.first_seen), until: String(r.until),
      visitor: str(r.name), organisation: str(r.organisation), sponsor: str(r.sponsor_name), label: str(r.label), issuedBy: String(r.issued_by),
    }));
  }

  /** Every guest session that overlapped [from, to) (ISO instants), with its visitor and sponsor, oldest first (the weekly review). */
  sessionsIn(from: string, to: string, limit = 5000): GuestSession[] {
    return this.sessionsBetween(new Date(from), new Date(to)).slice(0, limit);
  }

  /** Every device's time signed in that overlaps [from, to), oldest first (an export of a date range). */
  sessionsBetween(from: Date, to: Date): GuestSession[] {
    return this.#sessions('coalesce(d.ended_at, d.authorised_until) >= ? AND d.first_seen < ?', isoInstant(from, 'from'), isoInstant(to, 'to'));
  }

  /**
   * The times signed in with the vouchers of every visitor of that name (or, for a voucher that
   * names no visitor, of that office label), oldest first: an export by visitor. Case-insensitive.
   */
  sessionsOfVisitor(name: string): GuestSession[] {
    const wanted = name.trim();
    return this.#sessions('(lower(p.name) = lower(?1) OR (p.name IS NULL AND lower(v.label) = lower(?1)))', wanted);
  }

  /**
   * How many visitors signed in with a device in [from, to), and with how many devices: counts for
   * the governors' report, never names. A voucher that names no visitor counts as one visitor.
   */
  visitorCounts(from: Date, to: Date): { visitors: number; devices: number } {
    const row = this.#db.prepare(`SELECT count(DISTINCT coalesce('p' || v.visitor_id, 'v' || v.id)) AS visitors, count(DISTINCT d.mac) AS devices
      FROM voucher_devices d JOIN vouchers v ON v.id = d.voucher_id
      WHERE coalesce(d.ended_at, d.authorised_until) >= ? AND d.first_seen < ?`).get(isoInstant(from, 'from'), isoInstant(to, 'to'));
    return { visitors: Number(row?.visitors ?? 0), devices: Number(row?.devices ?? 0) };
  }

  #sessions(where: string, ...params: string[]): GuestSession[] {
    return this.#db.prepare(`SELECT d.mac, d.network_id, d.first_seen, coalesce(d.ended_at, d.authorised_until) AS until,
        p.name, p.organisation, p.sponsor_name, v.label, v.issued_by
      FROM voucher_devices d JOIN vouchers v ON v.id = d.voucher_id LEFT JOIN visitors p ON p.id = v.visitor_id
      WHERE ${where} ORDER BY d.first_seen, d.mac`).all(...params).map((r) => ({
      mac: String(r.mac), networkId: str(r.network_id), from: String(r.first_seen), until: String(r.until),
      visitor: str(r.name), organisation: str(r.organisation), sponsor: str(r.sponsor_name), label: str(r.label), issuedBy: String(r.issued_by),
    }));
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
    this.#db.prepare('DELETE FROM voucher_groups WHERE issued_at < ? AND id NOT IN (SELECT group_id FROM vouchers WHERE group_id IS NOT NULL)').run(cut);
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
    devicesNow: Number(r.devices_now), groupId: num(r.group_id),
  };
}

function toGroup(r: Row): VoucherGroup {
  return {
    id: Number(r.id), name: String(r.name), issuedBy: String(r.issued_by), issuedAt: String(r.issued_at),
    validFrom: String(r.valid_from), validUntil: String(r.valid_until), maxDevices: Number(r.max_devices), count: Number(r.count),
    revokedAt: str(r.revoked_at), revokedBy: str(r.revoked_by), revokeReason: str(r.revoke_reason), devicesNow: Number(r.devices_now),
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
