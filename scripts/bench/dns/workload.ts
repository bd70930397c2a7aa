// The DNS benchmark's workload: listed names, allowed names and a query mix, all derived from one
// seed so two runs (or two machines) measure the same thing. Also runnable on its own to produce
// a list for manual benchmarking:
//   node scripts/bench/dns/workload.ts --domains 1000000 --out /tmp/sg-list
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_SEED = 20260101;

/** mulberry32: tiny, fast and good enough to pick names; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const CHARS = `${LETTERS}0123456789`;
// Listed and allowed names use disjoint TLDs, so no allowed name can be (a subdomain of) a
// listed one by accident: a suffix-matching filter and an exact-matching one agree on them.
const LISTED_TLDS = ['com', 'net', 'xyz', 'info', 'top', 'ru', 'io', 'co.uk', 'biz', 'online'];
const ALLOWED_TLDS = ['org', 'org.uk', 'ac.uk', 'sch.uk', 'gov.uk', 'edu'];
const PREFIXES = ['www', 'cdn', 'm', 'static', 'img', 'api', 'ads', 'track'];

function label(rand: () => number, min: number, max: number): string {
  const length = min + Math.floor(rand() * (max - min + 1));
  let s = LETTERS[Math.floor(rand() * 26)]!;
  for (let i = 1; i < length; i++) s += CHARS[Math.floor(rand() * CHARS.length)]!;
  return s;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

export interface Workload {
  seed: number;
  listed: string[];
  allowed: string[];
  /** The dnsperf mix, exactly half listed names (exact, no subdomains) and half allowed names. */
  queries: string[];
  /** Subdomains of listed names: Schoolgate blocks them by suffix, a hosts file does not. */
  subdomains: string[];
}

export interface WorkloadOptions {
  domains: number;
  allowed?: number;
  queries?: number;
  seed?: number;
}

/** The address the upstream gives allowed name `i`: documentation ranges, so never real. */
export function allowedAddress(i: number): string {
  const host = ((i >> 1) % 254) + 1;
  return i % 2 === 0 ? `192.0.2.${host}` : `198.51.100.${host}`;
}

export function generateWorkload(options: WorkloadOptions): Workload {
  const seed = options.seed ?? DEFAULT_SEED;
  const rand = seededRandom(seed);
  const seen = new Set<string>();
  const listed: string[] = [];
  while (listed.length < options.domains) {
    const base = `${label(rand, 5, 14)}.${pick(rand, LISTED_TLDS)}`;
    // A third carry a host label, as real block lists do (ads.x.com, www.y.net).
    const name = rand() < 0.33 ? `${pick(rand, PREFIXES)}.${base}` : base;
    if (seen.has(name)) continue;
    seen.add(name);
    listed.push(name);
  }
  const allowed: string[] = [];
  const allowedCount = options.allowed ?? 10_000;
  while (allowed.length < allowedCount) {
    const name = `${rand() < 0.5 ? 'www.' : ''}${label(rand, 4, 12)}.${pick(rand, ALLOWED_TLDS)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    allowed.push(name);
  }
  const total = options.queries ?? 200_000;
  const queries: string[] = [];
  for (let i = 0; i < total; i++) {
    queries.push(i % 2 === 0 ? pick(rand, listed) : pick(rand, allowed));
  }
  // Fisher-Yates: exact 50/50 counts, but no fixed alternation a cache could exploit.
  for (let i = queries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [queries[i], queries[j]] = [queries[j]!, queries[i]!];
  }
  const subdomains: string[] = [];
  for (let i = 0; i < Math.min(200, listed.length); i++) subdomains.push(`${label(rand, 3, 8)}.${pick(rand, listed)}`);
  return { seed, listed, allowed, queries, subdomains };
}

export interface WorkloadFiles {
  /** One domain a line: a Schoolgate list with `format: 'domains'`. */
  domainList: string;
  /** `0.0.0.0 name` lines: the same list as a hosts file (dnsmasq --addn-hosts). */
  hostsList: string;
  /** `address name` lines for the upstream resolver: the allowed names. */
  allowedHosts: string;
  /** dnsperf input: `name A` lines. */
  queryFile: string;
}

/** Writes `text` built in slices: one 1M-line join would briefly double the memory. */
async function writeLines(file: string, items: readonly string[], line: (item: string, i: number) => string): Promise<void> {
  const chunks: string[] = [];
  const step = 100_000;
  for (let i = 0; i < items.length; i += step) {
    chunks.push(items.slice(i, i + step).map((item, k) => `${line(item, i + k)}\n`).join(''));
  }
  await writeFile(file, chunks.join(''));
}

export async function writeWorkload(workload: Workload, dir: string): Promise<WorkloadFiles> {
  await mkdir(dir, { recursive: true });
  const files: WorkloadFiles = {
    domainList: join(dir, 'listed.domains'),
    hostsList: join(dir, 'listed.hosts'),
    allowedHosts: join(dir, 'allowed.hosts'),
    queryFile: join(dir, 'queries.txt'),
  };
  await writeLines(files.domainList, workload.listed, (name) => name);
  await writeLines(files.hostsList, workload.listed, (name) => `0.0.0.0 ${name}`);
  await writeLines(files.allowedHosts, workload.allowed, (name, i) => `${allowedAddress(i)} ${name}`);
  await writeLines(files.queryFile, workload.queries, (name) => `${name} A`);
  return files;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      domains: { type: 'string', default: '1000000' },
      allowed: { type: 'string', default: '10000' },
      queries: { type: 'string', default: '200000' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      out: { type: 'string', default: 'bench-dns-workload' },
    },
  });
  const workload = generateWorkload({
    domains: Number(values.domains), allowed: Number(values.allowed), queries: Number(values.queries), seed: Number(values.seed),
  });
  const files = await writeWorkload(workload, resolve(values.out));
  for (const [what, file] of Object.entries(files)) console.log(`${what.padEnd(12)} ${file}`);
}
