// `schoolgate aup acceptances`: which device accepted which version of the school's AUP on which
// network, and when, through the running daemon, which owns state.db.
import { callDaemon } from '../../control/client.ts';
import type { AupAcceptancesView } from '../../portal/splash/schema.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';
import { table } from '../table.ts';

export function formatAcceptances(view: AupAcceptancesView): string {
  const out: string[] = [];
  out.push(view.current === null
    ? 'The AUP splash is off: the configuration has no "aup" section.'
    : `AUP version in force: ${view.current.version}; splash on: ${view.current.splashOn.length === 0 ? 'no network' : view.current.splashOn.join(', ')}.`);
  out.push('');
  if (view.acceptances.length === 0) {
    out.push('No device has accepted the AUP yet.');
  } else {
    out.push(`Acceptances (${view.acceptances.length}, newest first):`);
    out.push(table([
      ['when (UTC)', 'network', 'device', 'name', 'from', 'version'],
      // The name is JSON-quoted: it was typed by someone, never terminal control codes.
      ...view.acceptances.map((a) => [a.at.slice(0, 19).replace('T', ' '), a.networkId, a.mac, a.deviceName === null ? '-' : JSON.stringify(a.deviceName), a.address, a.version]),
    ]));
  }
  return `${out.join('\n')}\n`;
}

export const aup: Command = {
  summary: 'the acceptable use policy splash: who accepted which version',
  usage: `schoolgate aup acceptances [--json]

Every acceptance of the school's AUP from the splash that staff and pupil networks named in
the configuration's "aup" section show: when, the network, the device (MAC, and its name where
it has one), the address it accepted from and the version. Newest first.

${dataDirHelp}
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  positionals: true,
  async run(values, positionals) {
    const [action, ...rest] = positionals;
    if (action !== 'acceptances') throw new UsageError(action === undefined ? 'aup needs an action: schoolgate aup acceptances' : `unknown action "${action}" (actions: acceptances)`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const view = await callDaemon(socketOf(values), 'aup.acceptances', {}) as AupAcceptancesView;
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatAcceptances(view));
    return EXIT.ok;
  },
};
