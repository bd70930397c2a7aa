// `npm run lab`: the product for real, on this machine. Brings the lab up, starts Schoolgate in
// gw, says how to get a shell on each "device", and removes it all on Ctrl-C.
//   node scripts/netlab/cli.ts [up] [--no-gateway] [--dhcp] [--quiet]
//   node scripts/netlab/cli.ts cleanup     remove labs whose owner process has died
//   node scripts/netlab/cli.ts list        labs on this machine and whether their owner lives
import { parseArgs } from 'node:util';
import { createLogger } from '../../firmware/log.ts';
import { CLIENTS, INTERNET, NAMESPACES, SCHOOL_NETWORKS, TETHER, WAN_LINK, schoolNetwork, type LabNs } from './addresses.ts';
import { cleanupStaleLabs, listLabs, ownerAlive } from './cleanup.ts';
import { withDhcp } from './gateway.ts';
import { Lab } from './lab.ts';

const HELP = `netlab: Schoolgate's network lab (root; network namespaces only, no route off this machine)

  node scripts/netlab/cli.ts [up]       bring the lab up with Schoolgate in gw; Ctrl-C tears it down
      --no-gateway                      leave gw without Schoolgate (routing only)
      --dhcp                            clients start without addresses, Schoolgate serves DHCP on
                                        staff, pupil and guest (get one with udhcpc/dhclient)
      --quiet                           do not echo the gateway's log
  node scripts/netlab/cli.ts cleanup    remove labs whose owner process has died
  node scripts/netlab/cli.ts list       show the labs on this machine
`;

function role(lab: Lab, ns: LabNs): string {
  const client = CLIENTS.find((c) => c.ns === ns);
  const net = (id: 'staff' | 'pupil' | 'guest'): string => schoolNetwork(id).subnet;
  switch (ns) {
    case 'gw': return `Schoolgate: ${SCHOOL_NETWORKS.map((n) => n.gateway).join(', ')}, uplink ${WAN_LINK.gw}`;
    case 'wan': return `the "internet": resolver ${INTERNET.resolver}, web ${INTERNET.web} ${INTERNET.web2}, iperf3 ${INTERNET.iperf}`;
    case 'ap': return `access points: bridges br-staff, br-pupil, br-guest (${lab.vlans ? '802.1Q trunk to gw' : 'one veth per network to gw'})`;
    case 'tethered': return `a phone's client on ${TETHER.subnet}, behind hotspot's NAT (${TETHER.tethered})`;
    default: {
      const where = client ? net(client.network) : '';
      const addr = lab.clientAddressing === 'static' && client ? client.staticAddress : 'no address yet (DHCP)';
      return `${ns === 'hotspot' ? 'a phone sharing its connection' : 'a device'} on ${client?.network} ${where}: ${addr}`;
    }
  }
}

function banner(lab: Lab): string {
  const width = Math.max(...NAMESPACES.map((n) => lab.ns(n).length));
  const rows = NAMESPACES.map((n) => `  ${n.padEnd(9)} ip netns exec ${lab.ns(n).padEnd(width)} bash    # ${role(lab, n)}`);
  const x = (ns: LabNs, cmd: string): string => `  ip netns exec ${lab.ns(ns)} ${cmd}`;
  const gw = lab.gateway?.running
    ? `Schoolgate runs in gw (pid ${lab.gateway.pid}); log ${lab.gateway.logFile}, data ${lab.gateway.dataDir}`
    : 'Schoolgate is NOT running in gw';
  return `
netlab ${lab.id} is up in ${Math.round(lab.bringUpMs)} ms: ${lab.vlans ? 'school networks on 802.1Q VLANs of one trunk' : 'one veth per school network (this kernel has no 802.1Q)'}
${gw}
Files (configs, logs, lab CA): ${lab.dir}

A shell on each machine:
${rows.join('\n')}

Try:
${x('pupil', `dig @${schoolNetwork('pupil').gateway} school.test`)}
${x('pupil', 'curl http://school.test/whoami')}
${x('pupil', `curl --cacert ${lab.tls.caFile} https://www.youtube.com/`)}
${x('staff', `curl http://${schoolNetwork('staff').gateway}:8080/`)}
${x('tethered', `curl http://${INTERNET.web}/whoami`)}
${x('staff', `iperf3 -c ${INTERNET.iperf} -t 3`)}
${x('guest', `busybox udhcpc -i eth0 -s ${lab.dir}/udhcpc.sh -q -n -f -O 114   # with --dhcp: a lease from Schoolgate`)}

Ctrl-C tears the lab down.
`;
}

async function up(flags: { gateway: boolean; dhcp: boolean; quiet: boolean }): Promise<void> {
  const log = createLogger();
  const lab = await Lab.create({ name: 'npm run lab', log, clients: flags.dhcp ? 'none' : 'static' });
  process.on('exit', () => {
    if (lab.isDestroyed) process.stderr.write(`netlab ${lab.id} torn down in ${Math.round(lab.teardownMs)} ms\n`);
  });
  if (flags.gateway) {
    try {
      const gateway = await lab.startGateway(flags.dhcp ? withDhcp(lab.gatewayConfig()) : lab.gatewayConfig());
      if (!flags.quiet) {
        process.stdout.write(`--- gateway log so far ---\n${gateway.output()}\n---\n`);
        gateway.onLine = (line) => process.stdout.write(`gw| ${line}\n`);
      }
    } catch (e) {
      process.stderr.write(`netlab: Schoolgate did not start in gw:\n${(e as Error).message}\n`);
      await lab.destroy();
      process.exitCode = 1;
      return;
    }
  }
  process.stdout.write(banner(lab));
  // The lab's own signal handlers tear it down and exit; until then, stay up.
  setInterval(() => {
    if (lab.gateway && !lab.gateway.running && lab.gateway.exit) {
      process.stderr.write(`netlab: Schoolgate exited (${JSON.stringify(lab.gateway.exit)}); the lab stays up until Ctrl-C\n`);
      lab.gateway = undefined;
    }
  }, 1000);
}

function list(): void {
  const labs = listLabs();
  if (labs.length === 0) {
    process.stdout.write('no labs on this machine\n');
    return;
  }
  for (const l of labs) process.stdout.write(`${l.id}  owner ${l.pid} ${ownerAlive(l.id) ? 'alive' : 'DEAD (cleanup removes it)'}  ${l.namespaces.length} namespaces\n`);
}

const { values, positionals } = parseArgs({
  options: {
    'no-gateway': { type: 'boolean' },
    dhcp: { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: true,
});
const command = positionals[0] ?? 'up';

if (values.help) process.stdout.write(HELP);
else if (process.getuid?.() !== 0) {
  process.stderr.write('netlab: must run as root (it creates network namespaces)\n');
  process.exitCode = 1;
} else if (command === 'cleanup') {
  const removed = cleanupStaleLabs();
  process.stdout.write(removed.length > 0 ? `removed ${removed.join(', ')}\n` : 'nothing to clean up\n');
} else if (command === 'list') list();
else if (command === 'up') await up({ gateway: !values['no-gateway'], dhcp: Boolean(values.dhcp), quiet: Boolean(values.quiet) });
else {
  process.stderr.write(`netlab: unknown command "${command}"\n\n${HELP}`);
  process.exitCode = 2;
}
