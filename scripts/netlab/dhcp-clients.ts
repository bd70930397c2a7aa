// Real DHCP clients for lab namespaces, with lab-owned hook scripts. Debian's own hooks rewrite
// /etc/resolv.conf and keep leases under /var/lib: in a namespace that would be the host's
// files. These scripts only configure the namespace's interface and record the lease as JSON.
import { writeFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIENT_INTERFACE } from './addresses.ts';

export type DhcpClient = 'udhcpc' | 'dhclient';

export interface Lease {
  client: DhcpClient;
  address: string;
  prefixLength: number;
  router?: string;
  dns: string[];
  domain?: string;
  leaseSeconds?: number;
  serverId?: string;
  /** RFC 8910 captive-portal URI (option 114) when the server sent one. */
  captivePortal?: string;
}

// Shared by both hooks: configure the interface, then write the lease file.
const APPLY = `
: "\${NETLAB_LEASE_FILE:=$(dirname "$0")/lease-$interface.json}"
apply() { # address prefix router
  ip -4 address flush dev "$IFACE"
  ip address add "$1/$2" dev "$IFACE"
  [ -n "$3" ] && ip route replace default via "$3" dev "$IFACE"
  printf '%s\\n' "$LEASE_JSON" > "$NETLAB_LEASE_FILE.tmp" && mv "$NETLAB_LEASE_FILE.tmp" "$NETLAB_LEASE_FILE"
}
unapply() { ip -4 address flush dev "$IFACE"; rm -f "$NETLAB_LEASE_FILE"; }
json_list() { first=1; printf '['; for x in $1; do [ $first = 1 ] || printf ','; printf '"%s"' "$x"; first=0; done; printf ']'; }
`;

// busybox udhcpc: $1 is deconfig|bound|renew|leasefail|nak; options arrive as variables.
const UDHCPC_SCRIPT = `#!/bin/sh
IFACE="$interface"
${APPLY}
case "$1" in
  deconfig) ip link set "$IFACE" up; unapply ;;
  bound|renew)
    router=\${router%% *}
    LEASE_JSON="{\\"client\\":\\"udhcpc\\",\\"address\\":\\"$ip\\",\\"prefixLength\\":\${mask:-24},\\"router\\":\\"$router\\",\\"dns\\":$(json_list "$dns"),\\"domain\\":\\"$domain\\",\\"leaseSeconds\\":\${lease:-0},\\"serverId\\":\\"$serverid\\",\\"captivePortalHex\\":\\"$opt114\\"}"
    apply "$ip" "\${mask:-24}" "$router" ;;
esac
exit 0
`;

// ISC dhclient: $reason, new_* variables.
const DHCLIENT_SCRIPT = `#!/bin/sh
IFACE="$interface"
${APPLY}
mask_bits() { bits=0; IFS=.; for o in $1; do case $o in 255) bits=$((bits+8));; 254) bits=$((bits+7));; 252) bits=$((bits+6));; 248) bits=$((bits+5));; 240) bits=$((bits+4));; 224) bits=$((bits+3));; 192) bits=$((bits+2));; 128) bits=$((bits+1));; esac; done; unset IFS; echo $bits; }
case "$reason" in
  PREINIT) ip link set "$IFACE" up ;;
  BOUND|RENEW|REBIND|REBOOT)
    bits=$(mask_bits "$new_subnet_mask")
    router=\${new_routers%% *}
    LEASE_JSON="{\\"client\\":\\"dhclient\\",\\"address\\":\\"$new_ip_address\\",\\"prefixLength\\":$bits,\\"router\\":\\"$router\\",\\"dns\\":$(json_list "$new_domain_name_servers"),\\"domain\\":\\"$new_domain_name\\",\\"leaseSeconds\\":\${new_dhcp_lease_time:-0},\\"serverId\\":\\"$new_dhcp_server_identifier\\"}"
    apply "$new_ip_address" "$bits" "$router" ;;
  EXPIRE|FAIL|RELEASE|STOP) unapply ;;
esac
exit 0
`;

