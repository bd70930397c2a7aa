// Every address and name the lab uses, in one place, so the topology, the wan services, the
// gateway's configuration and the tests can never disagree about where something lives.
//
// The "internet" uses only the IANA documentation ranges, which nothing real answers on. The
// host of these machines sits on 192.0.2.0/24 itself, so the lab leaves that range alone: the
// isolation proof asks the lab's routing tables about the host's addresses and must hear
// "unreachable", which a lab link on the same prefix would contradict.

/** The logical namespaces of every lab; `lab.ns(name)` gives the real, per-run name. */
export const NAMESPACES = ['gw', 'wan', 'ap', 'staff', 'pupil', 'guest', 'hotspot', 'tethered'] as const;
/** Built only for a lab created with `guestIsolation: true` (a second guest, behind an isolating AP). */
export const ISOLATION_NAMESPACES = ['guest2'] as const;
export type LabNs = (typeof NAMESPACES)[number] | (typeof ISOLATION_NAMESPACES)[number];

export type SchoolNetworkId = 'staff' | 'pupil' | 'guest';

export interface SchoolNetwork {
  id: SchoolNetworkId;
  vlan: number;
  subnet: string;
  prefixLength: number;
  /** The gateway's own address on this network. */
  gateway: string;
  /** Where the DHCP pool of a lab gateway config starts and ends. */
  pool: { first: string; last: string };
}

export const SCHOOL_NETWORKS: readonly SchoolNetwork[] = [
  { id: 'staff', vlan: 10, subnet: '10.10.0.0/24', prefixLength: 24, gateway: '10.10.0.1', pool: { first: '10.10.0.100', last: '10.10.0.199' } },
  { id: 'pupil', vlan: 20, subnet: '10.20.0.0/24', prefixLength: 24, gateway: '10.20.0.1', pool: { first: '10.20.0.100', last: '10.20.0.199' } },
  { id: 'guest', vlan: 30, subnet: '10.30.0.0/24', prefixLength: 24, gateway: '10.30.0.1', pool: { first: '10.30.0.100', last: '10.30.0.199' } },
];

export function schoolNetwork(id: SchoolNetworkId): SchoolNetwork {
  const n = SCHOOL_NETWORKS.find((x) => x.id === id);
  if (!n) throw new Error(`no school network ${id}`);
  return n;
}

/** A client namespace: which school network it joins, its static address and its MAC. */
export interface LabClient {
  ns: 'staff' | 'pupil' | 'guest' | 'hotspot' | 'guest2';
  network: SchoolNetworkId;
  /** Used when the lab is created with `clients: 'static'` (until Schoolgate's DHCP lands). */
  staticAddress: string;
  /** Fixed, locally administered, so DHCP reservation tests can name a device. */
  mac: string;
}

export const CLIENTS: readonly LabClient[] = [
  { ns: 'staff', network: 'staff', staticAddress: '10.10.0.10', mac: '02:5c:00:10:00:10' },
  { ns: 'pupil', network: 'pupil', staticAddress: '10.20.0.10', mac: '02:5c:00:20:00:10' },
  { ns: 'guest', network: 'guest', staticAddress: '10.30.0.10', mac: '02:5c:00:30:00:10' },
  { ns: 'hotspot', network: 'pupil', staticAddress: '10.20.0.20', mac: '02:5c:00:20:00:20' },
];

/**
 * The second guest device of a `guestIsolation` lab: on the guest network's bridge beside
 * `guest`, both ports isolated as an access point's client isolation makes them.
 */
export const SECOND_GUEST: LabClient = { ns: 'guest2', network: 'guest', staticAddress: '10.30.0.11', mac: '02:5c:00:30:00:11' };

/** The phone's shared network: Android's usual hotspot range, private to the hotspot namespace. */
export const TETHER = {
  subnet: '192.168.43.0/24',
  prefixLength: 24,
  hotspot: '192.168.43.1',
  tethered: '192.168.43.100',
  tetheredMac: '02:5c:00:43:01:00',
} as const;

/** The gateway's uplink. */
export const WAN_LINK = {
  subnet: '203.0.113.0/24',
  prefixLength: 24,
  gw: '203.0.113.2',
  wan: '203.0.113.1',
} as const;

/** Services on the fake internet, all held by the `wan` namespace. */
export const INTERNET = {
  resolver: '198.51.100.53',
  /** Test sites, the OS captive-portal probe names and the well-known sites. */
  web: '198.51.100.80',
  /** A second web address, so a test can tell two sites apart by where they resolved. */
  web2: '198.51.100.81',
  /** Where the well-known sites' safe-search names resolve: lets a test see a rewrite happened. */
  safeSearch: '198.51.100.90',
  iperf: '198.51.100.5',
  iperfPort: 5201,
  /** The mail relay (smtp-server, started on demand by Lab.startSmtp): STARTTLS on the submission port. */
  smtp: '198.51.100.25',
  smtpPort: 587,
  /** A trust's log collector (rsyslog, started on demand by Lab.startSyslog): RFC 6587 TCP and RFC 5425 TLS. */
  syslog: '198.51.100.14',
  syslogTcpPort: 601,
  syslogTlsPort: 6514,
  httpPort: 80,
  httpsPort: 443,
} as const;

/** Every address the wan namespace owns on its loopback (the "internet" behind it). */
export const INTERNET_ADDRESSES: readonly string[] = [
  INTERNET.resolver, INTERNET.web, INTERNET.web2, INTERNET.safeSearch, INTERNET.iperf, INTERNET.smtp, INTERNET.syslog,
];

/** Interface names the gateway sees, by mode: VLAN sub-interfaces of one trunk, or one veth per network. */
export function gatewayInterface(network: SchoolNetwork, vlans: boolean): string {
  return vlans ? `trunk.${network.vlan}` : `lan-${network.id}`;
}

export const GW_WAN_INTERFACE = 'wan0';
export const CLIENT_INTERFACE = 'eth0';
/** The hotspot's side of the tethered link (Android names its soft-AP interface ap0/wlan1). */
export const HOTSPOT_SHARE_INTERFACE = 'ap0';

export const ADMIN_PORT = 8080;
