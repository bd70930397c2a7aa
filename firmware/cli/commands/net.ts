// `schoolgate net show`: the nftables ruleset in force and what it means for each network.
import { callDaemon } from '../../control/client.ts';
import type { AttemptsView, BypassView, NetView, TetheringView } from '../../net/net-methods.ts';
import { formatRate } from '../../net/shaping/rates.ts';
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
  if (view.shaping) out.push('', ...formatShaping(view.shaping));
  out.push('', view.ruleset === null ? 'No Schoolgate table in the kernel (nft list table inet schoolgate: none).' : view.ruleset.trimEnd());
  return `${out.join('\n')}\n`;
}

export function formatShaping(s: NonNullable<NetView['shaping']>): string[] {
  if (!s.enabled) return ['Bandwidth shaping is off (it runs with network enforcement).'];
  const out = [`Bandwidth shaping: ${s.engine === null ? 'not applied yet' : `${s.engine.toUpperCase()} (${s.why ?? ''})`}.`];
  if (s.error) out.push(`The last change FAILED (the next one rebuilds everything): ${s.error}`);
  const rate = (kbit: number | null): string => (kbit === null ? 'no cap' : formatRate(kbit));
  for (const n of s.networks) {
    if (n.downKbit === null && n.upKbit === null && n.deviceDownKbit === null && n.deviceUpKbit === null) continue;
    out.push(`  ${n.network} (policy ${n.policy}): the network together ${rate(n.downKbit)} down, ${rate(n.upKbit)} up; each device ${rate(n.deviceDownKbit)} down, ${rate(n.deviceUpKbit)} up unless it has caps of its own`);
  }
  out.push(s.interfaces.length === 0 ? 'Nothing is capped.' : `Shaped interfaces: ${s.interfaces.join(', ')}.`);
  for (const d of s.devices) {
    const one = (kbit: number | null, from: string | null): string => (kbit === null ? 'no cap' : `${formatRate(kbit)} (${from ?? ''})`);
    out.push(`  - ${d.address} ${d.mac} on ${d.network}: down ${one(d.downKbit, d.downFrom)}, up ${one(d.upKbit, d.upFrom)}`);
  }
  return out;
}

export function formatTethering(view: TetheringView): string {
  if (view.suspects.length === 0) return 'No device has forwarded another device\'s traffic in the last hour.\n';
  const out = view.suspects.map((s) => {
    const who = `${s.mac}${s.name ? ` (${s.name})` : ''} on ${s.networkId ?? 'a network it took no lease on'}`;
    const done = s.suspendUntil ? `suspended until ${s.suspendUntil}` : s.mode === 'block' ? 'already suspended' : 'recorded (monitor mode)';
    return `  - ${who}: ${done}`;
  });
  return `Devices that forwarded another device's traffic (a hotspot) in the last hour:\n${out.join('\n')}\n`;
}

export function formatAttempts(view: AttemptsView): string {
  if (view.attempts.length === 0) return 'No device has tried peer-to-peer or a filter bypass since the last report.\n';
  const out = view.attempts.map((a) => {
    const who = `${a.mac}${a.name ? ` (${a.name})` : ''} at ${a.address} on ${a.networkId ?? 'no school network'}`;
    const what = a.kind === 'net.p2p' ? 'peer-to-peer' : 'filter bypass (DNS over TLS or a bypass provider)';
    return `  - ${who}: ${what}, ${a.packets} packet${a.packets === 1 ? '' : 's'} refused${a.record ? ' (event recorded)' : ' (already reported this hour)'}`;
  });
  return `Devices refused for peer-to-peer or a filter bypass:\n${out.join('\n')}\n`;
}

export function formatBypass(view: BypassView): string {
  const l = view.learner;
  const addresses = [...view.v4, ...view.v6];
  return `${addresses.length} bypass provider address${addresses.length === 1 ? '' : 'es'} refused on 443: ${addresses.join(', ') || 'none'}\n`
    + `learned since start: ${l.namesLearned} names, ${l.addressesAdded} addresses written; ${l.queued} names waiting, ${l.refused} turned away (queue full), ${l.failures} failed lookups\n`;
}

const ACTIONS = ['show', 'tethering', 'attempts', 'bypass'] as const;

export const net: Command = {
  positionals: true,
  summary: 'network enforcement: the nftables ruleset in force, explained per network',
  usage: `schoolgate net show [--json]
schoolgate net tethering [--json]
schoolgate net attempts [--json]
schoolgate net bypass [--json]

What each network may reach, in words, then the nftables table Schoolgate keeps in force
(nft list table inet schoolgate), with when it was last applied and whether that worked.
"net tethering" checks now (the daemon also does every minute) which devices forwarded another
device's traffic in the last hour, recording an event for each and suspending it on a network
whose tethering setting is "block".
"net attempts" reads now (the daemon also does every minute) which devices were refused for
peer-to-peer or a filter bypass (DNS over TLS, a bypass provider's address), recording a network
event for each once an hour. "net bypass" lists the bypass providers' addresses refused now.

${dataDirHelp}
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [action, ...rest] = positionals;
    if (!(ACTIONS as readonly (string | undefined)[]).includes(action)) {
      throw new UsageError(action === undefined ? 'net needs an action: schoolgate net show' : `unknown action "${action}" (actions: ${ACTIONS.join(', ')})`);
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (action === 'tethering') {
      const found = await callDaemon(socketOf(values), 'net.tethering') as TetheringView;
      process.stdout.write(values.json ? `${JSON.stringify(found, null, 2)}\n` : formatTethering(found));
      return EXIT.ok;
    }
    if (action === 'attempts') {
      const found = await callDaemon(socketOf(values), 'net.attempts') as AttemptsView;
      process.stdout.write(values.json ? `${JSON.stringify(found, null, 2)}\n` : formatAttempts(found));
      return EXIT.ok;
    }
    if (action === 'bypass') {
      const found = await callDaemon(socketOf(values), 'net.bypass') as BypassView;
      process.stdout.write(values.json ? `${JSON.stringify(found, null, 2)}\n` : formatBypass(found));
      return EXIT.ok;
    }
    const view = await callDaemon(socketOf(values), 'net.show') as NetView;
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatNet(view));
    return EXIT.ok;
  },
};
