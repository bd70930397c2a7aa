// `schoolgate lists`: the lists the daemon filters with, and reloading them after a file changed.
import { callDaemon } from '../../control/client.ts';
import type { ListsReport } from '../../rules/lists-manager.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';
import { formatLists } from '../format-lists.ts';

export const lists: Command = {
  positionals: true,
  summary: 'show the lists in service (reload: re-read the list files)',
  usage: `schoolgate lists [--json]
schoolgate lists reload

  (no action)  each list: category, names, bad lines, source file
  reload       re-reads every list file and swaps the new lists in; if a file cannot be read
               nothing changes. Recorded in the audit log under your name.

${dataDirHelp}
      --json           print the report as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action !== undefined && action !== 'reload') throw new UsageError(`unknown lists action "${action}"`);
    const report = await callDaemon(socketOf(values), action === 'reload' ? 'lists.reload' : 'lists', undefined, 120_000) as ListsReport;
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatLists(report, action === 'reload'));
    return EXIT.ok;
  },
};
