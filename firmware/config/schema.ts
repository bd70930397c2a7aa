// The configuration document's one schema. Every other shape (API bodies, CLI --json output,
// the web UI's forms) derives from these types, so a field is added here once and nowhere else.
import { Type, type Static } from 'typebox';

export const CONFIG_VERSION = 2;

export { Cidr, Endpoint, Hhmm, Hostname, Id, IpAddress, Port } from './schema-common.ts';
import { PortalSettings } from './portal-schema.ts';
import { AupSettings } from './aup-schema.ts';
import { ReviewSettings } from './review-schema.ts';
import { Endpoint, Hhmm, Hostname, Id, IpAddress, Port, Cidr } from './schema-common.ts';
import { Alerts } from './alerts-schema.ts';
import { PolicyBandwidth } from './bandwidth-schema.ts';
import { ReportsSettings } from './reports-schema.ts';
import { SyslogSettings } from './syslog-schema.ts';
import { MetricsSettings } from './metrics-schema.ts';
import { BackupSettings } from './backup-schema.ts';
import { ClassSettings, ClassUnlock } from './classes-schema.ts';
import { InvestigationEntry } from './investigations-schema.ts';

// The five values of the schools' AUP tables, in the order the tables print them.
export const Disposition = Type.Union([
  Type.Literal('acceptable'),
  Type.Literal('acceptable-at-certain-times'),
  Type.Literal('acceptable-for-nominated-users'),
  Type.Literal('unacceptable'),
  Type.Literal('unacceptable-and-illegal'),
]);
export type Disposition = Static<typeof Disposition>;

export const NetworkKind = Type.Union([
  Type.Literal('staff'),
  Type.Literal('pupil'),
  Type.Literal('guest'),
  Type.Literal('school-devices'),
  Type.Literal('management'),
]);
export type NetworkKind = Static<typeof NetworkKind>;

// A MAC address as the configuration stores it: the canonical spelling state.db uses too.
export const ConfigMac = Type.String({
  pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$',
  description: 'a device MAC address, lower-case hex pairs separated by colons, e.g. 3c:22:fb:01:a2:9e',
});

export const DhcpRange = Type.Object({
  first: IpAddress,
  last: IpAddress,
}, { additionalProperties: false, description: 'a range of IPv4 addresses handed out, both ends included' });
export type DhcpRange = Static<typeof DhcpRange>;

export const DHCP_RATE_LIMIT_DEFAULTS = { perMacPerMinute: 6, perNetworkPerMinute: 300 } as const;

export const DhcpRateLimit = Type.Object({
  perMacPerMinute: Type.Integer({ minimum: 1, maximum: 600, description: `new leases one MAC address may take per minute (default ${DHCP_RATE_LIMIT_DEFAULTS.perMacPerMinute}); renewals are never limited` }),
  perNetworkPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000, description: `new leases the whole network may hand out per minute, with a burst of the same size (default ${DHCP_RATE_LIMIT_DEFAULTS.perNetworkPerMinute}); renewals are never limited` }),
}, { additionalProperties: false });
export type DhcpRateLimit = Static<typeof DhcpRateLimit>;

export const NetworkDhcp = Type.Object({
  enabled: Type.Boolean(),
  pools: Type.Array(DhcpRange, { maxItems: 16, description: "ranges inside the network's IPv4 subnet, excluding the gateway's address" }),
  leaseSeconds: Type.Integer({ minimum: 120, maximum: 7 * 86400, description: 'lease time given to clients (seconds); renewal at half, rebinding at seven eighths' }),
  domain: Type.Optional(Hostname),
  captivePortal: Type.Optional(Type.String({ minLength: 9, maxLength: 255, pattern: '^https://[^\\s]+$', description: 'the RFC 8908 API URI sent as option 114 (RFC 8910 requires https); guest networks only. Default: https://GATEWAY/api/captive-portal when web.portal is configured (the portal answers plain HTTP only, so devices fall back to their HTTP probes)' })),
  rateLimit: Type.Optional(DhcpRateLimit),
}, { additionalProperties: false, description: 'the DHCP server on this network (IPv4)' });
export type NetworkDhcp = Static<typeof NetworkDhcp>;

export const Reservation = Type.Object({
  mac: ConfigMac,
  address: IpAddress,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "the device's friendly name, given to the device table" })),
  group: Type.Optional(Id),
  network: Type.Optional(Id),
}, { additionalProperties: false, description: 'this MAC always gets this address (on the DHCP network whose subnet holds it)' });
export type Reservation = Static<typeof Reservation>;

