// The DNS core, proven from real client namespaces: dig on the staff, pupil and guest networks
// asks Schoolgate in gw, which answers from its lists and policies or forwards to the fake
// internet's resolver in wan. One lab and one gateway start for the whole file: every list,
// exception and cache setting is configured up front, and the upstream-down tests come last
// because they stop the wan resolver for good.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Config, FilterException, ListSource } from '../../firmware/config/schema.ts';
import { STALE_TTL } from '../../firmware/dns/answers/answer-cache.ts';
import type { CheckReport } from '../../firmware/dns/policy/check-name.ts';
import { GOOGLE_SAFE, YOUTUBE_MODERATE, YOUTUBE_STRICT } from '../../firmware/dns/policy/safe-search-map.ts';
import { CLIENTS, INTERNET, WAN_LINK, schoolNetwork, type SchoolNetworkId } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import { CLOAKED_SITE, CNAMES, HOSTS, LARGE_TXT_NAME, LISTED_SITE, TXT, WILDCARDS } from '../../scripts/netlab/zones.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'dns.test' });

const NETWORKS: readonly SchoolNetworkId[] = ['staff', 'pupil', 'guest'];
type ClientNs = SchoolNetworkId;
const gatewayOn = (ns: ClientNs): string => schoolNetwork(ns).gateway;

// --- names -------------------------------------------------------------------------------------

/** A name the wan resolver holds (an exact host, an alias or a TXT name); fails loudly if it does not. */
function zoneName(name: string): string {
  if (!(name in HOSTS) && !(name in CNAMES) && !(name in TXT)) throw new Error(`${name} is not in scripts/netlab/zones.ts`);
  return name;
}
const WILDCARD = Object.keys(WILDCARDS)[0]!;
/** A name under the wan's wildcard domain: resolves upstream to WILDCARDS[WILDCARD]. */
const underWildcard = (label: string): string => `${label}.${WILDCARD}`;
/** A name nobody asked before: its answer cannot come from any cache. */
const freshName = (): string => underWildcard(`n${randomBytes(5).toString('hex')}`);

const ALLOWED_SITE = zoneName('www.school.test');
const GOOGLE = zoneName('www.google.com');
const GOOGLE_UK = zoneName('www.google.co.uk');
const YOUTUBE = zoneName('www.youtube.com');
const EXCEPTED_SITE = underWildcard('pals');      // on the social list, allowed for pupils by an exception
const RESTRICTED_SITE = underWildcard('restricted');
const STREAMING_SITE = underWildcard('tv');
const CANARY = 'use-application-dns.net';

// Line numbers are asserted by `check`: the files below put each name on a known line.
const SOCIAL_LINE = 3;
const LISTS = {
  social: { file: 'social.txt', text: `# Lab social networks (domains format)\n\n${LISTED_SITE}\n${EXCEPTED_SITE}\n` },
  streaming: { file: 'streaming.txt', text: `${STREAMING_SITE}\n` },
  restricted: { file: 'restricted.txt', text: `# hosts format, as IWF-style feeds come\n0.0.0.0 ${RESTRICTED_SITE}\n` },
};
/** The cache keeps every answer exactly this long (the wan resolver's own TTLs are 0). */
const CACHE_TTL = 2;

function dnsConfig(listDir: string): Config {
  const config = lab().gatewayConfig();
  const lists: ListSource[] = [
    { id: 'lab-social', name: 'Lab social networks', category: 'social', file: join(listDir, LISTS.social.file), format: 'domains', enabled: true },
    { id: 'lab-streaming', name: 'Lab streaming', category: 'streaming', file: join(listDir, LISTS.streaming.file), format: 'domains', enabled: true },
    // A category the staff policy allows: only the list being restricted can block it there.
    { id: 'lab-restricted', name: 'Lab restricted', category: 'file-hosting', file: join(listDir, LISTS.restricted.file), format: 'hosts', enabled: true, restricted: true },
  ];
  const exceptions: FilterException[] = [
    { id: 'pals-for-pupils', domain: EXCEPTED_SITE, action: 'allow', networks: ['pupil'], reason: 'class pen-pal project', requestedBy: 'dns.test' },
    // Restricted lists can never be excepted: this one must have no effect anywhere.
    { id: 'restricted-for-all', domain: RESTRICTED_SITE, action: 'allow', reason: 'must never take effect', requestedBy: 'dns.test' },
  ];
  config.lists = lists;
  config.exceptions = exceptions;
  config.dns.cache = { ...config.dns.cache, minTtl: CACHE_TTL, maxTtl: CACHE_TTL };
  return config;
}

