// Older documents are brought forward one numbered step at a time, each a pure function of the
// previous shape, so a file from any released version loads and every step is tested alone.
import { ConfigError } from './issues.ts';
import { DNS_CACHE_DEFAULTS } from './defaults.ts';
import { CONFIG_VERSION } from './schema.ts';

export interface Migration {
  /** The version this step reads; it produces from + 1. */
  from: number;
  description: string;
  up(doc: Record<string, unknown>): Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * v0 was the pre-release shape: one subnet per network (`networks[].subnet`) and one upstream
 * resolver address (`dns.upstream`). v1 allows several of each.
 */
function v0ToV1(doc: Json): Json {
  if (Array.isArray(doc.networks)) {
    doc.networks = doc.networks.map((network: unknown) => {
      if (!isObject(network) || typeof network.subnet !== 'string' || 'subnets' in network) return network;
      // Replace the key where it stands, so the migrated file reads in the order it was written.
      const out: Json = {};
      for (const [key, value] of Object.entries(network)) {
        if (key === 'subnet') out.subnets = [value];
        else out[key] = value;
      }
      return out;
    });
  }
  if (isObject(doc.dns) && !('upstreams' in doc.dns)) {
    const { upstream, ...rest } = doc.dns;
    if (upstream === undefined || upstream === '') {
      // v0 with no upstream forwarded to the system resolvers, which v1 spells as an empty list.
      doc.dns = { ...rest, upstreams: [] };
    } else if (typeof upstream === 'string') {
      doc.dns = { ...rest, upstreams: [{ name: upstream, address: upstream, port: 53 }] };
    }
    // Any other shape is left as it is, so validation names /dns/upstream as unknown.
  }
  const { version: _old, ...rest } = doc;
  return { version: 1, ...rest };
}

/**
 * v2 adds filtering: list sources, exceptions, and the DNS cache, block TTL, local domain and
 * rebinding protection. A v1 document gains them empty or at their defaults, so it filters
 * nothing more than before until someone adds lists.
 */
function v1ToV2(doc: Json): Json {
  const out: Json = { ...doc, version: 2 };
  if (!('lists' in out)) out.lists = [];
  if (!('exceptions' in out)) out.exceptions = [];
  if (isObject(out.dns)) {
    out.dns = {
      blockTtl: 60,
      localDomain: 'schoolgate.home.arpa',
      cache: { ...DNS_CACHE_DEFAULTS },
      upstreamBlocks: { addresses: [], extendedErrors: true },
      rebindingProtection: { enabled: true, allowedDomains: [] },
      threads: 1,
      ...out.dns,
    };
  }
  return out;
}

export const MIGRATIONS: readonly Migration[] = [
  { from: 0, description: 'v0 -> v1: networks[].subnet becomes subnets[], dns.upstream becomes upstreams[]', up: v0ToV1 },
  { from: 1, description: 'v1 -> v2: lists, exceptions, DNS cache, block TTL, local domain and rebinding protection', up: v1ToV2 },
];

/**
 * Applies every step from the document's version up to CONFIG_VERSION. A document without
 * `version` is v0. The input is not modified. A non-object is returned as it is, for validation
 * to reject. Throws ConfigError for a version this build cannot read.
 */
export function migrateConfig(doc: unknown, source = 'configuration'): { doc: unknown; from: number; to: number; applied: string[] } {
  if (!isObject(doc)) return { doc, from: CONFIG_VERSION, to: CONFIG_VERSION, applied: [] };
  const version = Object.hasOwn(doc, 'version') ? doc.version : 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new ConfigError(source, [{ path: '/version', message: `must be a whole number from 0 to ${CONFIG_VERSION} (got ${JSON.stringify(version)})` }]);
  }
  if (version > CONFIG_VERSION) {
    throw new ConfigError(source, [{
      path: '/version',
      message: `version ${version} was written by a newer Schoolgate; this one reads versions up to ${CONFIG_VERSION}. Refusing to load it rather than lose settings it does not understand`,
    }]);
  }
  let current: Json = structuredClone(doc);
  const applied: string[] = [];
  for (let v = version; v < CONFIG_VERSION; v++) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) throw new Error(`no migration from configuration version ${v}: MIGRATIONS is incomplete`);
    current = step.up(current);
    applied.push(step.description);
  }
  return { doc: current, from: version, to: CONFIG_VERSION, applied };
}
