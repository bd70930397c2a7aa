// The durability soak's bookkeeping, with no I/O: what the daemon acknowledged before it was killed
// (the ledger) and what the stores hold after it (observed), and the comparison of the two. A
// write counts as acknowledged only once the daemon said it was done — the control method's
// answer, the DHCP ACK, an alert listed by the daemon, the query log's committed counter — so
// a write still in flight at the kill may be present or not; one acknowledged must be.

/** The kinds of write the soak drives, as its report names them. */
export const WRITE_KINDS = ['config', 'lease', 'voucher', 'alert', 'alert-ack', 'audit', 'query-log'] as const;
export type WriteKind = typeof WRITE_KINDS[number];

/** One acknowledged write the stores no longer hold (or hold wrongly). */
export interface Loss {
  kind: WriteKind;
  what: string;
}

/** What the stores hold, read with the daemon down. */
export interface Observed {
  /** config.json's reservations: MAC → address. */
  reservations: ReadonlyMap<string, string>;
  /** state.db's leases on the soak's network: MAC → address. */
  leases: ReadonlyMap<string, string>;
  /** state.db's voucher ids. */
  vouchers: ReadonlySet<number>;
  /** state.db's alerts: id → occurrences and whether acknowledged. */
  alerts: ReadonlyMap<number, { count: number; acknowledged: boolean }>;
  /** The audit log's entries as auditKey(action, subject). */
  audit: ReadonlySet<string>;
  /** Rows in logs.db's query_events. */
  queryEvents: number;
}

export const auditKey = (action: string, subject: string): string => `${action} ${subject}`;

/**
 * Every write the daemon acknowledged since the soak began, across all its runs: the stores must
 * hold each after every kill, not only the last run's.
 */
export class Ledger {
  readonly #reservations = new Map<string, string>();
  readonly #leases = new Map<string, string>();
  readonly #vouchers = new Set<number>();
  readonly #alerts = new Map<number, number>();
  readonly #alertAcks = new Set<number>();
  readonly #audit = new Set<string>();
  /** Rows logs.db held when the running daemon started; plus what it reported committed since. */
  #queryBaseline = 0;
  #queryCommitted = 0;
  readonly #counts = Object.fromEntries(WRITE_KINDS.map((k) => [k, 0])) as Record<WriteKind, number>;

  /** `schoolgate reserve MAC ADDRESS` answered: in config.json, audited as dhcp.reserve. */
  reserved(mac: string, address: string): void {
    this.#reservations.set(mac, address);
    this.#count('config');
    this.#expectAudit('dhcp.reserve', mac);
  }

  /** A DHCPACK for this MAC and address reached the relay. */
  leased(mac: string, address: string): void {
    this.#leases.set(mac, address);
    this.#count('lease');
  }

  /** vouchers.issue answered with this voucher. */
  voucherIssued(id: number): void {
    this.#vouchers.add(id);
    this.#count('voucher');
    this.#expectAudit('voucher.issue', `voucher ${id}`);
  }

  /** The daemon listed this alert with this many occurrences: stored, since it lists from state.db. */
  alertListed(id: number, count: number): void {
    const before = this.#alerts.get(id);
    if (before === undefined) this.#count('alert');
    if (before === undefined || count > before) this.#alerts.set(id, count);
  }

  /** alerts.ack answered. */
  alertAcknowledged(id: number): void {
    this.#alertAcks.add(id);
    this.#count('alert-ack');
    this.#expectAudit('alert.acknowledge', `alert ${id}`);
  }

  /** A daemon starts on a logs.db holding `rows` query events. */
  queryLogOpened(rows: number): void {
    this.#queryBaseline = rows;
    this.#queryCommitted = 0;
  }

  /** The running daemon's status reported this many query events committed since it started. */
  queryEventsCommitted(committed: number): void {
    if (committed > this.#queryCommitted) {
      this.#counts['query-log'] += committed - this.#queryCommitted;
      this.#queryCommitted = committed;
    }
  }

  /** Acknowledged writes of each kind so far (audit: the entries the others must have written). */
  counts(): Readonly<Record<WriteKind, number>> {
    return { ...this.#counts };
  }

  /** Every acknowledged write the stores do not hold as acknowledged. */
  compare(observed: Observed): Loss[] {
    const losses: Loss[] = [];
    for (const [mac, address] of this.#reservations) {
      const held = observed.reservations.get(mac);
      if (held !== address) losses.push({ kind: 'config', what: `reservation ${mac} → ${address}: ${held === undefined ? 'missing' : `holds ${held}`}` });
    }
    for (const [mac, address] of this.#leases) {
      const held = observed.leases.get(mac);
      if (held !== address) losses.push({ kind: 'lease', what: `lease ${address} for ${mac}: ${held === undefined ? 'missing' : `holds ${held}`}` });
    }
    for (const id of this.#vouchers) {
      if (!observed.vouchers.has(id)) losses.push({ kind: 'voucher', what: `voucher ${id} missing` });
    }
    for (const [id, count] of this.#alerts) {
      const held = observed.alerts.get(id);
      if (held === undefined) losses.push({ kind: 'alert', what: `alert ${id} missing` });
      else if (held.count < count) losses.push({ kind: 'alert', what: `alert ${id} counts ${held.count}, was listed with ${count}` });
    }
    for (const id of this.#alertAcks) {
      if (observed.alerts.get(id)?.acknowledged !== true) losses.push({ kind: 'alert-ack', what: `alert ${id} is not acknowledged` });
    }
    for (const key of this.#audit) {
      if (!observed.audit.has(key)) losses.push({ kind: 'audit', what: `audit entry "${key}" missing` });
    }
    const expected = this.#queryBaseline + this.#queryCommitted;
    if (observed.queryEvents < expected) {
      losses.push({ kind: 'query-log', what: `${expected - observed.queryEvents} committed query events missing (${observed.queryEvents} rows, ${expected} expected at least)` });
    }
    return losses;
  }

  #count(kind: WriteKind): void {
    this.#counts[kind]++;
  }

  /** Every change the soak makes writes an audit entry in the same transaction or right after it. */
  #expectAudit(action: string, subject: string): void {
    this.#audit.add(auditKey(action, subject));
    this.#counts.audit++;
  }
}

/**
 * Changes the stores hold without the audit entry that should say who made them: a reservation
 * is written to config.json first and audited in state.db after, so a kill between the two keeps
 * the change (never acknowledged) and loses its entry. Not a lost write, but worth counting.
 */
export function unauditedChanges(observed: Observed): string[] {
  return [...observed.reservations.keys()]
    .filter((mac) => !observed.audit.has(auditKey('dhcp.reserve', mac)))
    .map((mac) => `reservation ${mac} has no dhcp.reserve audit entry`);
}
