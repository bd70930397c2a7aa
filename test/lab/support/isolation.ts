// Evidence that a lab has no way out, gathered without sending a single packet: what links
// each namespace holds, where their far ends are, and what the routing tables say.
import { readlinkSync, statSync } from 'node:fs';
import { exec, check } from '../../../scripts/netlab/exec.ts';

interface IpLink {
  ifname: string;
  link_type?: string;
  link_netnsid?: number;
  link?: string;
  linkinfo?: { info_kind?: string };
}

async function links(ns: string | undefined): Promise<IpLink[]> {
  const argv = ns ? ['ip', '-n', ns, '-j', '-d', 'link', 'show'] : ['ip', '-j', '-d', 'link', 'show'];
  return JSON.parse(check(await exec(argv)).stdout) as IpLink[];
}

/** nsid (as this namespace numbers its peers) -> namespace name, when the peer has one in /run/netns. */
async function peerNames(ns: string | undefined): Promise<Map<number, string | undefined>> {
  const argv = ns ? ['ip', '-n', ns, '-j', 'netns', 'list-id'] : ['ip', '-j', 'netns', 'list-id'];
  const out = check(await exec(argv)).stdout.trim();
  const list = (out ? JSON.parse(out) : []) as { nsid: number; name?: string }[];
  return new Map(list.map((e) => [e.nsid, e.name]));
}

/** Every interface that is not loopback, a bridge, a veth into another lab namespace, or a VLAN on one of those. */
export async function foreignLinks(namespaces: readonly string[]): Promise<string[]> {
  const lab = new Set(namespaces);
  const problems: string[] = [];
  for (const ns of namespaces) {
    const [ifs, peers] = await Promise.all([links(ns), peerNames(ns)]);
    const byName = new Map(ifs.map((i) => [i.ifname, i]));
    for (const i of ifs) {
      const kind = i.linkinfo?.info_kind;
      const where = `${ns}: ${i.ifname}`;
      if (i.link_type === 'loopback' && i.ifname === 'lo') continue;
      if (kind === 'bridge') continue;
      if (kind === 'veth') {
        if (i.link_netnsid === undefined) problems.push(`${where} is a veth whose peer is in the same namespace`);
        else {
          const peer = peers.get(i.link_netnsid);
          if (!peer || !lab.has(peer)) problems.push(`${where} is a veth whose peer is in namespace ${peer ?? `nsid ${i.link_netnsid} (unnamed: the host or a foreign one)`}`);
        }
        continue;
      }
      if (kind === 'vlan') {
        const parent = i.link ? byName.get(i.link) : undefined;
        if (parent?.linkinfo?.info_kind !== 'veth') problems.push(`${where} is a VLAN on ${i.link ?? 'an interface outside this namespace'}`);
        continue;
      }
      problems.push(`${where} is a ${kind ?? i.link_type ?? 'device of unknown kind'}`);
    }
  }
  return problems;
}

/** Host interfaces whose veth peer lives in one of `namespaces` (there must be none). */
export async function hostLinksIntoLab(namespaces: readonly string[]): Promise<string[]> {
  const lab = new Set(namespaces);
  const [ifs, peers] = await Promise.all([links(undefined), peerNames(undefined)]);
  return ifs.filter((i) => i.link_netnsid !== undefined && lab.has(peers.get(i.link_netnsid) ?? '')).map((i) => i.ifname);
}

export function namespaceInode(realName: string): number {
  return statSync(`/run/netns/${realName}`).ino;
}

function inodeOf(link: string): number {
  return Number(link.slice(link.indexOf('[') + 1, -1));
}

/** The namespaces this test runs in and its parent (vitest) runs in: the host's. */
export function hostNamespaceInodes(): number[] {
  const own = inodeOf(readlinkSync('/proc/self/ns/net'));
  try {
    return [own, inodeOf(readlinkSync(`/proc/${process.ppid}/ns/net`))];
  } catch {
    return [own];
  }
}

/** The host's own addresses (both families, loopback excluded), its gateways and its resolvers. */
export async function hostDestinations(): Promise<string[]> {
  const addrs = JSON.parse(check(await exec(['ip', '-j', 'address', 'show'])).stdout) as { addr_info: { local: string; family: string; scope: string }[] }[];
  const out = new Set<string>();
  for (const link of addrs) {
    for (const a of link.addr_info) if (a.scope === 'global') out.add(a.local);
  }
  for (const family of ['-4', '-6']) {
    const routes = JSON.parse(check(await exec(['ip', family, '-j', 'route', 'show', 'default'])).stdout) as { gateway?: string }[];
    for (const r of routes) if (r.gateway) out.add(r.gateway);
  }
  out.add('10.255.255.53');
  return [...out];
}

/** `ip route get` in a namespace: null when the kernel says there is no route. */
export async function routeTo(ns: string, destination: string): Promise<string | null> {
  const r = await exec(['ip', '-n', ns, 'route', 'get', destination]);
  return r.code === 0 ? r.stdout.trim() : null;
}
