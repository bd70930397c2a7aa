// What an administrator (accounts.manage) does to other accounts, and what the break-glass
// account may do: recover or revoke access, nothing else. Every change is audited under the
// acting account's name; every action by the break-glass account also raises an alert.
import type { AccountRow } from '../../state/accounts.ts';
import type { AccountView } from '../api/session-schema.ts';
import { permissionsOf, type Role } from '../roles.ts';
import { actorOf, type AuthenticatorDeps, type Signed } from './authenticator.ts';
import { AuthError } from './errors.ts';
import { hashPassword, temporaryPassword } from './password.ts';
import { accountView } from './views.ts';

export interface NewAccountRequest {
  username: string;
  displayName: string;
  email?: string;
  roles: Role[];
}

/** The actions the break-glass account may take: each recovers or revokes someone's access. */
export const RECOVERY_ACTIONS = ['reset-password', 'reset-totp', 'unlock', 'disable', 'enable'] as const;
export type AccountAction = (typeof RECOVERY_ACTIONS)[number];

export class AccountAdmin {
  readonly #deps: AuthenticatorDeps;
  readonly #onBreakGlass: (account: AccountRow, what: string, source: string) => void;

  constructor(deps: AuthenticatorDeps, onBreakGlass: (account: AccountRow, what: string, source: string) => void) {
    this.#deps = deps;
    this.#onBreakGlass = onBreakGlass;
  }

  list(): AccountView[] {
    return this.#deps.accounts.list().map(accountView);
  }

  /** A new account with a temporary password, shown once and changed at its first sign-in. */
  async create(by: Signed, request: NewAccountRequest): Promise<{ account: AccountView; temporaryPassword: string }> {
    this.#notBreakGlass(by, 'create accounts');
    if (this.#deps.accounts.byUsername(request.username)) {
      throw new AuthError(409, 'exists', `there is already an account "${request.username}"`, { username: 'this username is taken' });
    }
    const samePerson = this.#deps.accounts.list().find((a) => !a.breakGlass && a.displayName.toLowerCase() === request.displayName.trim().toLowerCase());
    if (samePerson) {
      throw new AuthError(409, 'same-person', `"${samePerson.username}" already has the name ${samePerson.displayName}: one account per person (give it more roles instead)`, { displayName: 'another account has this name' });
    }
    const password = temporaryPassword();
    const passwordHash = await hashPassword(password);
    const row = this.#deps.transaction(() => {
      const created = this.#deps.accounts.insert({
        username: request.username, displayName: request.displayName.trim(), email: request.email ?? null, passwordHash,
        mustChangePassword: true, breakGlass: false, roles: request.roles, createdAt: this.#deps.now().toISOString(),
      });
      this.#deps.audit.append({ actor: actorOf(by.account), action: 'account.create', subject: created.username, details: { roles: created.roles } });
      return created;
    });
    return { account: accountView(row), temporaryPassword: password };
  }

  setRoles(by: Signed, id: number, roles: Role[]): AccountView {
    this.#notBreakGlass(by, 'change roles');
    const target = this.#target(id);
    if (target.breakGlass) throw new AuthError(403, 'break-glass', 'the break-glass recovery account holds no roles');
    // Taking away one's own administration could leave nobody able to put it back.
    if (target.id === by.account.id && !permissionsOf(roles).has('accounts.manage')) {
      throw new AuthError(400, 'own-access', 'you cannot remove your own right to manage accounts: ask another administrator', { roles: 'keep a role that manages accounts on your own account' });
    }
    this.#deps.transaction(() => {
      this.#deps.accounts.setRoles(id, roles);
      this.#deps.audit.append({ actor: actorOf(by.account), action: 'account.roles', subject: target.username, details: { from: target.roles, to: [...new Set(roles)].sort() } });
    });
    return accountView(this.#deps.accounts.byId(id)!);
  }

  /** Recovery and revocation: allowed to the break-glass account as well. */
  async act(by: Signed, id: number, action: AccountAction, source: string): Promise<{ account: AccountView; temporaryPassword?: string }> {
    const target = this.#target(id);
    if (target.breakGlass) {
      throw new AuthError(403, 'break-glass', 'the break-glass recovery account cannot be changed from the web UI: it is kept in the school safe');
    }
    if (target.id === by.account.id && (action === 'disable' || action === 'reset-totp' || action === 'reset-password')) {
      throw new AuthError(400, 'own-account', 'do this to your own account from your account page, or ask another administrator');
    }
    const { accounts } = this.#deps;
    let password: string | undefined;
    let passwordHash: string | undefined;
    if (action === 'reset-password') {
      password = temporaryPassword();
      passwordHash = await hashPassword(password);
    }
    this.#deps.transaction(() => {
      let ended = 0;
      switch (action) {
        case 'reset-password':
          accounts.update(id, { passwordHash, mustChangePassword: true, failedAttempts: 0, lockedUntil: null });
          ended = accounts.deleteSessionsOf(id);
          break;
        case 'reset-totp':
          accounts.update(id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null });
          ended = accounts.deleteSessionsOf(id);
          break;
        case 'unlock':
          accounts.update(id, { failedAttempts: 0, lockedUntil: null });
          break;
        case 'disable':
          accounts.update(id, { disabled: true });
          ended = accounts.deleteSessionsOf(id);
          break;
        case 'enable':
          accounts.update(id, { disabled: false });
          break;
      }
      this.#deps.audit.append({ actor: actorOf(by.account), action: `account.${action}`, subject: target.username, details: { sessionsEnded: ended, ...(by.account.breakGlass ? { breakGlass: true } : {}) } });
    });
    if (by.account.breakGlass) this.#onBreakGlass(by.account, `did ${action} to "${target.username}"`, source);
    return { account: accountView(accounts.byId(id)!), ...(password ? { temporaryPassword: password } : {}) };
  }

  #target(id: number): AccountRow {
    const target = this.#deps.accounts.byId(id);
    if (!target) throw new AuthError(404, 'not-found', `there is no account ${id}`);
    return target;
  }

  #notBreakGlass(by: Signed, what: string): void {
    if (by.account.breakGlass) throw new AuthError(403, 'break-glass', `the break-glass recovery account may only recover or revoke access; it cannot ${what}`);
  }
}
