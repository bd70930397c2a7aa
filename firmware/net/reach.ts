// What each kind of network may reach, as data: the ruleset renderer turns it into nftables
// rules and `net show` into sentences, so the two can never tell different stories.
import type { Firewall, NetworkKind } from '../config/schema.ts';

export interface KindReach {
  /** Every port to the internet (false: only what `internetPorts` lists). */
  internetAll: boolean;
  /** Other kinds of school network this kind may open connections to. */
  kinds: readonly NetworkKind[];
}

/**
 * Default deny: a kind reaches only what is listed. Staff may reach pupil networks (a teacher's
 * class view, casting) but not the other way round; replies always pass (connection tracking),
 * so "pupil cannot reach staff" never breaks a connection staff opened.
 */
export const KIND_REACH: Readonly<Record<NetworkKind, KindReach>> = {
  management: { internetAll: true, kinds: ['staff', 'pupil', 'school-devices', 'guest'] },
  staff: { internetAll: true, kinds: ['pupil', 'school-devices', 'management'] },
  pupil: { internetAll: true, kinds: ['school-devices'] },
  'school-devices': { internetAll: true, kinds: [] },
  // Guests get web browsing only, and never another school network.
  guest: { internetAll: false, kinds: [] },
};

export const GUEST_TCP_PORTS = [80, 443] as const;

export const DEFAULT_ADMIN_FROM: readonly NetworkKind[] = ['staff', 'management'];

export function adminKinds(firewall: Firewall): readonly NetworkKind[] {
  return firewall.adminFrom ?? DEFAULT_ADMIN_FROM;
}

/**
 * Kinds whose peer-to-peer traffic is dropped unless the network says `p2p: "allow"`: the
 * schools' AUPs forbid P2P file sharing to pupils and on public Wi-Fi; staff, school devices and
 * management keep it unless the network says otherwise (legitimate large downloads, such as Linux
 * images, travel over BitTorrent).
 */
export const P2P_BLOCKED_KINDS: readonly NetworkKind[] = ['pupil', 'guest'];

export function p2pMode(network: { kind: NetworkKind; p2p?: 'allow' | 'block' | undefined }): 'allow' | 'block' {
  return network.p2p ?? (P2P_BLOCKED_KINDS.includes(network.kind) ? 'block' : 'allow');
}
