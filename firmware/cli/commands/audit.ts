// `schoolgate audit` and `schoolgate audit verify`: the audit log (who changed what, when) and
// the check of its hash chain, read through the running daemon, which owns state.db.
import { callDaemon } from '../../control/client.ts';
import { AUDIT_PAGE_MAX, type AuditListView, type AuditVerdict } from '../../control/audit-methods.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatAudit, formatVerdict } from '../format-audit.ts';
import { parseSince } from '../since.ts';

async function list(values: OptionValues): Promise<number> {
  const params: Record<string, string | number> = {};
  if (typeof values.since === 'string') {
    const since = parseSince(values.since, new Date());
    if (since === undefined) throw new UsageError(`--since "${values.since}" is not a time: give 7d, 24h, 30m, 2w, a date (2026-12-01) or a date and time with its zone (2026-12-01T08:00:00Z)`);
    params.since = since;
  }
  if (typeof values.action === 'string') params.action = values.action;
  if (typeof values.actor === 'string') params.actor = values.actor;
  // Every matching entry, a page at a time: a year's log is a few thousand entries.
  const entries: AuditListView['entries'] = [];
  for (let after = 0; ;) {
    const page = await callDaemon(socketOf(values), 'audit.list', { ...params, after, limit: AUDIT_PAGE_MAX }) as AuditListView;
    entries.push(...page.entries);
    if (!page.more || page.entries.length === 0) break;
    after = page.entries.at(-1)!.seq;
  }
  printResult(values, { entries }, formatAudit(entries));
  return EXIT.ok;
}

async function verify(values: OptionValues): Promise<number> {
  const verdict = await callDaemon(socketOf(values), 'audit.verify', {}) as AuditVerdict;
  printResult(values, verdict, formatVerdict(verdict));
  return verdict.ok ? EXIT.ok : EXIT.failure;
}

export const audit: Command = {
  positionals: true,
  summary: 'the audit log (who changed what, when), and the check of its hash chain',
  usage: `schoolgate audit [--since TIME] [--action A] [--actor WHO] [--json]
schoolgate audit verify [--json]

Lists the audit log's entries, oldest first: sequence number, time (UTC), who acted (ssh:USER for
a change made here, an account name for one made in the web UI, system for the daemon), the
action, what it was done to, and the details recorded with it. No one can edit or delete an
entry; each one's hash covers the one before, so a change made to the file behind Schoolgate's
back breaks the chain.

\`audit verify\` recomputes the whole chain: exit 0 when it is intact (it prints the newest
entry's hash: note it, and a later verify proves nothing before it changed), exit 1 naming the
first entry that was altered, removed or renumbered.

${dataDirHelp}
      --since TIME     only entries from TIME on: 7d, 24h, 30m, 2w (that long ago), a date
                       (2026-12-01, from its midnight UTC) or a date and time with its zone
                       (2026-12-01T08:00:00Z)
      --action A       only this action (config.update) or these (device.*)
      --actor WHO      only entries whose actor contains WHO (account:jo.head, ssh:)
      --json           print the result as JSON`,
  options: { ...dataDirOption, since: { type: 'string' }, action: { type: 'string' }, actor: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    if (positionals.length === 0) return list(values);
    if (positionals[0] !== 'verify') throw new UsageError(`unknown audit command "${positionals[0]}" (audit, or audit verify)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    if (values.since !== undefined || values.action !== undefined || values.actor !== undefined) throw new UsageError('audit verify checks the whole log: it takes no --since, --action or --actor');
    return verify(values);
  },
};