export interface DhcpScripts {
  udhcpc: string;
  dhclient: string;
}

export async function writeDhcpScripts(dir: string): Promise<DhcpScripts> {
  const udhcpc = join(dir, 'udhcpc.sh');
  const dhclient = join(dir, 'dhclient.sh');
  await Promise.all([writeFile(udhcpc, UDHCPC_SCRIPT), writeFile(dhclient, DHCLIENT_SCRIPT)]);
  await Promise.all([chmod(udhcpc, 0o755), chmod(dhclient, 0o755)]);
  return { udhcpc, dhclient };
}

export interface DhcpArgvOptions {
  /** Return once a lease is bound (default; dhclient then renews in the background), or run in the foreground. */
  once?: boolean;
  interfaceName?: string;
  /** Extra option codes to request (udhcpc `-O`); 114 is always requested. */
  requestOptions?: number[];
  /** Options to send (udhcpc `-x OPT:VALUE`), e.g. `0x3d:01beefc0ffee01`: a client id makes the same interface a new client. */
  sendOptions?: string[];
}

export function leaseFile(dir: string, ns: string, client: DhcpClient): string {
  return join(dir, `lease-${ns}-${client}.json`);
}

/** argv for the client (to run inside the namespace) and the environment its hook needs. */
export function dhcpArgv(scripts: DhcpScripts, dir: string, ns: string, client: DhcpClient, o: DhcpArgvOptions = {}): { argv: string[]; env: NodeJS.ProcessEnv } {
  const iface = o.interfaceName ?? CLIENT_INTERFACE;
  const once = o.once ?? true;
  const env = { ...process.env, NETLAB_LEASE_FILE: leaseFile(dir, ns, client) };
  if (client === 'udhcpc') {
    const argv = ['busybox', 'udhcpc', '-i', iface, '-s', scripts.udhcpc, '-f', '-t', '5', '-T', '1', '-A', '1', '-O', '114'];
    for (const code of o.requestOptions ?? []) argv.push('-O', String(code));
    for (const option of o.sendOptions ?? []) argv.push('-x', option);
    if (once) argv.push('-q', '-n');
    return { argv, env };
  }
  // dhclient runs its hook with a clean environment: the lease file reaches it through a wrapper.
  const hook = join(dir, `dhclient-${ns}.sh`);
  writeFileSync(hook, `#!/bin/sh\nNETLAB_LEASE_FILE='${env.NETLAB_LEASE_FILE}' exec ${scripts.dhclient}\n`, { mode: 0o755 });
  const argv = ['dhclient', '-v', '-sf', hook, '-lf', join(dir, `dhclient-${ns}.leases`), '-pf', join(dir, `dhclient-${ns}.pid`)];
  // dhclient has no "exit once bound": with -1 it gives up if no lease comes, and once bound it
  // goes to the background to renew (inside the namespace, so the lab's teardown ends it).
  argv.push(once ? '-1' : '-d');
  argv.push(iface);
  return { argv, env };
}

export async function readLease(dir: string, ns: string, client: DhcpClient): Promise<Lease | undefined> {
  let raw: string;
  try {
    raw = await readFile(leaseFile(dir, ns, client), 'utf8');
  } catch {
    return undefined;
  }
  const j = JSON.parse(raw) as Record<string, unknown> & { captivePortalHex?: string };
  const lease: Lease = {
    client,
    address: String(j.address),
    prefixLength: Number(j.prefixLength),
    dns: Array.isArray(j.dns) ? j.dns.map(String) : [],
  };
  if (j.router) lease.router = String(j.router);
  if (j.domain) lease.domain = String(j.domain);
  if (j.leaseSeconds) lease.leaseSeconds = Number(j.leaseSeconds);
  if (j.serverId) lease.serverId = String(j.serverId);
  if (j.captivePortalHex) lease.captivePortal = Buffer.from(j.captivePortalHex, 'hex').toString();
  return lease;
}
