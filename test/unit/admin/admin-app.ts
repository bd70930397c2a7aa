// An admin app over a real in-memory state.db, a fake clock and a setup code in a temporary
// folder: the API as the daemon builds it, minus the listener.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildAdminApp, type AdminAppOptions } from '../../../firmware/admin/app.ts';
import type { AdminMonitorSources } from '../../../firmware/admin/route-deps.ts';
import { SetupCodeFile } from '../../../firmware/admin/auth/setup.ts';
import { isLoopback } from '../../../firmware/admin/guard.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import type { DaemonStatus } from '../../../firmware/status.ts';
import { sampleStatus } from '../status-fixture.ts';

export interface TestAdmin {
  app: FastifyInstance;
  state: StateDatabase;
  clock: { now: Date; advance(ms: number): void };
  setupCode: SetupCodeFile;
  alerts: AlertCandidate[];
  close(): Promise<void>;
}

export async function testAdmin(overrides: Partial<AdminAppOptions> & { status?: () => DaemonStatus; monitorOf?: (state: StateDatabase) => AdminMonitorSources } = {}): Promise<TestAdmin> {
  const clock = { now: new Date('2026-12-07T09:00:00.000Z'), advance(ms: number) { this.now = new Date(this.now.getTime() + ms); } };
  const state = StateDatabase.open(':memory:', { now: () => clock.now });
  const setupCode = new SetupCodeFile(join(mkdtempSync(join(tmpdir(), 'sg-admin-')), 'setup-code'));
  const alerts: AlertCandidate[] = [];
  const status = sampleStatus();
  const { monitorOf, ...options } = overrides;
  const app = await buildAdminApp({
    logger: silentLogger(),
    status: () => status,
    accounts: state.accounts,
    audit: state.audit,
    transaction: (fn) => state.transaction(fn),
    setupCode,
    site: () => ({ name: 'Test Primary', timezone: 'Europe/London' }),
    setupAllowedFrom: (address) => isLoopback(address) || address.startsWith('10.0.10.'),
    https: false,
    now: () => clock.now,
    raise: (candidate) => alerts.push(candidate),
    loginRateLimit: 1000,
    ...(monitorOf ? { monitor: monitorOf(state) } : {}),
    ...options,
  });
  return { app, state, clock, setupCode, alerts, close: async () => { await app.close(); state.close(); } };
}
