// The domain matcher at list scale: compile time, memory, load-from-disk time and lookups per
// second, printed (never asserted: the machine is shared). Deterministic input (seeded PRNG).
//   node_modules/.bin/node scripts/bench/matcher.ts [count]      (default 1,000,000 names)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileMatcher } from '../../firmware/dns/matcher/compile.ts';
import type { MatcherEntry } from '../../firmware/dns/matcher/entry.ts';
import { Matcher, MatchResult } from '../../firmware/dns/matcher/matcher.ts';

const count = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(count) || count < 1000) throw new Error('usage: matcher.ts [count ≥ 1000]');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Roughly the TLD mix of public block lists.
const TLDS: [string, number][] = [
  ['com', 40], ['net', 8], ['org', 6], ['co.uk', 4], ['uk', 2], ['de', 4], ['ru', 5], ['info', 3], ['io', 2],
  ['xyz', 3], ['top', 3], ['fr', 2], ['nl', 2], ['cn', 3], ['jp', 1], ['com.br', 2], ['online', 2], ['site', 2],
  ['club', 1], ['biz', 1], ['tv', 1], ['me', 1], ['ac.uk', 1], ['pl', 1],
];
const TLD_TOTAL = TLDS.reduce((n, [, w]) => n + w, 0);
const PREFIXES = ['www', 'ads', 'cdn', 'm', 'api', 'track', 'img', 'static', 'mail', 'stats', 'click', 'go'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const MIDDLE = 'abcdefghijklmnopqrstuvwxyz0123456789-';

function generator(seed: number) {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const label = (): string => {
    const length = 2 + Math.floor(random() * 9) + Math.floor(random() * 9); // 2..18, mostly 6..14
    let out = pick([...LETTERS]);
    for (let i = 1; i < length - 1; i++) out += random() < 0.9 ? LETTERS[Math.floor(random() * 26)] : pick([...MIDDLE]);
    return out + LETTERS[Math.floor(random() * 26)];
  };
  const tld = (): string => {
    let r = random() * TLD_TOTAL;
    for (const [name, weight] of TLDS) if ((r -= weight) < 0) return name;
    return 'com';
  };
  const domain = (): string => {
    const base = `${label()}.${tld()}`;
    const r = random();
    if (r < 0.2) return `${pick(PREFIXES)}.${base}`;
    if (r < 0.3) return `${label()}.${base}`;
    if (r < 0.36) return `${label()}.${pick(PREFIXES)}.${base}`;
    return base;
  };
  return { random, pick, label, domain };
}

const CATEGORIES = ['adult', 'gambling', 'social', 'games', 'chat', 'streaming', 'piracy', 'malware', 'phishing', 'ads',
  'trackers', 'dating', 'drugs', 'weapons', 'violence', 'hate', 'proxy', 'shopping', 'crypto', 'self-harm'];

function makeEntries(n: number): { entries: MatcherEntry[]; names: string[] } {
  const g = generator(20260101);
  const seen = new Set<string>();
  const names: string[] = [];
  const entries: MatcherEntry[] = [];
  while (names.length < n) {
    const name = g.domain();
    if (seen.has(name)) continue;
    seen.add(name);
    names.push(name);
    const r = g.random();
    const kind = r < 0.005 ? 'restricted' : r < 0.015 ? 'allow' : 'block';
    const m = g.random();
    const mode = m < 0.05 ? 'exact' : m < 0.08 ? 'subdomains' : 'suffix';
    const list = Math.floor(g.random() * 12);
    const entry: MatcherEntry = { name, kind, mode, list, line: names.length };
    if (kind === 'block') entry.category = CATEGORIES[list + Math.floor(g.random() * 8)]!;
    entries.push(entry);
  }
  return { entries, names };
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
const label = count === 1_000_000 ? '1m' : count % 1000 === 0 ? `${count / 1000}k` : String(count);

const t0 = performance.now();
const { entries, names } = makeEntries(count);
console.log(`generated ${count.toLocaleString('en-GB')} distinct names in ${(performance.now() - t0).toFixed(0)} ms (not timed below)`);

// Questions: half are listed names with one or two extra labels in front, half are not listed.
const g = generator(777);
const QUESTIONS = 200_000;
const questions: string[] = [];
for (let i = 0; i < QUESTIONS; i++) {
  if (i % 2 === 0) {
    const depth = 1 + Math.floor(g.random() * 2);
    let q = names[Math.floor(g.random() * names.length)]!;
    for (let d = 0; d < depth; d++) q = `${g.pick(PREFIXES)}.${q}`;
    questions.push(q);
  } else {
    questions.push(`${g.pick(PREFIXES)}.${g.label()}.${g.domain()}`);
  }
}
for (const q of questions) q.charCodeAt(0); // flatten concatenated strings outside the timing

gc();
gc();
const before = process.memoryUsage();
const compileTimes: number[] = [];
let matcher = Matcher.empty();
// As the DNS service holds its lists: a reload builds a new filter state around the new matcher and
// assigns it (DnsService.setLists); a question reads the reference once and keeps that table.
const service: { filter: { readonly matcher: Matcher } } = { filter: { matcher } };
let swapMs = 0;
for (let round = 0; round < 3; round++) {
  matcher = Matcher.empty(); // drop the previous round's table before building the next
  gc();
  const start = performance.now();
  matcher = compileMatcher(entries, { expectedNames: entries.length });
  const swapStart = performance.now();
  service.filter = { matcher };
  swapMs = performance.now() - swapStart;
  compileTimes.push(performance.now() - start);
}
gc();
gc();
const after = process.memoryUsage();
const sorted = [...compileTimes].sort((a, b) => a - b);
const compileMs = sorted[1]!;
console.log(`compile + swap          ${compileTimes.map((t) => t.toFixed(0)).join(' / ')} ms (rounds; median ${compileMs.toFixed(0)} ms; swap itself ${(swapMs * 1000).toFixed(1)} µs)`);
console.log(`distinct keys           ${matcher.size.toLocaleString('en-GB')} (${count - matcher.size} hash collisions among ${count.toLocaleString('en-GB')} distinct names)`);
console.log(`matcher arrays          ${mb(matcher.bytes)} (${(matcher.bytes / matcher.size).toFixed(1)} bytes per name)`);
console.log(`growth after compile    array buffers ${mb(after.arrayBuffers - before.arrayBuffers)} (after gc; the matcher holds no JS objects per name)`);

let t = performance.now();
const file = matcher.toBuffer();
const encodeMs = performance.now() - t;
t = performance.now();
const loaded = Matcher.fromBuffer(file);
const decodeMs = performance.now() - t;
console.log(`toBuffer / fromBuffer   ${encodeMs.toFixed(0)} ms / ${decodeMs.toFixed(0)} ms (checked load) for ${mb(file.length)}; loaded ${loaded.size === matcher.size ? 'matches' : 'DIFFERS'}`);

// What a daemon pays to hold the table: a fresh process loads the compiled file and nothing else.
const dir = mkdtempSync(join(tmpdir(), 'matcher-bench-'));
let loadedRss = NaN;
try {
  const path = join(dir, 'lists.bin');
  writeFileSync(path, file);
  const child = `
    import { readFileSync } from 'node:fs';
    import { setFlagsFromString } from 'node:v8';
    import { runInNewContext } from 'node:vm';
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    const { Matcher } = await import(${JSON.stringify(new URL('../../firmware/dns/matcher/matcher.ts', import.meta.url).href)});
    gc();
    const base = process.memoryUsage().rss;
    let bytes = readFileSync(${JSON.stringify(path)});
    const m = Matcher.fromBuffer(bytes, { adopt: true });
    bytes = null;
    gc();
    console.log(process.memoryUsage().rss - base, m.size);`;
  const [rss] = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' }).trim().split(' ');
  loadedRss = Number(rss);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`RSS of a loaded table   ${mb(loadedRss)} (fresh process: readFileSync + fromBuffer(adopt) of the compiled file, after gc)`);

// Lookups as the DNS loop makes them: the matcher in service is read once per question.
const result = new MatchResult();
let blocked = 0;
for (let i = 0; i < QUESTIONS; i++) service.filter.matcher.match(questions[i]!, result); // warm up
let gcEvents = 0;
const observer = new PerformanceObserver((list) => { gcEvents += list.getEntries().length; });
observer.observe({ entryTypes: ['gc'] });
const heapBefore = process.memoryUsage().heapUsed;
let lookups = 0;
t = performance.now();
let elapsed = 0;
while (elapsed < 3000) {
  for (let i = 0; i < QUESTIONS; i++) {
    const m = service.filter.matcher;
    m.match(questions[i]!, result);
    if ((result.blockLo | result.blockHi) !== 0 || result.restricted) blocked++;
  }
  lookups += QUESTIONS;
  elapsed = performance.now() - t;
}
const heapAfter = process.memoryUsage().heapUsed;
await new Promise((resolve) => setTimeout(resolve, 50)); // let gc entries arrive
observer.disconnect();
const perSecond = lookups / (elapsed / 1000);
console.log(`lookups                 ${Math.round(perSecond).toLocaleString('en-GB')} per second (${lookups.toLocaleString('en-GB')} in ${elapsed.toFixed(0)} ms; ${((blocked / lookups) * 100).toFixed(1)}% covered by a block or restricted entry)`);
console.log(`allocation in lookups   heap ${((heapAfter - heapBefore) / lookups).toFixed(2)} bytes per lookup, ${gcEvents} GC events during ${lookups.toLocaleString('en-GB')} lookups`);
console.log(`process                 RSS ${mb(process.memoryUsage().rss)}, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} (includes the ${count.toLocaleString('en-GB')} input strings and questions)`);

console.log(`compile_${label}_ms=${compileMs.toFixed(0)}`);
console.log(`matcher_bytes_${label}=${matcher.bytes}`);
console.log(`matcher_rss_${label}=${loadedRss}`);
console.log(`lookups_per_s=${Math.round(perSecond)}`);
