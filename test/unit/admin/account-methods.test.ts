// The recovery procedure on the gateway: `schoolgate accounts reset-break-glass` over a real
// control socket gives the recovery account a new password, ends its sessions, audits and alerts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { registerAccountMethods, type AccountList, type BreakGlassReset } from '../../../firmware/admin/account-methods.ts';
import { hashPassword, verifyPassword } from '../../../firmware/admin/auth/password.ts';
import { formatAccounts, formatBreakGlassReset } from '../../../firmware/cli/commands/accounts.ts';
import { callDaemon } from '../../../firmware/control/client.ts';
import { ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';
import type { AlertCandidate } from '../../../firmware/monitor/alerts/alert-schema.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

let dir: string;
let socket: string;
let server: ControlServer;
let state: StateDatabase;
const alerts: AlertCandidate[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-accounts-'));
  socket = join(dir, 'control.sock');
  state = StateDatabase.open(':memory:');
  server = new ControlServer(silentLogger());
  registerAccountMethods(server, { accounts: state.accounts, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date('2026-12-07T10:00:00Z'), raise: (c) => alerts.push(c) });
  await server.listen(socket);
});
afterEach(async () => {
  await server.close();
  state.close();
  await rm(dir, { recursive: true, force: true });
});

it('refuses before setup, then replaces the recovery password, ending its sessions, audited and alerted', async () => {
  await expect(callDaemon(socket, 'accounts.break-glass-reset', {})).rejects.toMatchObject({ code: 'no-break-glass' });
  const createdAt = '2026-12-01T09:00:00.000Z';
  const oldHash = await hashPassword('the-old-safe-password');
  const recovery = state.accounts.insert({ username: 'recovery', displayName: 'Break-glass recovery account', email: null, passwordHash: oldHash, mustChangePassword: false, breakGlass: true, roles: [], createdAt });
  state.accounts.insert({ username: 'jo.head', displayName: 'Jo Head', email: null, passwordHash: oldHash, mustChangePassword: false, breakGlass: false, roles: ['headteacher'], createdAt });
  state.accounts.insertSession({ tokenHash: 'a'.repeat(64), accountId: recovery.id, csrfToken: 'x', createdAt, lastSeenAt: createdAt, source: '10.0.10.5' });
  state.accounts.update(recovery.id, { lockedUntil: '2026-12-07T10:10:00.000Z' });

  const reset = await callDaemon(socket, 'accounts.break-glass-reset', {}) as BreakGlassReset;
  expect(reset).toMatchObject({ username: 'recovery', sessionsEnded: 1 });
  const stored = state.accounts.byUsername('recovery')!;
  expect(await verifyPassword(reset.password, stored.passwordHash)).toBe(true);
  expect(await verifyPassword('the-old-safe-password', stored.passwordHash)).toBe(false);
  expect(stored.lockedUntil).toBeNull();
  expect(state.accounts.session('a'.repeat(64))).toBeUndefined();
  expect(state.audit.list({ action: 'account.break-glass-reset' })).toMatchObject([{ actor: expect.stringMatching(/^ssh:/), subject: 'recovery' }]);
  expect(alerts.map((a) => `${a.kind} ${a.severity}`)).toEqual(['system.break-glass high']);
  expect(formatBreakGlassReset(reset)).toContain(`\n    ${reset.password}\n`);

  const list = await callDaemon(socket, 'accounts.list', {}) as AccountList;
  const text = formatAccounts(list);
  expect(text).toMatch(/^ +USERNAME +NAME/);
  expect(text).toMatch(/jo\.head +Jo Head +headteacher +REQUIRED, not set up +active +never/);
  expect(text).toMatch(/recovery +Break-glass recovery account +\(break-glass recovery\)/);
  expect(JSON.stringify(list)).not.toContain('argon2');
});