export const Tethering = Type.Union([Type.Literal('off'), Type.Literal('monitor'), Type.Literal('block')], {
  description: 'a device sharing its connection (a hotspot), seen by the TTL of what it forwards: monitor (default) records a network event, '
    + 'block also suspends the device (firewall.tetheringSuspendMinutes), off does not look (a network whose clients arrive through a router)',
});
export type Tethering = Static<typeof Tethering>;

export const P2p = Type.Union([Type.Literal('allow'), Type.Literal('block')], {
  description: 'peer-to-peer file sharing (BitTorrent handshakes, DHT, uTP, tracker announces) seen in the first packets of a connection: '
    + 'block drops them and counts each device\'s attempts as a network event; default block on pupil and guest networks, allow on the others',
});
export type P2p = Static<typeof P2p>;

export const Network = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  kind: NetworkKind,
  enabled: Type.Boolean({ default: true }),
  ssid: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'the Wi-Fi name the access points broadcast for this network (a label: the APs own the radio)' })),
  interface: Type.String({ pattern: '^[A-Za-z0-9._-]{1,15}$', description: 'the Linux interface (or VLAN sub-interface) this network arrives on' }),
  vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094 })),
  subnets: Type.Array(Cidr, { minItems: 1, maxItems: 8 }),
  gateway: Type.Object({
    ipv4: Type.Optional(IpAddress),
    ipv6: Type.Optional(IpAddress),
  }, { additionalProperties: false, description: "the gateway's own address on this network: DNS server, router and block page" }),
  policy: Id,
  // Optional so a v2 file written before DHCP existed still loads (absent means no DHCP server).
  dhcp: Type.Optional(NetworkDhcp),
  tethering: Type.Optional(Tethering),
  p2p: Type.Optional(P2p),
}, { additionalProperties: false });
export type Network = Static<typeof Network>;

export const CategoryRule = Type.Object({
  disposition: Disposition,
  schedule: Type.Optional(Id),
  groups: Type.Optional(Type.Array(Id, { maxItems: 64 })),
  watch: Type.Optional(Type.Boolean({ description: 'allowed, but every visit is an alert for the weekly review' })),
}, { additionalProperties: false });
export type CategoryRule = Static<typeof CategoryRule>;

export const SafeSearch = Type.Union([Type.Literal('off'), Type.Literal('moderate'), Type.Literal('strict')]);

export const Policy = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  categories: Type.Record(Id, CategoryRule, { additionalProperties: false }),
  safeSearch: SafeSearch,
  blockAnswer: Type.Union([Type.Literal('block-page'), Type.Literal('nxdomain'), Type.Literal('null-address')], { default: 'block-page' }),
  // Optional so files written before shaping existed still load (absent means no caps).
  bandwidth: Type.Optional(PolicyBandwidth),
}, { additionalProperties: false });
export type Policy = Static<typeof Policy>;

export const Weekday = Type.Union([
  Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'),
  Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun'),
]);
// A school term (site.terms), both dates included, on the site's calendar.
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date, YYYY-MM-DD' });
export const Term = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64, description: 'e.g. "Autumn 1"' }),
  start: IsoDate,
  end: IsoDate,
}, { additionalProperties: false, description: 'a term: its first and last school days, both included' });
export type Term = Static<typeof Term>;

export const Schedule = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  // Optional so files written before term dates existed still load (absent means every week).
  termTimeOnly: Type.Optional(Type.Boolean({ description: 'active only on dates inside one of site.terms (never, if there are none)' })),
  windows: Type.Array(Type.Object({
    days: Type.Array(Weekday, { minItems: 1, maxItems: 7 }),
    from: Hhmm,
    to: Hhmm,
  }, { additionalProperties: false }), { minItems: 1, maxItems: 32 }),
}, { additionalProperties: false });
export type Schedule = Static<typeof Schedule>;

export const DeviceGroup = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  policy: Type.Optional(Id),
}, { additionalProperties: false });
export type DeviceGroup = Static<typeof DeviceGroup>;

export const Upstream = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  address: IpAddress,
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 53 }),
}, { additionalProperties: false });
export type Upstream = Static<typeof Upstream>;

export const DnsCache = Type.Object({
  maxEntries: Type.Integer({ minimum: 0, maximum: 10_000_000, description: '0 turns the cache off' }),
  minTtl: Type.Integer({ minimum: 0, maximum: 86400, description: 'answers are kept at least this long (seconds)' }),
  maxTtl: Type.Integer({ minimum: 1, maximum: 604800, description: 'answers are kept at most this long (seconds)' }),
  negativeTtl: Type.Integer({ minimum: 0, maximum: 86400, description: 'longest time NXDOMAIN/NODATA answers are kept (seconds)' }),
  staleTtl: Type.Integer({ minimum: 0, maximum: 604800, description: 'how long past expiry an answer may still be served while every upstream is down (seconds)' }),
}, { additionalProperties: false });
export type DnsCache = Static<typeof DnsCache>;

