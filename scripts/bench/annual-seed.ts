// A school year of records in a real state.db (in memory): accounts, a daily self-test, external
// tests, thousands of audit entries, 2,000 alerts naming pupil devices, and an annual review with
// its participants. Shared by the pack's unit tests and its benchmark (annual-pack.ts).
import { defaultConfig } from '../../firmware/config/defaults.ts';
import type { Config } from '../../firmware/config/schema.ts';
import type { AlertKind } from '../../firmware/monitor/alerts/alert-schema.ts';
import type { NetworkRun } from '../../firmware/monitor/selftest/selftest-schema.ts';
import { StateDatabase } from '../../firmware/state/database.ts';

export const PUPIL_MACS = ['02:11:22:33:44:01', '02:11:22:33:44:02', '02:11:22:33:44:03'];
export const PUPIL_DEVICE_NAMES = ['Year 3 iPad 12', 'Year 5 Chromebook 7', 'Ben Smith laptop'];
export const LOOKED_UP = 'secret-pupil-lookup.example';

export interface SeededYear {
  state: StateDatabase;
  config: Config;
  clock: { now: Date };
}

const run = (network: string, pass: boolean): NetworkRun => ({
  network, policy: network, source: '10.20.0.1', server: '10.20.0.1:53', error: null, passed: pass, untested: [],
  checks: [{ kind: 'category', subject: 'social', name: 'www.facebook.com', category: 'social', critical: false, expected: 'blocked', blockAnswer: 'block-page',
    got: pass ? '10.20.0.1 (block page)' : '198.51.100.81', pass, failOpen: !pass }],
});

export function seedYear(options: { auditEntries?: number; alerts?: number } = {}): SeededYear {
  const clock = { now: new Date('2026-09-01T08:00:00Z') };
  const state = StateDatabase.open(':memory:', { now: () => clock.now });
  const config = defaultConfig();
  const day = (n: number, hour = 9): Date => new Date(Date.UTC(2026, 8, 1 + n, hour));
  const account = (username: string, displayName: string, roles: Parameters<StateDatabase['accounts']['insert']>[0]['roles']) => state.accounts.insert({
    username, displayName, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles, createdAt: day(0).toISOString(),
  });
  account('jo.head', 'Jo Head', ['headteacher']);
  account('sam.dsl', 'Sam Lee', ['dsl', 'online-safety-lead']);
  account('it.provider', 'Alex Tech', ['technician']);
  account('gov.chair', 'Pat Governor', ['governor']);
  state.accounts.insert({ username: 'recovery', displayName: 'Recovery', email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: true, roles: [], createdAt: day(0).toISOString() });
  for (let n = 0; n < 364; n++) {
    clock.now = day(n, 7);
    state.selftest.record({ at: clock.now, trigger: 'scheduled', actor: 'system', networks: [run('pupil', n !== 40), run('staff', true)] });
  }
  const actions = ['account.login', 'account.login', 'device.suspend', 'policy.edit', 'lists.update', 'account.login', 'groups.edit', 'account.logout'];
  const audits = options.auditEntries ?? 3000;
  for (let i = 0; i < audits; i++) {
    clock.now = new Date(day(0).getTime() + Math.floor((i / audits) * 363 * 86_400_000));
    const action = actions[i % actions.length]!;
    state.audit.append({ actor: i % 2 ? 'account:jo.head' : 'ssh:alex', action, subject: action === 'device.suspend' ? PUPIL_MACS[i % 3] : 'pupil', details: { note: LOOKED_UP } });
  }
  PUPIL_MACS.forEach((mac, i) => {
    state.devices.upsertSeen(mac, 'pupil', day(0));
    state.devices.update(mac, { name: PUPIL_DEVICE_NAMES[i]! });
  });
  const kinds: AlertKind[] = ['dns.category', 'dns.keyword', 'dns.bypass', 'dns.restricted', 'net.tethering'];
  const alertCount = options.alerts ?? 2000;
  for (let i = 0; i < alertCount; i++) {
    clock.now = new Date(day(0).getTime() + Math.floor((i / alertCount) * 360 * 86_400_000));
    const kind = kinds[i % kinds.length]!;
    const { alert } = state.alerts.record({
      kind, severity: kind === 'dns.restricted' ? 'critical' : 'medium', at: clock.now.toISOString(), networkId: 'pupil', mac: PUPIL_MACS[i % 3]!, address: `10.20.0.${10 + (i % 3)}`,
      subject: LOOKED_UP, reason: 'seeded', category: 'social',
    }, clock.now);
    if (i % 4 !== 0) state.alerts.acknowledge(alert.id, 'account:sam.dsl', 'spoke to the pupil', new Date(clock.now.getTime() + 3 * 3_600_000));
  }
  clock.now = new Date('2027-07-10T10:00:00Z');
  return { state, config, clock };
}