// --- dig ---------------------------------------------------------------------------------------

interface Answer {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

interface DigResult {
  status: string;
  flags: string[];
  answers: Answer[];
  /** `data` of every answer, in order: an address, a CNAME target with its final dot, TXT text. */
  data: string[];
  retriedOverTcp: boolean;
  output: string;
}

/** Real dig in a namespace; a run that gets no reply at all (exit 9) throws with its output. */
async function dig(ns: ClientNs | 'wan', server: string, name: string, type = 'A', options: readonly string[] = []): Promise<DigResult> {
  const r = await lab().run(ns, ['dig', '+time=3', '+tries=1', ...options, `@${server}`, name, type]);
  const output = r.stdout;
  const status = /status: ([A-Z]+)/.exec(output)?.[1] ?? 'none';
  const flags = (/;; flags: ([a-z ]*);/.exec(output)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const answers: Answer[] = [];
  const section = output.split(';; ANSWER SECTION:\n')[1];
  if (section !== undefined) {
    for (const line of section.split('\n')) {
      if (line.trim() === '') break;
      const [owner, ttl, , rtype, ...rest] = line.split(/\s+/);
      answers.push({ name: owner!, ttl: Number(ttl), type: rtype!, data: rest.join(' ') });
    }
  }
  return { status, flags, answers, data: answers.map((a) => a.data), retriedOverTcp: output.includes('Truncated, retrying in TCP mode'), output };
}

const ask = (ns: ClientNs, name: string, type = 'A', options: readonly string[] = []): Promise<DigResult> =>
  dig(ns, gatewayOn(ns), name, type, options);

const fqdn = (name: string): string => `${name}.`;

/** The wan resolver's log: every question it heard, with where from. */
async function upstreamQuestions(): Promise<{ name: string; from: string }[]> {
  const log = await readFile(lab().wan.dnsmasqLog, 'utf8');
  return [...log.matchAll(/query\[[A-Z0-9]+\] (\S+) from (\S+)/g)].map((m) => ({ name: m[1]!, from: m[2]! }));
}

async function checkCli(name: string, network: string, extra: readonly string[] = []): Promise<{ report: CheckReport; text: string }> {
  const gateway = lab().gateway!;
  const base = [NODE, MAIN, 'check', name, '--network', network, '--data-dir', gateway.dataDir, ...extra];
  const json = await lab().run('gw', [...base, '--json'], { cwd: REPO_ROOT });
  const text = await lab().run('gw', base, { cwd: REPO_ROOT });
  return { report: JSON.parse(json.stdout) as CheckReport, text: text.stdout };
}

// --- the gateway -------------------------------------------------------------------------------

beforeAll(async () => {
  const listDir = lab().scratch('dns-lists');
  await Promise.all(Object.values(LISTS).map((l) => writeFile(join(listDir, l.file), l.text)));
  const gateway = await lab().startGateway(dnsConfig(listDir));
  expect(gateway.running).toBe(true);
});

describe('blocking, per network', () => {
  test('a site on the social list: pupils and guests get their own gateway\'s block page, staff the real answer', async () => {
    const blockTtl = lab().gatewayConfig().dns.blockTtl;
    for (const ns of ['pupil', 'guest'] as const) {
      const r = await ask(ns, LISTED_SITE);
      expect(r.status, r.output).toBe('NOERROR');
      expect(r.answers, r.output).toEqual([{ name: fqdn(LISTED_SITE), ttl: blockTtl, type: 'A', data: gatewayOn(ns) }]);
    }
    // A blocked question never leaves the school: the wan resolver has not heard of the site yet.
    expect((await upstreamQuestions()).map((q) => q.name)).not.toContain(LISTED_SITE);

    const staff = await ask('staff', LISTED_SITE);
    expect(staff.status, staff.output).toBe('NOERROR');
    expect(staff.data, staff.output).toEqual([HOSTS[LISTED_SITE]]);
  });

  test('the listing holds whatever the case of the question, and covers names below the listed one', async () => {
    const shouted = await ask('pupil', LISTED_SITE.toUpperCase());
    expect(shouted.answers.map((a) => [a.name, a.data]), shouted.output).toEqual([[fqdn(LISTED_SITE.toUpperCase()), gatewayOn('pupil')]]);
    const below = await ask('guest', `www.${LISTED_SITE}`);
    expect(below.data, below.output).toEqual([gatewayOn('guest')]);
  });

  test('an allowed name that is an alias of a listed one is blocked too (CNAME cloaking), cached or not', async () => {
    // Staff first: the pupil's question may then be answered from the cache, which is re-inspected.
    const staff = await ask('staff', zoneName(CLOAKED_SITE));
    expect(staff.data, staff.output).toEqual([fqdn(LISTED_SITE), HOSTS[LISTED_SITE]]);
    const pupil = await ask('pupil', CLOAKED_SITE);
    expect(pupil.data, pupil.output).toEqual([gatewayOn('pupil')]);
  });

  test('an exception lets a listed name through on its network only', async () => {
    const pupil = await ask('pupil', EXCEPTED_SITE);
    expect(pupil.data, pupil.output).toEqual([WILDCARDS[WILDCARD]]);
    const guest = await ask('guest', EXCEPTED_SITE);
    expect(guest.data, guest.output).toEqual([gatewayOn('guest')]);
  });

  test('a restricted list blocks on every network, staff included, and its allow exception changes nothing', async () => {
    for (const ns of NETWORKS) {
      const r = await ask(ns, RESTRICTED_SITE);
      expect({ ns, status: r.status, data: r.data }, r.output).toEqual({ ns, status: 'NOERROR', data: [gatewayOn(ns)] });
    }
  });

  test('streaming: the guest policy blocks it, the staff policy does not', async () => {
    expect((await ask('guest', STREAMING_SITE)).data).toEqual([gatewayOn('guest')]);
    expect((await ask('staff', STREAMING_SITE)).data).toEqual([WILDCARDS[WILDCARD]]);
  });
});

describe('allowed names, via the wan resolver', () => {
  test('a new name resolves from every network to the wan answer, asked upstream by gw\'s uplink only', async () => {
    const asked: string[] = [];
    for (const ns of NETWORKS) {
      const name = freshName();
      asked.push(name);
      const r = await ask(ns, name);
      expect({ ns, status: r.status, data: r.data }, r.output).toEqual({ ns, status: 'NOERROR', data: [WILDCARDS[WILDCARD]] });
    }
    const questions = await upstreamQuestions();
    for (const name of asked) expect(questions.filter((q) => q.name === name).map((q) => q.from)).toEqual([WAN_LINK.gw]);
    // Nothing in the wan resolver's whole log came from a client directly.
    const sources = new Set(questions.map((q) => q.from));
    expect([...sources]).toEqual([WAN_LINK.gw]);
    for (const client of CLIENTS) expect(sources).not.toContain(client.staticAddress);
  });
});

describe('safe search', () => {
  const safeAddress = HOSTS[zoneName(GOOGLE_SAFE)];

  test('Google (and a country domain) is answered as forcesafesearch on every network', async () => {
    expect(safeAddress).toBe(INTERNET.safeSearch);
    for (const [ns, name] of [['pupil', GOOGLE], ['pupil', GOOGLE_UK], ['guest', GOOGLE], ['staff', GOOGLE]] as const) {
      const r = await ask(ns, name);
      expect({ ns, name, status: r.status }).toEqual({ ns, name, status: 'NOERROR' });
      expect(r.answers.map((a) => [a.name, a.type, a.data]), r.output).toEqual([
        [fqdn(name), 'CNAME', fqdn(GOOGLE_SAFE)],
        [fqdn(GOOGLE_SAFE), 'A', safeAddress],
      ]);
    }
  });

  test('YouTube: strict Restricted Mode for pupils and guests, moderate for staff', async () => {
    for (const [ns, host] of [['pupil', YOUTUBE_STRICT], ['guest', YOUTUBE_STRICT], ['staff', YOUTUBE_MODERATE]] as const) {
      const r = await ask(ns, YOUTUBE);
      expect(r.answers.map((a) => [a.name, a.type, a.data]), `${ns}\n${r.output}`).toEqual([
        [fqdn(YOUTUBE), 'CNAME', fqdn(host)],
        [fqdn(host), 'A', HOSTS[zoneName(host)]],
      ]);
    }
    // The rewritten names themselves were never asked upstream: only their safe hosts.
    const asked = (await upstreamQuestions()).map((q) => q.name);
    expect(asked).toEqual(expect.arrayContaining([GOOGLE_SAFE, YOUTUBE_STRICT, YOUTUBE_MODERATE]));
    expect(asked).not.toContain(GOOGLE);
    expect(asked).not.toContain(YOUTUBE);
  });
});

describe('the gateway\'s own answers', () => {
  test('the DoH canary is NXDOMAIN from every network, and never asked upstream', async () => {
    for (const ns of NETWORKS) {
      const r = await ask(ns, CANARY);
      expect({ ns, status: r.status, data: r.data }, r.output).toEqual({ ns, status: 'NXDOMAIN', data: [] });
    }
    expect((await upstreamQuestions()).map((q) => q.name)).not.toContain(CANARY);
  });

  test('the local domain is the gateway on the asking device\'s own network; names under it are NXDOMAIN, never forwarded', async () => {
    const local = lab().gatewayConfig().dns.localDomain;
    for (const ns of NETWORKS) {
      const r = await ask(ns, local);
      expect({ ns, status: r.status, data: r.data }, r.output).toEqual({ ns, status: 'NOERROR', data: [gatewayOn(ns)] });
    }
    const below = await ask('pupil', `printer.${local}`);
    expect(below.status, below.output).toBe('NXDOMAIN');
    expect((await upstreamQuestions()).filter((q) => q.name.endsWith(local))).toEqual([]);
  });

  test('ANY gets the short RFC 8482 answer, never an amplified one', async () => {
    const r = await ask('pupil', ALLOWED_SITE, 'ANY');
    expect(r.answers.map((a) => a.type), r.output).toEqual(['HINFO']);
    expect(r.data[0]).toContain('RFC8482');
  });

  test('a question from outside the school networks (the wan side) is REFUSED', async () => {
    for (const ns of ['pupil', 'staff'] as const) {
      const r = await dig('wan', gatewayOn(ns), ALLOWED_SITE);
      expect({ to: gatewayOn(ns), status: r.status, data: r.data }, r.output).toEqual({ to: gatewayOn(ns), status: 'REFUSED', data: [] });
    }
  });
});

describe('TCP', () => {
  const strings = TXT[zoneName(LARGE_TXT_NAME)]!.split(',');
  const fullTxt = strings.map((s) => `"${s}"`).join(' ');

  test('a plain question over TCP is answered', async () => {
    const r = await ask('pupil', ALLOWED_SITE, 'A', ['+tcp']);
    expect(r.data, r.output).toEqual([HOSTS[ALLOWED_SITE]]);
  });

  test('an answer too large for plain UDP is truncated over UDP and whole over TCP', async () => {
    const udp = await ask('pupil', LARGE_TXT_NAME, 'TXT', ['+noedns', '+ignore']);
    expect(udp.status, udp.output).toBe('NOERROR');
    expect(udp.flags, udp.output).toContain('tc');
    expect(udp.data.join(' ')).not.toBe(fullTxt);

    // dig without +ignore retries over TCP by itself, as a stub resolver does.
    const retried = await ask('pupil', LARGE_TXT_NAME, 'TXT', ['+noedns']);
    expect(retried.retriedOverTcp, retried.output).toBe(true);
    expect(retried.flags).not.toContain('tc');
    expect(retried.data, retried.output).toEqual([fullTxt]);

    const tcp = await ask('staff', LARGE_TXT_NAME, 'TXT', ['+tcp']);
    expect(tcp.data, tcp.output).toEqual([fullTxt]);
  });
});

describe('`schoolgate check` explains a verdict', () => {
  test('a blocked name: the list and the line that listed it', async () => {
    const { report, text } = await checkCli(LISTED_SITE, 'pupil');
    expect(report).toMatchObject({ name: LISTED_SITE, network: 'pupil', answer: 'blocked', blockAnswer: 'block-page' });
    expect(report.lists).toEqual([{
      list: 'lab-social', listName: 'Lab social networks', kind: 'block', category: 'social', listed: LISTED_SITE, mode: expect.any(String), line: SOCIAL_LINE,
    }]);
    expect(text).toContain('BLOCKED');
    expect(text).toContain('"Lab social networks" (lab-social)');
    expect(text).toContain(`at line ${SOCIAL_LINE}`);
    // The same name on staff: listed, but allowed by that policy.
    expect((await checkCli(LISTED_SITE, 'staff')).report.answer).toBe('allowed');
  });

  test('a restricted name: blocked, with the list named but its entry never shown', async () => {
    const { report, text } = await checkCli(RESTRICTED_SITE, 'staff');
    expect(report.answer).toBe('blocked');
    expect(report.lists).toEqual([{ list: 'lab-restricted', listName: 'Lab restricted', kind: 'restricted' }]);
    expect(text).toContain('entries are never shown');
  });

  test('streaming for pupils depends on the lunchtime schedule', async () => {
    // A Monday in November: Europe/London is on UTC.
    const lunch = await checkCli(STREAMING_SITE, 'pupil', ['--at', '2026-11-23T12:30:00Z']);
    const morning = await checkCli(STREAMING_SITE, 'pupil', ['--at', '2026-11-23T09:30:00Z']);
    expect(lunch.report.answer).toBe('allowed');
    expect(morning.report.answer).toBe('blocked');
  });
});

// Last: stops the wan resolver for the rest of the file.
describe('with the upstream resolver down', () => {
  test('a cached answer is served stale, blocks still hold, and an uncached name is SERVFAIL', async () => {
    // Cached now, for CACHE_TTL seconds.
    const before = await ask('pupil', ALLOWED_SITE);
    expect(before.data, before.output).toEqual([HOSTS[ALLOWED_SITE]]);
    const cachedAt = Date.now();

    // Stop the lab's own dnsmasq (the child the lab started in wan), and see it gone.
    const dnsmasq = lab().wan.services.find((s) => s.name === 'dnsmasq');
    expect(dnsmasq).toBeDefined();
    const child = dnsmasq!.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    const direct = await lab().exec('gw', ['dig', '+time=1', '+tries=1', `@${INTERNET.resolver}`, ALLOWED_SITE]);
    expect(direct.code, direct.stdout).toBe(9); // no server could be reached

    // Past the cached TTL (waiting, not measuring).
    const wait = cachedAt + (CACHE_TTL + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    const stale = await ask('pupil', ALLOWED_SITE, 'A', ['+time=6']);
    expect(stale.status, stale.output).toBe('NOERROR');
    expect(stale.answers, stale.output).toEqual([{ name: fqdn(ALLOWED_SITE), ttl: STALE_TTL, type: 'A', data: HOSTS[ALLOWED_SITE] }]);

    const blocked = await ask('pupil', LISTED_SITE, 'A', ['+time=6']);
    expect(blocked.data, blocked.output).toEqual([gatewayOn('pupil')]);
    const restricted = await ask('staff', RESTRICTED_SITE, 'A', ['+time=6']);
    expect(restricted.data, restricted.output).toEqual([gatewayOn('staff')]);

    const unknown = await ask('guest', freshName(), 'A', ['+time=6']);
    expect(unknown.status, unknown.output).toBe('SERVFAIL');
    expect(unknown.data).toEqual([]);

    // What a technician sees: the failed upstream tries and the stale hit, in `status --json`.
    const status = await lab().gateway!.statusCommand();
    const dns = (JSON.parse(status.stdout) as { dns: { counters: { upstreamFailuresByUpstream: { [name: string]: number } }; cache: { staleHits: number }; udpIo: { mode: string } } }).dns;
    // Every UDP question in this file went through the netio listeners, as on the appliance.
    expect(dns.udpIo).toEqual({ mode: 'batched' });
    const upstreamName = lab().gatewayConfig().dns.upstreams[0]!.name;
    expect(dns.counters.upstreamFailuresByUpstream[upstreamName]).toBeGreaterThan(0);
    expect(dns.cache.staleHits).toBeGreaterThan(0);
  });
});