export const UdpIo = Type.Union([Type.Literal('auto'), Type.Literal('batched'), Type.Literal('node')], {
  description: "how the UDP listeners reach the kernel: batched (the netio addon's recvmmsg/sendmmsg, least CPU per question), node (Node's dgram), or auto (batched where the addon was built, otherwise node)",
});
export type UdpIo = Static<typeof UdpIo>;

export const Dns = Type.Object({
  listen: Type.Array(Endpoint, { minItems: 1, maxItems: 16, description: 'UDP and TCP listeners for client questions' }),
  upstreams: Type.Array(Upstream, { maxItems: 8, description: 'resolvers to forward to, tried in order; empty means the system resolvers (/etc/resolv.conf)' }),
  upstreamTimeoutMs: Type.Integer({ minimum: 100, maximum: 10000, default: 1500 }),
  rateLimitPerSecond: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 200, description: 'questions per second per client before it is refused' }),
  blockTtl: Type.Integer({ minimum: 0, maximum: 3600, description: 'TTL of block answers (seconds): short, so an exception takes effect quickly' }),
  localDomain: Hostname,
  cache: DnsCache,
  upstreamBlocks: Type.Object({
    addresses: Type.Array(IpAddress, { maxItems: 32, description: "the filtering provider's block-page addresses: an upstream answer pointing at one is recorded as blocked upstream" }),
    extendedErrors: Type.Boolean({ description: 'treat answers carrying an Extended DNS Error "Blocked", "Censored" or "Filtered" (RFC 8914 codes 15-17) as blocked upstream' }),
  }, { additionalProperties: false, description: "recognising the school's filtering resolver (e.g. an IWF member) blocking a name" }),
  rebindingProtection: Type.Object({
    enabled: Type.Boolean(),
    allowedDomains: Type.Array(Hostname, { maxItems: 256, description: 'names (and their subdomains) whose public answers may be private addresses' }),
  }, { additionalProperties: false }),
  // Optional so a v2 file written before the setting existed still loads (absent means 1).
  threads: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'threads answering UDP questions on the same port (SO_REUSEPORT); 1 keeps everything on the main thread. TCP is always answered by the main thread' })),
  // Optional for the same reason (absent means auto).
  udpIo: Type.Optional(UdpIo),
}, { additionalProperties: false });
export type Dns = Static<typeof Dns>;

export const ListFormat = Type.Union([
  Type.Literal('domains'),
  Type.Literal('hosts'),
  Type.Literal('adblock'),
  Type.Literal('regex'),
  Type.Literal('rpz'),
  Type.Literal('sha256'),
], {
  description: 'domains: one name a line (*.x for subdomains); hosts: "0.0.0.0 name"; '
    + 'adblock: "||name^" rules, "@@||name^" exceptions, /regex/ (browser-only rules skipped); '
    + 'regex: one regular expression a line, matched case-insensitively against the whole name; '
    + 'rpz: a response policy zone file (CNAME . / *. / rpz-drop. block, rpz-passthru. allows); '
    + 'sha256: one hex SHA-256 a line of the lower-case punycode name without trailing dot (restricted lists)',
});
export type ListFormat = Static<typeof ListFormat>;

export const ListFeed = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://', description: 'where the list is downloaded from (HTTP or HTTPS)' }),
  schedule: Type.String({ minLength: 9, maxLength: 64, description: 'when to fetch it, as a cron expression in the site time zone, e.g. "17 3 * * *"' }),
  maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 512 * 1024 * 1024, description: 'a download larger than this is refused (default 64 MiB)' })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'pin the content: a download with another checksum is refused' })),
}, { additionalProperties: false });
export type ListFeed = Static<typeof ListFeed>;

export const ListSource = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 120 }),
  category: Id,
  file: Type.String({ minLength: 1, maxLength: 4096, description: 'the list file: "builtin:ID" for a list shipped in rules/categories/, a relative path for DATA_DIR/lists/, or an absolute path' }),
  format: ListFormat,
  action: Type.Optional(Type.Union([Type.Literal('block'), Type.Literal('allow')], { description: 'allow lists let their names through every category (never a restricted list); default block' })),
  restricted: Type.Optional(Type.Boolean({ description: 'illegal content (IWF/CTIRU-style): blocked on every network, never excepted, entries never shown' })),
  feed: Type.Optional(ListFeed),
  enabled: Type.Boolean(),
  testName: Type.Optional(Type.String({ minLength: 3, maxLength: 253, pattern: '^[a-z0-9_.-]+$', description: 'a name this list holds (e.g. the provider\'s published test entry) that the filter self-test asks on every network: the run fails if the list no longer holds it' })),
}, { additionalProperties: false });
export type ListSource = Static<typeof ListSource>;

