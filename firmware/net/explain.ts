// The ruleset in words, per network, for `schoolgate net show`: read from the same tables and
// inputs the renderer uses (reach.ts), so the sentences describe what is enforced.
import type { Network } from '../config/schema.ts';
import { GUEST_TCP_PORTS, KIND_REACH, adminKinds, p2pMode } from './reach.ts';
import {
  DEFAULT_TETHERING_SUSPEND_MINUTES, dnsListenerFor, HEARTBEAT_SET, heartbeatSeconds, heartbeatTimeoutSeconds, ROUTED_ONCE, type RulesetInput,
} from './ruleset.ts';

export interface NetworkExplanation {
  network: string;
  kind: Network['kind'];
  enabled: boolean;
  lines: string[];
}

export function explainRuleset(input: RulesetInput): NetworkExplanation[] {
  const wan = input.firewall.wanInterface;
  return input.networks.map((n) => {
    if (!n.enabled) {
      return { network: n.id, kind: n.kind, enabled: false, lines: [`switched off: everything arriving from its subnets on ${n.interface} is dropped`] };
    }
    const reach = KIND_REACH[n.kind];
    const lines: string[] = [];
    lines.push(`arrives on ${n.interface}; a source outside ${n.subnets.join(', ')} is dropped (anti-spoofing)`);
    if (n.kind === 'guest' && input.portal) {
      lines.push(`a device the portal has not authorised reaches only the portal: its web requests (HTTP) are sent to the portal on ${n.gateway.ipv4}:80, everything else is refused at once`);
    }
    lines.push(reach.internetAll
      ? `the internet (through ${wan}): every port except DNS over TLS (853)`
      : `the internet (through ${wan}): web only, TCP ${GUEST_TCP_PORTS.join(' and ')}${input.firewall.guestUdp443 ? ' and UDP 443 (HTTP/3)' : ''}`);
    const others = input.networks.filter((o) => o.enabled && o.id !== n.id && reach.kinds.includes(o.kind)).map((o) => o.id);
    lines.push(others.length > 0
      ? `other school networks: may open connections to ${others.join(', ')}; nothing else (replies to connections others opened still pass)`
      : 'other school networks: none (replies to connections others opened still pass)');
    lines.push('its own clients through the gateway: refused (clients on one access point are kept apart by the APs\' client isolation, not here)');
    const v4 = dnsListenerFor(n, input.dnsListen, 4);
    lines.push(v4
      ? `DNS: answered by Schoolgate on ${v4.address}:${v4.port}; port 53 to any other resolver is redirected there`
      : 'DNS: no Schoolgate listener on its gateway address, so port 53 to other resolvers is NOT intercepted');
    lines.push((input.firewall.ipv6Forward ?? []).includes(n.id) ? 'IPv6: forwarded (firewall.ipv6Forward)' : 'IPv6: no path out (nothing can bypass filtering over v6)');
    const gateway = ['DHCP', 'DNS', 'ping', 'the block page (TCP 80, suspended devices too)', ...(input.portal ? [input.portal.port === 80 ? 'the portal (TCP 80)' : `the portal (TCP 80 and ${input.portal.port})`] : [])];
    const admin = adminKinds(input.firewall).includes(n.kind);
    if (admin) gateway.push(`the admin page (TCP ${input.admin.port})`, 'SSH');
    lines.push(`the gateway itself: ${gateway.join(', ')}; ${admin || input.portal?.port === 443 ? 'nothing else' : 'HTTPS (TCP 443) to it is reset and QUIC refused at once, so a browser sent there for a blocked name gives up quickly; nothing else'}`);
    lines.push(`live sets: suspended devices get only DNS and the gateway; addresses of known bypass services are refused on 443 (${input.firewall.learnBypassAddresses === false
      ? 'not learned: firewall.learnBypassAddresses is false, so only addresses put in bypass_v4/bypass_v6 by hand'
      : 'learned by resolving the bypass category\'s names: its starter list, and each one a device asks for'})`);
    lines.push('DNS over TLS and bypass services: each refused attempt is counted for its device and recorded as a network event (once an hour)');
    lines.push(p2pMode(n) === 'block'
      ? 'peer-to-peer: BitTorrent handshakes, DHT, uTP and tracker requests in a connection\'s first packets are refused and counted for the device (encrypted BitTorrent is not seen)'
      : 'peer-to-peer: allowed (p2p "allow")');
    const tethering = n.tethering ?? 'monitor';
    lines.push(tethering === 'off'
      ? 'tethering: not looked for (tethering "off")'
      : `tethering: a device forwarding others' traffic (TTL ${ROUTED_ONCE.join(' or ')} on arrival) is recorded as a network event${tethering === 'block' ? ` and suspended for ${input.firewall.tetheringSuspendMinutes ?? DEFAULT_TETHERING_SUSPEND_MINUTES} minutes` : ''}`);
    lines.push(n.kind === 'guest'
      ? `if Schoolgate stops: this network's entry in ${HEARTBEAT_SET} (renewed every ${heartbeatSeconds(input.firewall)} s) lapses within ${heartbeatTimeoutSeconds(input.firewall)} s, `
        + `and from then every guest, authorised or not, reaches ${input.portal ? 'only the portal' : 'nothing through the gateway (no portal is configured)'}, connections already open included (fail closed)`
      : 'if Schoolgate stops: these rules stay in force (the table outlives the daemon; only guest networks depend on its heartbeat)');
    return { network: n.id, kind: n.kind, enabled: true, lines };
  });
}
