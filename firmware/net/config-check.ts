// The firewall rules the schema cannot express. Pure; semantic.ts calls it with the sections that
// passed the schema. Each refusal here is a ruleset that would cut off something it must not.
import { pointer, type ConfigIssue } from '../config/issues.ts';
import type { Config } from '../config/schema.ts';

export type FirewallSections = Partial<Pick<Config, 'networks' | 'firewall'>>;

export function firewallConfigIssues(doc: FirewallSections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { firewall, networks } = doc;
  if (!firewall || !networks) return issues;
  const add = (path: string, message: string): void => { issues.push({ path, message }); };
  networks.forEach((n, i) => {
    if (n.interface === firewall.wanInterface) {
      add(pointer('networks', i, 'interface'), `network "${n.id}" is on the uplink ${n.interface} (firewall.wanInterface): the ruleset would treat the internet as a school network`);
    }
    // Anti-spoofing on lo would drop the box's own 127.0.0.1 traffic (the demo's networks live there).
    if (firewall.enabled && n.interface === 'lo') {
      add(pointer('networks', i, 'interface'), `network "${n.id}" is on lo: the firewall cannot enforce a network on the loopback interface (turn firewall.enabled off, or give the network its real interface)`);
    }
  });
  const ids = new Set(networks.map((n) => n.id));
  firewall.ipv6Forward?.forEach((id, i) => {
    if (!ids.has(id)) add(pointer('firewall', 'ipv6Forward', i), `there is no network "${id}" (networks: ${[...ids].join(', ')})`);
  });
  return issues;
}
