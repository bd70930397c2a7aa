// The embedded defaults `npm start` runs on: no root, no system network settings touched.
// The three demo networks are loopback ranges, so `dig -b 127.20.0.5` is a pupil device. Their
// DHCP servers are described but off: `lo` has no DHCP clients, and binding port 67 needs root.
// Policies and list subscriptions come from the shipped catalogue (rules/, beside firmware/),
// read and checked once at module load: a broken shipped file fails every start and every test.
import { loadCatalogue, type Severity } from '../rules/catalogue.ts';
import { DEFAULT_ALERTS_DAYS, DEFAULT_HOURLY_ROLLUPS_DAYS, DEFAULT_NETWORK_EVENTS_DAYS } from '../monitor/retention.ts';
import { CONFIG_VERSION, type Config } from './schema.ts';

/** The shipped catalogue, loaded and checked once (the self-test reads its test names). */
export const CATALOGUE = loadCatalogue();

/** Category ids, most severe first: which category a block is reported under (the DNS service's `severity`). */
export const CATEGORY_SEVERITY: readonly string[] = CATALOGUE.bySeverity;

/** Each shipped category's severity: which blocks are alerts, and how urgent (monitor/alerts/dns-alert-rules.ts). */
export const CATEGORY_SEVERITIES: Readonly<Record<string, Severity>> = Object.fromEntries(
  [...CATALOGUE.categories].map(([id, c]) => [id, c.severity]),
);

export const DNS_CACHE_DEFAULTS = { maxEntries: 100_000, minTtl: 0, maxTtl: 86400, negativeTtl: 300, staleTtl: 86400 } as const;

export function defaultConfig(): Config {
  return {
    version: CONFIG_VERSION,
    site: { name: 'Demo Primary School', timezone: 'Europe/London' },
    networks: [
      {
        id: 'staff', name: 'Staff', kind: 'staff', enabled: true, ssid: 'School-Staff', interface: 'lo',
        subnets: ['127.10.0.0/16'], gateway: { ipv4: '127.10.0.1' }, policy: 'staff',
        dhcp: { enabled: false, pools: [{ first: '127.10.1.0', last: '127.10.1.255' }], leaseSeconds: 28800 },
      },
      {
        id: 'pupil', name: 'Pupils', kind: 'pupil', enabled: true, ssid: 'School-Pupils', interface: 'lo',
        subnets: ['127.20.0.0/16'], gateway: { ipv4: '127.20.0.1' }, policy: 'pupil',
        dhcp: { enabled: false, pools: [{ first: '127.20.1.0', last: '127.20.1.255' }], leaseSeconds: 28800 },
      },
      {
        id: 'guest', name: 'Visitors', kind: 'guest', enabled: true, ssid: 'School-Guest', interface: 'lo',
        subnets: ['127.30.0.0/16'], gateway: { ipv4: '127.30.0.1' }, policy: 'guest',
        dhcp: { enabled: false, pools: [{ first: '127.30.1.0', last: '127.30.1.255' }], leaseSeconds: 3600 },
      },
    ],
    // staff, pupil, guest from rules/policies/ (see rules/policies/README.md); fresh copies.
    policies: CATALOGUE.defaultPolicies(),
    // The pupil policy opens streaming in it (rules/policies/pupil.json).
    schedules: [
      { id: 'lunchtime', name: 'Lunchtime', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] },
    ],
    deviceGroups: [],
    // One subscription per shipped starter list (file builtin:<category>).
    lists: CATALOGUE.builtinLists(),
    exceptions: [],
    reservations: [],
    dns: {
      listen: [{ address: '127.0.0.1', port: 5353 }],
      upstreams: [],
      upstreamTimeoutMs: 1500,
      rateLimitPerSecond: 200,
      blockTtl: 60,
      localDomain: 'schoolgate.home.arpa',
      cache: { ...DNS_CACHE_DEFAULTS },
      upstreamBlocks: { addresses: [], extendedErrors: true },
      rebindingProtection: { enabled: true, allowedDomains: [] },
      threads: 1,
    },
    web: { admin: { address: '127.0.0.1', port: 8080 }, blockPage: { address: '127.0.0.1', port: 8081 } },
    retention: { queryEventsDays: 30, hourlyRollupsDays: DEFAULT_HOURLY_ROLLUPS_DAYS, rollupsDays: 400, visitorRecordsDays: 90, networkEventsDays: DEFAULT_NETWORK_EVENTS_DAYS, alertsDays: DEFAULT_ALERTS_DAYS },
  };
}
