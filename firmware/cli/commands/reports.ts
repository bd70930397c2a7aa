// `schoolgate reports`: what people sent from the block page ("report this", and staff's
// "request access"), through the running daemon, which owns state.db.
import { callDaemon } from '../../control/client.ts';
import type { ReportsView } from '../../portal/reports-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, type Command } from '../command.ts';
import { reportsSubOptions, reportsSubUsage, runReportsSub } from './reports-governor.ts';
import { table } from '../table.ts';

export function formatReports(view: ReportsView): string {
  const out: string[] = [];
  out.push(view.reports.length === 0 ? 'No site reports.' : `Site reports (${view.reports.length}, newest first):`);
  if (view.reports.length > 0) {
    out.push(table([
      ['#', 'when (UTC)', 'network', 'device', 'site', 'category', 'says', 'status', 'comment'],
      ...view.reports.map((r) => [
        String(r.id), r.at.slice(0, 19).replace('T', ' '), r.networkId, r.mac ?? r.address,
        // Printed with JSON quoting: a name is data from the network, never terminal control codes.
        r.name === null ? '(restricted list)' : JSON.stringify(r.name), r.category ?? '-',
        r.kind === 'should-not-be-blocked' ? 'should not be blocked' : 'should be blocked', r.status, r.comment === '' ? '-' : JSON.stringify(r.comment),
      ]),
    ]));
  }
  out.push('');
  out.push(view.requests.length === 0 ? 'No access requests.' : `Access requests (${view.requests.length}, newest first):`);
  if (view.requests.length > 0) {
    out.push(table([
      ['#', 'when (UTC)', 'network', 'device', 'site', 'category', 'status', 'reason'],
      ...view.requests.map((r) => [
        String(r.id), r.at.slice(0, 19).replace('T', ' '), r.networkId, r.mac ?? r.address, JSON.stringify(r.name), r.category ?? '-', r.changeRequest === null ? r.status : `${r.status} (change request ${r.changeRequest})`, JSON.stringify(r.reason),
      ]),
    ]));
  }
  return `${out.join('\n')}\n`;
}

export const reports: Command = {
  summary: 'sites reported from the block page; the governors\' reports and sealed exports',
  usage: `schoolgate reports [--json]

The reports sent with "report this" from the block page (should, or should not, be blocked:
each also raised a report.site alert), newest first: when, network, device, the site (never for
a restricted list), its category, what the sender said and their comment; then staff's requests
for access with their reason and status: open, dismissed, or granted or refused with the change
request made from it (they are answered on the web UI's Change requests page).

${reportsSubUsage}

${dataDirHelp}
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' }, ...reportsSubOptions },
  positionals: true,
  async run(values, positionals) {
    if (positionals[0] !== undefined) return runReportsSub(positionals[0], values);
    const view = await callDaemon(socketOf(values), 'reports', {}) as ReportsView;
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatReports(view));
    return EXIT.ok;
  },
};
