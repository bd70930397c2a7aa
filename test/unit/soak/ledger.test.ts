// The durability soak's ledger: what the daemon acknowledged against what the stores hold after a
// kill. Every kind of loss must be seen, and writes never acknowledged must not count as lost.
import { describe, expect, it } from 'vitest';
import { auditKey, Ledger, unauditedChanges, type Observed } from '../../../scripts/soak/ledger.ts';

const MAC = '02:5e:00:00:00:01';
const LEASED = '02:5d:00:00:00:07';

/** Stores holding exactly what `ledgerWithOneOfEach` acknowledged. */
function holdingAll(): Observed {
  return {
    reservations: new Map([[MAC, '127.20.200.1']]),
    leases: new Map([[LEASED, '127.20.1.7']]),
    vouchers: new Set([4]),
    alerts: new Map([[9, { count: 3, acknowledged: true }], [10, { count: 1, acknowledged: false }]]),
    audit: new Set([auditKey('dhcp.reserve', MAC), auditKey('voucher.issue', 'voucher 4'), auditKey('alert.acknowledge', 'alert 9')]),
    queryEvents: 150,
  };
}

function ledgerWithOneOfEach(): Ledger {
  const ledger = new Ledger();
  ledger.queryLogOpened(100);
  ledger.reserved(MAC, '127.20.200.1');
  ledger.leased(LEASED, '127.20.1.7');
  ledger.voucherIssued(4);
  ledger.alertListed(9, 2);
  ledger.alertListed(9, 3);
  ledger.alertListed(10, 1);
  ledger.alertAcknowledged(9);
  ledger.queryEventsCommitted(30);
  ledger.queryEventsCommitted(50);
  return ledger;
}

describe('the soak ledger', () => {
  it('finds nothing lost when the stores hold every acknowledged write, and counts each kind once', () => {
    const ledger = ledgerWithOneOfEach();
    expect(ledger.compare(holdingAll())).toEqual([]);
    expect(ledger.counts()).toEqual({ config: 1, lease: 1, voucher: 1, alert: 2, 'alert-ack': 1, audit: 3, 'query-log': 50 });
  });

  it('ignores what was never acknowledged: more rows, alerts, leases and reservations than the ledger knows of', () => {
    const observed = holdingAll();
    (observed.reservations as Map<string, string>).set('02:5e:00:00:00:02', '127.20.200.2');
    (observed.leases as Map<string, string>).set('02:5d:00:00:00:08', '127.20.1.8');
    (observed.alerts as Map<number, { count: number; acknowledged: boolean }>).set(11, { count: 1, acknowledged: false });
    expect(ledgerWithOneOfEach().compare({ ...observed, queryEvents: 10_000 })).toEqual([]);
  });

  it('names every kind of loss', () => {
    const observed: Observed = {
      reservations: new Map([[MAC, '127.20.200.9']]),
      leases: new Map(),
      vouchers: new Set(),
      alerts: new Map([[9, { count: 2, acknowledged: false }]]),
      audit: new Set([auditKey('voucher.issue', 'voucher 4')]),
      queryEvents: 120,
    };
    expect(ledgerWithOneOfEach().compare(observed)).toEqual([
      { kind: 'config', what: `reservation ${MAC} → 127.20.200.1: holds 127.20.200.9` },
      { kind: 'lease', what: `lease 127.20.1.7 for ${LEASED}: missing` },
      { kind: 'voucher', what: 'voucher 4 missing' },
      { kind: 'alert', what: 'alert 9 counts 2, was listed with 3' },
      { kind: 'alert', what: 'alert 10 missing' },
      { kind: 'alert-ack', what: 'alert 9 is not acknowledged' },
      { kind: 'audit', what: `audit entry "dhcp.reserve ${MAC}" missing` },
      { kind: 'audit', what: 'audit entry "alert.acknowledge alert 9" missing' },
      { kind: 'query-log', what: '30 committed query events missing (120 rows, 150 expected at least)' },
    ]);
  });

  it('keeps the highest committed count a run reported, and starts each run from the rows the last kill left', () => {
    const ledger = new Ledger();
    ledger.queryLogOpened(0);
    ledger.queryEventsCommitted(40);
    ledger.queryEventsCommitted(25); // an older status answer arriving late lowers nothing
    expect(ledger.compare({ ...holdingAll(), audit: new Set(), queryEvents: 39 })).toEqual([
      { kind: 'query-log', what: '1 committed query events missing (39 rows, 40 expected at least)' },
    ]);
    // The next daemon starts on 45 rows: its own counter starts again from 0.
    ledger.queryLogOpened(45);
    ledger.queryEventsCommitted(5);
    expect(ledger.compare({ ...holdingAll(), audit: new Set(), queryEvents: 50 })).toEqual([]);
    expect(ledger.compare({ ...holdingAll(), audit: new Set(), queryEvents: 49 })).toHaveLength(1);
    expect(ledger.counts()['query-log']).toBe(45);
  });

  it('still requires the writes of earlier runs after later kills', () => {
    const ledger = new Ledger();
    ledger.voucherIssued(1);
    ledger.queryLogOpened(0);
    ledger.voucherIssued(2);
    const both = { ...holdingAll(), vouchers: new Set([1, 2]), audit: new Set([auditKey('voucher.issue', 'voucher 1'), auditKey('voucher.issue', 'voucher 2')]), queryEvents: 0 };
    expect(ledger.compare(both)).toEqual([]);
    expect(ledger.compare({ ...both, vouchers: new Set([2]) })).toEqual([{ kind: 'voucher', what: 'voucher 1 missing' }]);
  });
});

describe('unaudited changes', () => {
  it('names a reservation config.json holds without its dhcp.reserve audit entry', () => {
    const observed = holdingAll();
    expect(unauditedChanges(observed)).toEqual([]);
    expect(unauditedChanges({ ...observed, audit: new Set() })).toEqual([`reservation ${MAC} has no dhcp.reserve audit entry`]);
  });
});
