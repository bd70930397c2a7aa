// `schoolgate status`: what the running daemon is doing.
import { callDaemon } from '../../control/client.ts';
import type { DaemonStatus } from '../../status.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, type Command } from '../command.ts';
import { formatStatus } from '../format-status.ts';

export const status: Command = {
  summary: 'show what the running daemon is doing',
  usage: `schoolgate status [--data-dir DIR] [--json]

Asks the running daemon over its control socket. Exit code 3 when no daemon is running.

${dataDirHelp}
      --json           print the status as JSON (stable shape, for scripts and monitoring)`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  async run(values) {
    const status = await callDaemon(socketOf(values), 'status') as DaemonStatus;
    process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return EXIT.ok;
  },

};