export const FilterException = Type.Object({
  id: Id,
  domain: Hostname,
  action: Type.Union([Type.Literal('allow'), Type.Literal('block')]),
  networks: Type.Optional(Type.Array(Id, { maxItems: 32, description: 'limit to these networks (default: all)' })),
  groups: Type.Optional(Type.Array(Id, { maxItems: 64, description: 'limit to devices in these groups (default: all)' })),
  // The head approving a single device (a pupil's smartwatch): matched on the MAC a lease names,
  // so a device no lease names never matches.
  devices: Type.Optional(Type.Array(ConfigMac, { minItems: 1, maxItems: 16, uniqueItems: true, description: 'limit to these devices, by MAC address (with the networks and groups, not instead of them; default: every device)' })),
  reason: Type.String({ minLength: 3, maxLength: 500 }),
  requestedBy: Type.String({ minLength: 1, maxLength: 120 }),
  expires: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });
export type FilterException = Static<typeof FilterException>;

export const Retention = Type.Object({
  queryEventsDays: Type.Integer({ minimum: 1, maximum: 400, description: 'days each DNS question is kept' }),
  // Optional so a file from before hourly rollups had their own setting still loads.
  hourlyRollupsDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'days the hourly counts per device are kept (default 90)' })),
  rollupsDays: Type.Integer({ minimum: 1, maximum: 3660, description: 'days the daily counts per device are kept' }),
  visitorRecordsDays: Type.Integer({ minimum: 1, maximum: 3660 }),
  // Optional so a file from before network events had their own setting still loads.
  networkEventsDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'days network events (tethering, bypass attempts, each naming a device) are kept (default 90)' })),
  // Optional so a file from before alerts had their own setting still loads.
  alertsDays: Type.Optional(Type.Integer({ minimum: 30, maximum: 3660, description: 'days an acknowledged alert is kept after its last occurrence (default 400); open alerts are kept until acknowledged' })),
}, { additionalProperties: false });
export type Retention = Static<typeof Retention>;

export const WebHttps = Type.Object({
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'the HTTPS port on the gateway address of each network firewall.adminFrom names (default 443)' })),
  hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$', description: 'the name staff type, also in the certificate (default schoolgate.local)' })),
}, { additionalProperties: false });
export type WebHttps = Static<typeof WebHttps>;

export const Web = Type.Object({
  admin: Endpoint,
  // Set, the visitor portal is on: guest devices are captive until authorised, and the web surface
  // serves the portal on port 80 of each guest gateway address. The endpoint is one more listener
  // of the surface (older files named the portal's own listener here; they load unchanged).
  portal: Type.Optional(Type.Object(Endpoint.properties, { additionalProperties: false, description: 'turns the visitor portal on (guests captive until authorised); served on port 80 of each guest gateway address by the web surface. This address and port are one more place the surface listens (the guest gateway address and 80 add nothing; a demo on loopback uses another port)' })),
  // The web surface (block page, visitor portal) always listens on port 80 of every enabled
  // network's gateway address that is not loopback; this adds one more endpoint, for the demo,
  // whose networks are on loopback ranges where port 80 needs root.
  blockPage: Type.Optional(Endpoint),
  // Optional: the loopback demo (npm start) has plain HTTP on web.admin only. With it, the admin
  // UI also answers HTTPS on the gateway's staff and management addresses, with a certificate
  // made at first start.
  https: Type.Optional(WebHttps),
  sessions: Type.Optional(Type.Object({
    idleMinutes: Type.Integer({ minimum: 5, maximum: 480, description: 'a signed-in session ends after this long unused (default 30)' }),
    absoluteHours: Type.Integer({ minimum: 1, maximum: 24, description: 'and after this long however busy (default 12)' }),
  }, { additionalProperties: false })),
  signInsPerMinute: Type.Optional(Type.Integer({ minimum: 3, maximum: 600, description: 'sign-in and setup attempts one address may make in a minute, right or wrong (default 10); the six-wrong-passwords lockout of each account applies whatever this is' })),
}, { additionalProperties: false });
export type Web = Static<typeof Web>;

