// A school's records full of what must never reach a governor: pupils' MACs and addresses, device
// names and owners, visitors, sponsors and accounts, in every store the reports read (state.db and
// logs.db through the real writer thread). The anonymisation test looks for each of these.
import { join } from 'node:path';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';
import type { NetworkRun } from '../../../../firmware/monitor/selftest/selftest-schema.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';

export const ZONE = 'Europe/London';
export const NOW = new Date('2026-12-07T10:00:00.000Z');
export const DAY = 86_400_000;

export const PUPIL_A = '02:5c:00:20:00:10';
export const PUPIL_B = '3c:22:fb:01:a2:9e';
export const GUEST = '8a:11:22:33:44:55';
export const ADDRESSES = ['10.20.0.57', '10.20.0.58', '10.30.0.77', 'fd00::57'];
export const NAMES = {
  deviceA: 'Amelia Year 4 iPad', deviceB: 'Noah Chromebook 17', ownerA: 'Amelia Hartley', ownerB: 'Noah Okafor',
  visitor: 'Priya Ramanathan', organisation: 'Hartfield Supply Agency', sponsor: 'Mrs Eleanor Whitcombe', pupilAccount: 'y4.amelia', staffAccount: 'jo.head',
  hostname: 'ameliasipad', lookedUp: 'amelia-secret-diary.example',
};

export const CONFIG = {
  site: { name: 'Hartfield Primary', timezone: ZONE },
  networks: [
    { id: 'pupil', name: 'Pupil Wi-Fi' }, { id: 'staff', name: 'Staff Wi-Fi' }, { id: 'guest', name: 'Visitors' },
  ],
} as const;

const run = (network: string, passed: boolean): NetworkRun => ({
  network, policy: network, source: '10.20.0.1', server: '10.20.0.1:53', error: null, passed, untested: [],
  checks: [{ kind: 'category', subject: 'social', name: 'www.facebook.com', category: 'social', critical: false, expected: 'blocked', blockAnswer: 'block-page', got: '10.20.0.1', pass: passed, failOpen: false }],
});

export interface Seeded {
  state: StateDatabase;
  queryLog: QueryLog;
  close(): Promise<void>;
}

export async function seedSchool(dir: string): Promise<Seeded> {
  const state = StateDatabase.open(join(dir, 'state.db'), { now: () => NOW });
  const t = (daysAgo: number, hour = 10): Date => new Date(NOW.getTime() - daysAgo * DAY + (hour - 10) * 3_600_000);

  // Devices with names, owners and hostnames.
  for (const [mac, name, owner] of [[PUPIL_A, NAMES.deviceA, NAMES.ownerA], [PUPIL_B, NAMES.deviceB, NAMES.ownerB]] as const) {
    state.devices.upsertSeen(mac, 'pupil', t(3));
    state.devices.update(mac, { name, owner });
  }
  // Alerts naming devices, addresses and what they looked up.
  const alert = (mac: string | null, address: string, severity: 'critical' | 'high' | 'medium' | 'low', kind: 'dns.category' | 'dns.keyword' | 'report.site', daysAgo: number) =>
    state.alerts.record({
      kind, severity, at: t(daysAgo).toISOString(), networkId: mac === GUEST ? 'guest' : 'pupil', mac, address,
      subject: NAMES.lookedUp, reason: `${NAMES.deviceA} of ${NAMES.ownerA} looked up ${NAMES.lookedUp}`, category: 'adult',
      details: { hostname: NAMES.hostname, owner: NAMES.ownerB, visitor: NAMES.visitor },
    }, t(daysAgo));
  alert(PUPIL_A, ADDRESSES[0]!, 'critical', 'dns.category', 2);
  alert(PUPIL_B, ADDRESSES[1]!, 'high', 'dns.keyword', 5);
  alert(null, ADDRESSES[3]!, 'medium', 'dns.keyword', 6);
  const acked = alert(GUEST, ADDRESSES[2]!, 'low', 'report.site', 4);
  state.alerts.acknowledge(acked.alert.id, NAMES.staffAccount, `spoke to ${NAMES.ownerA} and ${NAMES.visitor}`, t(4, 12));
  alert(PUPIL_A, ADDRESSES[0]!, 'high', 'dns.category', 60); // before the span

  // Network events naming devices.
  state.networkEvents.append({ at: t(3), kind: 'net.tethering', networkId: 'pupil', mac: PUPIL_B, details: { address: ADDRESSES[1], hostname: NAMES.hostname } });
  // A visitor with a sponsor, signed in on guest.
  const visitor = state.vouchers.createVisitor({ name: NAMES.visitor, organisation: NAMES.organisation, sponsorName: NAMES.sponsor, sponsorAccount: NAMES.staffAccount, email: 'priya@agency.example', phone: '07700 900123', created: t(4, 8) });
  const voucher = state.vouchers.insert({
    codeHash: 'a'.repeat(64), kind: 'single', label: null, visitorId: visitor.id, validFrom: t(4, 8), validUntil: t(4, 17), maxDevices: 2,
    downKbit: null, upKbit: null, policyId: null, issuedBy: NAMES.staffAccount, issuedAt: t(4, 8),
  });
  state.vouchers.authorise({ voucherId: voucher.id, mac: GUEST, address: ADDRESSES[2]!, networkId: 'guest', until: t(4, 17), termsVersion: null, at: t(4, 9) });
  // A block-page report from a pupil device.
  state.siteReports.addReport({
    at: t(2, 11).toISOString(), blockedAt: t(2, 11).toISOString(), networkId: 'pupil', mac: PUPIL_A, address: ADDRESSES[0]!, name: NAMES.lookedUp,
    category: 'adult', verdict: 'blocked', kind: 'should-not-be-blocked', comment: `I am ${NAMES.ownerA}`,
  });
  // Self-test runs: pupil passes twice, guest fails once.
  state.selftest.record({ at: t(2, 7), trigger: 'scheduled', actor: 'system', networks: [run('pupil', true), run('guest', false)] });
  state.selftest.record({ at: t(1, 7), trigger: 'scheduled', actor: 'system', networks: [run('pupil', true), run('guest', true)] });
  state.audit.append({ actor: `account:${NAMES.staffAccount}`, action: 'device.name', subject: PUPIL_A, details: { name: NAMES.deviceA } });

  // The query log: pupils' questions, some blocked.
  const buffer = new EventBuffer(8192);
  const queryLog = await QueryLog.open(join(dir, 'logs.db'), { events: buffer, logger: silentLogger(), flushIntervalMs: 60_000, timezone: ZONE });
  const events: QueryEvent[] = [];
  for (let i = 0; i < 40; i++) {
    const device = [PUPIL_A, PUPIL_B, GUEST][i % 3]!;
    const blocked = i % 4 === 0;
    events.push({
      at: t(1 + (i % 5), 9 + (i % 6)).getTime(), network: device === GUEST ? 'guest' : 'pupil', client: ADDRESSES[i % 3]!, device, transport: 'udp',
      name: NAMES.lookedUp, qtype: 1, verdict: blocked ? 'blocked' : 'forwarded', rcode: 0, latencyMs: 1, ...(blocked ? { category: 'adult' } : i % 5 === 0 ? { category: 'social' } : {}),
    });
  }
  for (const e of events) buffer.push(e);
  queryLog.flush();
  return { state, queryLog, async close() { queryLog.close(); state.close(); } };
}
