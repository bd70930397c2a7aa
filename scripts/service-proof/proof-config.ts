// What the service proof installs besides the release: the gateway's configuration for a
// container with two school networks and an uplink (veth pairs made by a oneshot unit before the
// daemon starts; veth, because some kernels have no dummy driver), so that every privileged thing the daemon does runs under the unit's
// sandbox: DNS on port 53, the block page on 80, the nftables ruleset, tc shaping, DHCP's packet
// sockets. Pure: the text of each file.
import { defaultConfig } from '../../firmware/config/defaults.ts';
import type { Config } from '../../firmware/config/schema.ts';

export const PROOF_LINKS = [
  { name: 'wan0', addresses: ['192.0.2.2/24'] },
  { name: 'staff0', addresses: ['10.10.0.1/24'] },
  // 10.20.0.5 stands in for a pupil's device: DNS questions come from it.
  { name: 'pupil0', addresses: ['10.20.0.1/24', '10.20.0.5/32'] },
] as const;

export const PUPIL_DEVICE = '10.20.0.5';
export const PUPIL_GATEWAY = '10.20.0.1';

export function proofConfig(): Config {
  const config = defaultConfig();
  const [staff, pupil] = config.networks;
  config.networks = [
    {
      ...staff!, interface: 'staff0', subnets: ['10.10.0.0/24'], gateway: { ipv4: '10.10.0.1' },
      dhcp: { enabled: true, pools: [{ first: '10.10.0.100', last: '10.10.0.200' }], leaseSeconds: 28800 },
    },
    {
      ...pupil!, interface: 'pupil0', subnets: ['10.20.0.0/24'], gateway: { ipv4: PUPIL_GATEWAY },
      dhcp: { enabled: true, pools: [{ first: '10.20.0.100', last: '10.20.0.200' }], leaseSeconds: 28800 },
    },
  ];
  // Caps on the pupils' network, so shaping puts qdiscs on its link.
  const pupilPolicy = config.policies.find((p) => p.id === pupil!.policy)!;
  pupilPolicy.bandwidth = { networkDownMbit: 50, networkUpMbit: 20, deviceDownMbit: 10, deviceUpMbit: 5 };
  config.dns.listen = [{ address: '127.0.0.1', port: 53 }, { address: '10.20.0.1', port: 53 }];
  config.web = { ...config.web, blockPage: { address: PUPIL_GATEWAY, port: 80 } };
  config.firewall = { enabled: true, wanInterface: 'wan0' };
  return config;
}

/** A oneshot unit making the proof's links before the daemon starts, as the box's network setup would. */
export function linksUnit(): string {
  const lines = PROOF_LINKS.flatMap((link) => [
    `ExecStart=/usr/sbin/ip link add ${link.name} type veth peer name ${link.name}-p`,
    ...link.addresses.map((a) => `ExecStart=/usr/sbin/ip address add ${a} dev ${link.name}`),
    `ExecStart=/usr/sbin/ip link set ${link.name}-p up`,
    `ExecStart=/usr/sbin/ip link set ${link.name} up`,
  ]);
  return `[Unit]
Description=Schoolgate service proof: the school's links (veth pairs)
Before=schoolgate.service

[Service]
Type=oneshot
RemainAfterExit=yes
${lines.join('\n')}

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The proof's drop-in: a shorter watchdog so a hung daemon is restarted within seconds, not 30;
 * still well above the longest the start keeps the event loop busy on a loaded 2-core machine.
 */
export const WATCHDOG_PROOF_SECONDS = 10;
export function watchdogDropIn(): string {
  return `[Service]\nWatchdogSec=${WATCHDOG_PROOF_SECONDS}s\n`;
}

/** Journal lines that mean the sandbox refused the daemon something. */
export function sandboxRefusals(journal: string): string[] {
  return journal.split('\n').filter((line) => /EPERM|EACCES|operation not permitted|permission denied|SIGSYS|bad system call|read-only file system|EROFS/i.test(line));
}

/**
 * The proof's drop-in for the upgrade switcher: its own ExecStart (taken from the installed unit,
 * not copied) with a shorter settling time, so a good release is kept after seconds rather than
 * the unit's two minutes; the health check's limit and everything else are the unit's.
 */
export const SETTLE_PROOF_SECONDS = 15;
export function settleDropIn(unitText: string): string {
  const execStart = unitText.split('\n').find((line) => line.startsWith('ExecStart='));
  if (execStart === undefined) throw new Error('the upgrade unit has no ExecStart= line');
  return `[Service]\nExecStart=\n${execStart} --settle ${SETTLE_PROOF_SECONDS}\n`;
}
