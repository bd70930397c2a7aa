// `schoolgate net show`: the nftables ruleset in force and what it means for each network.
import { callDaemon } from '../../control/client.ts';
import type { NetView } from '../../net/net-methods.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';

export function formatNet(view: NetView): string {
  const out: string[] = [];
  if (!view.enabled) out.push('Network enforcement is off (firewall.enabled in the configuration): only DNS filters.');
  else if (view.error) out.push(`The last apply FAILED: ${view.error}`, 'The ruleset below is the one before it.');
  else out.push(`Ruleset applied ${view.appliedAt ?? 'never'}${view.applyMs === null ? '' : ` in ${view.applyMs} ms`}.`);
  for (const n of view.networks) {
    out.push('', `${n.network} (${n.kind})${n.enabled ? '' : ': switched off'}`);
    for (const line of n.lines) out.push(`  - ${line}`);
  }
  out.push('', view.ruleset === null ? 'No Schoolgate table in the kernel (nft list table inet schoolgate: none).' : view.ruleset.trimEnd());
  return `${out.join('\n')}\n`;
}

export const net: Command = {
  positionals: true,
  summary: 'network enforcement: the nftables ruleset in force, explained per network',
  usage: `schoolgate net show [--json]

What each network may reach, in words, then the nftables table Schoolgate keeps in force
(nft list table inet schoolgate), with when it was last applied and whether that worked.

${dataDirHelp}
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [action, ...rest] = positionals;
    if (action !== 'show') throw new UsageError(action === undefined ? 'net needs an action: schoolgate net show' : `unknown action "${action}" (actions: show)`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const view = await callDaemon(socketOf(values), 'net.show') as NetView;
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatNet(view));
    return EXIT.ok;
  },
};
