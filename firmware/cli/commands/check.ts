// `schoolgate check NAME --network N`: the technician's first tool when a teacher rings to say a
// site is blocked (or is not): the verdict for that network, device and moment, and why.
import { callDaemon } from '../../control/client.ts';
import type { CheckReport } from '../../dns/policy/check-name.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';
import { formatCheck } from '../format-check.ts';

export const check: Command = {
  positionals: true,
  summary: 'explain what a network (or device) gets for a name, and why',
  usage: `schoolgate check NAME --network NETWORK [--device MAC] [--at TIME] [--json]

Asks the running daemon, which decides with the lists and policies in service now.

  -n, --network ID     the network the device is on (e.g. pupil)
      --device MAC     a known device: its group's policy and exceptions apply, or the
                       policy of the voucher it is signed in with on that network
      --at TIME        decide for another moment, e.g. 2026-11-24T12:30:00Z (schedules)
${dataDirHelp}
      --json           print the full explanation as JSON`,
  options: { ...dataDirOption, network: { type: 'string', short: 'n' }, device: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [name, ...extra] = positionals;
    if (!name) throw new UsageError('check needs a NAME, e.g. schoolgate check youtube.com --network pupil');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (typeof values.network !== 'string') throw new UsageError('check needs --network (the network the device is on)');
    let at: string | undefined;
    if (typeof values.at === 'string') {
      const ms = Date.parse(values.at);
      if (Number.isNaN(ms)) throw new UsageError(`--at "${values.at}" is not a date and time (e.g. 2026-11-24T12:30:00Z)`);
      at = new Date(ms).toISOString();
    }
    const params = {
      name, network: values.network,
      ...(typeof values.device === 'string' ? { device: values.device } : {}),
      ...(at ? { at } : {}),
    };
    const report = await callDaemon(socketOf(values), 'check', params) as CheckReport;
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheck(report));
    return EXIT.ok;
  },
};
