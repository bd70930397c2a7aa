// The embedded defaults `npm start` runs on: no root, no system network settings touched.
// The three demo networks are loopback ranges, so `dig -b 127.20.0.5` is a pupil device.
import { CONFIG_VERSION, type CategoryRule, type Config, type Policy } from './schema.ts';

// Fresh objects on every call: a caller that edits one category's rule must not edit another's.
const unacceptable = (): CategoryRule => ({ disposition: 'unacceptable' });
const illegal = (): CategoryRule => ({ disposition: 'unacceptable-and-illegal' });

// Categories every network blocks: the POLICY-NOTES "unacceptable" rows common to all AUP tables.
const alwaysBlocked = (): Policy['categories'] => ({
  illegal: illegal(),
  extremism: illegal(),
  'self-harm': unacceptable(),
  adult: unacceptable(),
  malware: unacceptable(),
  bypass: unacceptable(),
  hate: unacceptable(),
});

export const DNS_CACHE_DEFAULTS = { maxEntries: 100_000, minTtl: 0, maxTtl: 86400, negativeTtl: 300, staleTtl: 86400 } as const;

export function defaultConfig(): Config {
  return {
    version: CONFIG_VERSION,
    site: { name: 'Demo Primary School', timezone: 'Europe/London' },
    networks: [
      {
        id: 'staff', name: 'Staff', kind: 'staff', enabled: true, ssid: 'School-Staff', interface: 'lo',
        subnets: ['127.10.0.0/16'], gateway: { ipv4: '127.10.0.1' }, policy: 'staff',
      },
      {
        id: 'pupil', name: 'Pupils', kind: 'pupil', enabled: true, ssid: 'School-Pupils', interface: 'lo',
        subnets: ['127.20.0.0/16'], gateway: { ipv4: '127.20.0.1' }, policy: 'pupil',
      },
      {
        id: 'guest', name: 'Visitors', kind: 'guest', enabled: true, ssid: 'School-Guest', interface: 'lo',
        subnets: ['127.30.0.0/16'], gateway: { ipv4: '127.30.0.1' }, policy: 'guest',
      },
    ],
    policies: [
      {
        id: 'staff', name: 'Staff', safeSearch: 'moderate', blockAnswer: 'block-page',
        categories: { ...alwaysBlocked(), gambling: unacceptable(), piracy: unacceptable() },
      },
      {
        id: 'pupil', name: 'Pupils', safeSearch: 'strict', blockAnswer: 'block-page',
        categories: {
          ...alwaysBlocked(), gambling: unacceptable(), piracy: unacceptable(), violence: unacceptable(), drugs: unacceptable(),
          social: unacceptable(), dating: unacceptable(), chat: unacceptable(), gaming: unacceptable(),
          'file-hosting': unacceptable(), videoconferencing: unacceptable(),
          streaming: { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' },
        },
      },
      {
        id: 'guest', name: 'Visitors', safeSearch: 'strict', blockAnswer: 'block-page',
        categories: {
          ...alwaysBlocked(), gambling: unacceptable(), piracy: unacceptable(), violence: unacceptable(), drugs: unacceptable(),
          social: unacceptable(), gaming: unacceptable(), streaming: unacceptable(), 'file-hosting': unacceptable(), dating: unacceptable(),
        },
      },
    ],
    schedules: [
      { id: 'lunchtime', name: 'Lunchtime', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] },
    ],
    deviceGroups: [],
    lists: [],
    exceptions: [],
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
    },
    web: { admin: { address: '127.0.0.1', port: 8080 } },
    retention: { queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 },
  };
}