// Network enforcement (firmware/net/). Optional and off unless asked: applying a ruleset needs
// root and a real uplink, which the embedded demo (npm start, loopback networks) has neither of.
export const Firewall = Type.Object({
  enabled: Type.Boolean({ description: "apply Schoolgate's nftables table (inet schoolgate) at start and on every configuration change" }),
  wanInterface: Type.String({ pattern: '^[A-Za-z0-9._-]{1,15}$', description: 'the uplink towards the internet: NAT goes out of it, and it is what "the internet" means in every rule' }),
  nat: Type.Optional(Type.Boolean({ description: 'masquerade the school networks behind the uplink address (default true)' })),
  guestUdp443: Type.Optional(Type.Boolean({ description: 'guests may also use UDP 443 (HTTP/3, QUIC); default false, so browsers fall back to TCP 443' })),
  adminFrom: Type.Optional(Type.Array(NetworkKind, { maxItems: 5, description: 'network kinds that may reach the admin listener and SSH on the gateway (default staff and management)' })),
  ipv6Forward: Type.Optional(Type.Array(Id, { maxItems: 32, description: 'networks whose IPv6 traffic may be forwarded (default none: no IPv6 path out, so nothing bypasses filtering over v6)' })),
  tetheringSuspendMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080, description: 'how long a device found tethering on a network with tethering "block" is suspended (default 60)' })),
  learnBypassAddresses: Type.Optional(Type.Boolean({ description: 'resolve the names of the bypass category (the starter list at start, and each one a device asks for) and refuse their addresses on 443 (default true). '
    + 'Addresses in the shared CDN ranges of rules/shared-hosting/ are never refused: thousands of unrelated sites share them' })),
  heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, description: 'how often the daemon tells the ruleset it is serving the guest networks (default 10); if it stops, guests are back to the portal only after 3 times this' })),
}, { additionalProperties: false });
export type Firewall = Static<typeof Firewall>;

export const Config = Type.Object({
  version: Type.Literal(CONFIG_VERSION),
  site: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 120, description: "the school's name, shown on the block page and the portal" }),
    timezone: Type.String({ minLength: 1, maxLength: 64, default: 'Europe/London' }),
    // Optional so files written before term dates existed still load.
    terms: Type.Optional(Type.Array(Term, { maxItems: 24, description: 'the school\'s terms, for schedules marked "term time only"' })),
  }, { additionalProperties: false }),
  networks: Type.Array(Network, { minItems: 1, maxItems: 32 }),
  policies: Type.Array(Policy, { minItems: 1, maxItems: 64 }),
  schedules: Type.Array(Schedule, { maxItems: 64 }),
  deviceGroups: Type.Array(DeviceGroup, { maxItems: 256 }),
  lists: Type.Array(ListSource, { maxItems: 256 }),
  exceptions: Type.Array(FilterException, { maxItems: 10_000 }),
  // Optional so a v2 file written before DHCP existed still loads (absent means none).
  reservations: Type.Optional(Type.Array(Reservation, { maxItems: 4096 })),
  // Optional so a v2 file written before enforcement existed still loads (absent means off).
  firewall: Type.Optional(Firewall),
  dns: Dns,
  web: Web,
  retention: Retention,
  // Optional: without it alerts are stored for the web UI and the CLI but sent nowhere.
  alerts: Type.Optional(Alerts),
  // Optional: without it the visitor portal shows its built-in terms.
  portal: Type.Optional(PortalSettings),
  // Optional: without it no network shows the AUP splash.
  aup: Type.Optional(AupSettings),
  // Optional: without it the governor report is made on demand only.
  reports: Type.Optional(ReportsSettings),
  // Optional: without it the weekly review's reminder is Monday 09:00 and its deadline Friday 17:00.
  review: Type.Optional(ReviewSettings),
  // Optional: without it nothing is forwarded to a trust's collector (firmware/fleet/).
  syslog: Type.Optional(SyslogSettings),
  // Optional: without it /metrics answers loopback and signed-in staff only.
  metrics: Type.Optional(MetricsSettings),
  // Optional: without it a nightly backup runs at 02:30, kept 7 deep, once a passphrase is stored.
  backup: Type.Optional(BackupSettings),
  // Optional: without it no one teaches a class in the class view and nothing may be unlocked.
  classes: Type.Optional(ClassSettings),
  // Optional: the unlocks teachers made (absent means none).
  classUnlocks: Type.Optional(Type.Array(ClassUnlock, { maxItems: 1000 })),
  // Optional: investigations in force, one device each (absent means none).
  investigations: Type.Optional(Type.Array(InvestigationEntry, { maxItems: 100 })),
}, { additionalProperties: false });
export type Config = Static<typeof Config>;
