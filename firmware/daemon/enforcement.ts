// Enforcement's wiring: DHCP (which tells DNS and shaping who holds each address), the nftables
// firewall with the suspensions stored in state.db, bandwidth shaping, and the watches that act
// on what the firewall sees (tethering, repeated attempts, DNS-bypass learning).
import type { ConfigStore } from '../config/store.ts';
import { DhcpService } from '../dhcp/service.ts';
import type { DnsThreads } from '../dns/listen/dns-threads.ts';
import type { DnsService } from '../dns/service.ts';
import type { Logger } from '../log.ts';
import { nftRunner } from '../net/apply.ts';
import { AttemptsWatch } from '../net/attempts-watch.ts';
import type { BypassLearner } from '../net/bypass-learner.ts';
import { startBypassLearning } from '../net/bypass-learning.ts';
import { FirewallService } from '../net/service.ts';
import { toolRunner } from '../net/shaping/kernel.ts';
import { ShapingService } from '../net/shaping/service.ts';
import { allSuspensionLines, suspensionEnforcer, type SuspensionEnforcer } from '../net/suspensions.ts';
import { TetheringWatch } from '../net/tethering-watch.ts';
import type { StateDatabase } from '../state/database.ts';
import type { Stops } from './stops.ts';

export interface Enforcement {
  readonly shaping: ShapingService;
  readonly dhcp: DhcpService;
  readonly firewall: FirewallService;
  /** Puts every suspension in force into the firewall's set (again, when the firewall is switched on). */
  readonly loadSuspensions: () => Promise<void>;
}

export async function startEnforcement(o: {
  config: ConfigStore; state: StateDatabase; dnsThreads: DnsThreads; logger: Logger; stops: Stops;
}): Promise<Enforcement> {
  const { config, state, dnsThreads, logger, stops } = o;
  // After DNS: every lease in force is put in DNS's directory before the first new one is given.
  // Before DHCP, which tells it (with DNS) who holds each address from its first lease on.
  const shaping = new ShapingService({
    run: toolRunner(), logger: logger.child({ component: 'shaping' }),
    device: (mac) => state.devices.get(mac),
    storeCaps: (mac, caps, record) => state.transaction(() => {
      const device = state.devices.setCaps(mac, caps);
      record(device);
      return device;
    }),
  });
  const directory = {
    setDevice: (address: number, mac: string | undefined, group?: string | null): void => {
      dnsThreads.setDevice(address, mac, group);
      shaping.setAddress(address, mac);
    },
  };
  const dhcp = new DhcpService({ config: config.current, state, directory, logger: logger.child({ component: 'dhcp' }) });
  dhcp.start();
  stops.push(() => dhcp.stop());
  // Refuse to start with a firewall the configuration asks for but the kernel refused: a
  // gateway quietly running without it would let guests reach what the school believes is shut.
  const firewall = new FirewallService({ run: nftRunner(), logger: logger.child({ component: 'net' }) });
  stops.push(() => firewall.stop());
  await firewall.apply(config.current).catch((err: Error) => {
    throw new Error(`cannot apply the nftables ruleset (firewall.enabled): ${err.message}`);
  });
  // Every suspension still in force, from state.db: the table may be new (a reboot) or carry
  // elements a technician has since lifted or changed while the daemon was down.
  const loadSuspensions = async (): Promise<void> => {
    const lines = allSuspensionLines(state.devices.list(), new Date());
    if (await firewall.changeElements(lines)) logger.info({ devices: lines.length / 3 }, 'suspensions loaded into the firewall');
  };
  await loadSuspensions().catch((err: Error) => {
    throw new Error(`cannot load the suspended devices into the nftables set: ${err.message}`);
  });
  // Shaping failing is no reason to stop serving: status and net show say why it failed.
  await shaping.apply(config.current).catch((err: Error) => logger.error({ err }, 'bandwidth shaping could not be applied'));
  return { shaping, dhcp, firewall, loadSuspensions };
}

export interface NetworkWatches {
  readonly suspensions: SuspensionEnforcer;
  readonly tethering: TetheringWatch;
  readonly attempts: AttemptsWatch;
  readonly bypass: BypassLearner;
}

/** Started once the portal's guests are in the firewall's set. */
export function startNetworkWatches(o: {
  config: ConfigStore; state: StateDatabase; dns: DnsService; firewall: FirewallService; logger: Logger; stops: Stops;
}): NetworkWatches {
  const { config, state, dns, firewall, logger, stops } = o;
  const suspensions = suspensionEnforcer((lines) => firewall.changeElements(lines), () => new Date());
  const tethering = new TetheringWatch({
    run: nftRunner(), enabled: () => firewall.stats().enabled, config: () => config.current, state, suspensions,
    now: () => new Date(), logger: logger.child({ component: 'net' }),
  });
  tethering.start();
  stops.push(() => tethering.stop());
  const attempts = new AttemptsWatch({
    run: nftRunner(), enabled: () => firewall.stats().enabled, config: () => config.current, state,
    change: (lines) => firewall.changeElements(lines), now: () => new Date(), logger: logger.child({ component: 'net' }),
  });
  attempts.start();
  stops.push(() => attempts.stop());
  const bypass = startBypassLearning({
    events: dns.events, upstreams: () => dns.stats().upstreams, config: () => config.current,
    enabled: () => firewall.stats().enabled, change: (lines) => firewall.changeElements(lines), logger: logger.child({ component: 'net' }),
  });
  stops.push(() => bypass.stop());
  return { suspensions, tethering, attempts, bypass };
}
