// The daemon's heartbeat in the ruleset: the lines that put each guest network's interface in
// `guests_served` for three beats from now. The ruleset lets guests through only while their
// entry is there, so a daemon that dies (or hangs, or is killed) leaves guests portal-only within
// three beats, with nobody having to notice. Pure: FirewallService runs the lines on its timer.
import { quote } from './nft-text.ts';
import { guestNetworks, HEARTBEAT_SET, heartbeatTimeoutSeconds, TABLE_FAMILY, TABLE_NAME, type RulesetInput } from './ruleset.ts';

/**
 * One transaction's lines renewing every enabled guest network's entry for the full timeout.
 * Re-adding an element keeps its old timeout, so each is first made to exist (one second),
 * deleted, and added afresh; empty when there is no guest network to serve.
 */
export function heartbeatLines(input: Pick<RulesetInput, 'networks' | 'firewall'>): string[] {
  const set = `${TABLE_FAMILY} ${TABLE_NAME} ${HEARTBEAT_SET}`;
  const timeout = heartbeatTimeoutSeconds(input.firewall);
  const interfaces = [...new Set(guestNetworks(input.networks).map((n) => n.interface))];
  return interfaces.flatMap((name) => {
    const q = quote(name);
    return [`add element ${set} { ${q} timeout 1s }`, `delete element ${set} { ${q} }`, `add element ${set} { ${q} timeout ${timeout}s }`];
  });
}
