// The control-socket side of accounts, for a technician on the gateway (root, over SSH): list the
// accounts, and give the break-glass recovery account a new password after it has been used or
// its paper lost. The web UI cannot do the latter: no administrator may take over that account.
import { Type, type Static } from 'typebox';
import type { AuditLog } from '../control/audit.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { AlertCandidate } from '../monitor/alerts/alert-schema.ts';
import type { AccountRepository } from '../state/accounts.ts';
import { AccountView } from './api/session-schema.ts';
import { hashPassword, temporaryPassword } from './auth/password.ts';
import { accountView } from './auth/views.ts';

export const BreakGlassReset = Type.Object({
  username: Type.String(),
  password: Type.String({ description: 'shown this once: print it and put it in the school safe in place of the old one' }),
  sessionsEnded: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });
export type BreakGlassReset = Static<typeof BreakGlassReset>;

export const AccountList = Type.Object({ accounts: Type.Array(AccountView) }, { additionalProperties: false });
export type AccountList = Static<typeof AccountList>;

export interface AccountMethodsDeps {
  accounts: AccountRepository;
  audit: Pick<AuditLog, 'append'>;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  raise?: (candidate: AlertCandidate) => void;
}

export function registerAccountMethods(control: Pick<ControlServer, 'register'>, deps: AccountMethodsDeps): void {
  control.register('accounts.list', { handle: (): AccountList => ({ accounts: deps.accounts.list().map(accountView) }) });

  control.register('accounts.break-glass-reset', {
    handle: async (_params, caller): Promise<BreakGlassReset> => {
      const account = deps.accounts.list().find((a) => a.breakGlass);
      if (!account) throw new ControlFailure('no-break-glass', 'there is no break-glass account yet: first-run setup makes it');
      const password = temporaryPassword(24);
      const passwordHash = await hashPassword(password);
      const actor = actorOf(caller);
      const sessionsEnded = deps.transaction(() => {
        deps.accounts.update(account.id, { passwordHash, failedAttempts: 0, lockedUntil: null, disabled: false });
        const ended = deps.accounts.deleteSessionsOf(account.id);
        deps.audit.append({ actor, action: 'account.break-glass-reset', subject: account.username, details: { sessionsEnded: ended } });
        return ended;
      });
      deps.raise?.({
        kind: 'system.break-glass', severity: 'high', at: deps.now().toISOString(), networkId: null, mac: null, address: null,
        subject: account.username,
        reason: `${actor} gave the break-glass recovery account a new password on the gateway: the paper in the school safe must be replaced`,
      });
      return { username: account.username, password, sessionsEnded };
    },
  });
}
