// `schoolgate accounts` and `schoolgate accounts reset-break-glass`: the web UI's accounts seen
// from the gateway, and the recovery procedure when the break-glass password was used or lost.
import { callDaemon } from '../../control/client.ts';
import type { AccountList, BreakGlassReset } from '../../admin/account-methods.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { table } from '../table.ts';

export function formatAccounts(list: AccountList): string {
  if (list.accounts.length === 0) return 'No accounts yet: first-run setup makes the first ones (schoolgate status shows its code).\n';
  return `${table([
    ['USERNAME', 'NAME', 'ROLES', 'TWO-FACTOR', 'STATE', 'LAST SIGN-IN'],
    ...list.accounts.map((a) => [
      a.username, a.displayName, a.breakGlass ? '(break-glass recovery)' : a.roles.join(' '),
      a.totpEnrolled ? 'yes' : a.totpRequired ? 'REQUIRED, not set up' : 'no',
      a.disabled ? 'disabled' : a.mustChangePassword ? 'temporary password' : 'active',
      a.lastLoginAt ?? 'never',
    ]),
  ])}\n`;
}

export function formatBreakGlassReset(r: BreakGlassReset): string {
  return `The break-glass account "${r.username}" has a new password (shown this once):

    ${r.password}

Print it or write it down, seal it, and put it in the school safe in place of the old one.
The old password no longer works${r.sessionsEnded > 0 ? `; ${r.sessionsEnded} session(s) of it were ended` : ''}. This is in the audit log and raised an alert.
`;
}

async function run(values: OptionValues, positionals: string[]): Promise<number> {
  const write = (json: unknown, human: string): void => {
    process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : human);
  };
  if (positionals.length === 0) {
    const list = await callDaemon(socketOf(values), 'accounts.list', {}) as AccountList;
    write(list, formatAccounts(list));
    return EXIT.ok;
  }
  if (positionals[0] !== 'reset-break-glass') throw new UsageError(`unknown accounts command "${positionals[0]}" (accounts, or accounts reset-break-glass)`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const reset = await callDaemon(socketOf(values), 'accounts.break-glass-reset', {}) as BreakGlassReset;
  write(reset, formatBreakGlassReset(reset));
  return EXIT.ok;
}

export const accounts: Command = {
  positionals: true,
  summary: 'the web UI\'s accounts, and a new password for the break-glass recovery account',
  usage: `schoolgate accounts [--json]
schoolgate accounts reset-break-glass [--json]

Lists the web UI's accounts: roles, whether two-factor is set up (required for technician,
headteacher and DSL), whether each is active, disabled or waiting for its temporary password to
be changed, and its last sign-in. Accounts are managed in the web UI (Accounts page).

\`accounts reset-break-glass\` gives the break-glass recovery account a new password and prints
it once: do it after the account has been used, or when its sealed paper is lost. The old
password stops working at once. Recorded in the audit log under your name, and alerted.

${dataDirHelp}
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  run,
};
