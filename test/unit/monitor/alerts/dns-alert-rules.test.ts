// Which DNS events are alerts, rule by rule, and the rules running where every event passes: the
// query log's writer thread, which sends the candidates to the main thread and takes new rules
// on a configuration change.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY_SEVERITIES, defaultConfig } from '../../../../firmware/config/defaults.ts';
import { EventBuffer, type QueryEvent } from '../../../../firmware/dns/events/event-buffer.ts';
import { silentLogger } from '../../../../firmware/log.ts';
import type { AlertCandidate } from '../../../../firmware/monitor/alerts/alert-schema.ts';
import { alertRulesChanged, dnsAlertRulesData, loadKeywordLists } from '../../../../firmware/monitor/alerts/alert-rules-config.ts';
import { DnsAlertRules, mergeCandidates } from '../../../../firmware/monitor/alerts/dns-alert-rules.ts';
import { QueryLog } from '../../../../firmware/monitor/query-log/query-log.ts';

const MAC = '3c:22:fb:01:a2:9e';
const AT = Date.UTC(2026, 11, 7, 9, 15);
const shipped = loadKeywordLists();
const data = (watch: string[] = ['watched.example']) => dnsAlertRulesData({ alerts: { contacts: [], watch }, networks: [] }, CATEGORY_SEVERITIES, shipped);

type Event = Partial<Omit<QueryEvent, 'device'>> & { name: string; device?: string | null };
function check(rules: DnsAlertRules, e: Event): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  rules.check(e.at ?? AT, e.network === undefined ? 'pupil' : e.network, e.client ?? '10.20.0.5', e.device === undefined ? MAC : e.device,
    e.name, e.verdict ?? 'forwarded', e.category ?? null, e.list ?? null, e.watch ?? false, out);
  return out;
}
const kinds = (candidates: AlertCandidate[]) => candidates.map((c) => [c.kind, c.severity]);

describe('DNS alert rules', () => {
  const rules = new DnsAlertRules(data());

  it('raise nothing for an ordinary lookup, nor for a source on no school network', () => {
    expect(check(rules, { name: 'www.bbc.co.uk' })).toEqual([]);
    expect(check(rules, { name: 'www.bbc.co.uk', verdict: 'cached' })).toEqual([]);
    expect(kinds(check(rules, { name: 'suicide.example', verdict: 'refused' }))).toEqual([['dns.keyword', 'critical']]);
    expect(check(rules, { name: 'suicide.example', verdict: 'refused', network: null, device: null, client: '192.0.2.1' })).toEqual([]);
  });

  it('make a restricted-list hit critical, naming the list and never the entry', () => {
    const [c] = check(rules, { name: '(restricted)', verdict: 'blocked', category: 'restricted', list: 'iwf' });
    expect(c).toEqual({
      kind: 'dns.restricted', severity: 'critical', at: new Date(AT).toISOString(), networkId: 'pupil', mac: MAC, address: '10.20.0.5',
      subject: '(restricted)', reason: expect.stringContaining('restricted (illegal content) list "iwf"'), category: 'restricted', details: { list: 'iwf' },
    });
  });

  it('make the filtering provider\'s block critical and withhold its name', () => {
    const out = check(rules, { name: 'secret.example', verdict: 'blocked', category: 'upstream-filter', list: 'provider (EDE 15)' });
    expect(kinds(out)).toEqual([['dns.restricted', 'critical']]);
    expect(out[0]!.subject).toBe('(restricted)');
    expect(JSON.stringify(out)).not.toContain('secret.example');
  });

  it('give blocked categories their catalogue severity, and none for low ones', () => {
    expect(kinds(check(rules, { name: 'a.example', verdict: 'blocked', category: 'self-harm', list: 'provider-self-harm' }))).toEqual([['dns.category', 'critical']]);
    expect(kinds(check(rules, { name: 'b.example', verdict: 'blocked', category: 'adult', list: 'x' }))).toEqual([['dns.category', 'high']]);
    expect(kinds(check(rules, { name: 'c.example', verdict: 'blocked', category: 'gambling', list: 'x' }))).toEqual([['dns.category', 'medium']]);
    expect(check(rules, { name: 'd.example', verdict: 'blocked', category: 'social', list: 'x' })).toEqual([]);
    expect(check(rules, { name: 'e.example', verdict: 'blocked', category: 'dns-rebinding' })).toEqual([]);
  });

  it('make canaries and the bypass category bypass alerts', () => {
    const canary = check(rules, { name: 'use-application-dns.net', verdict: 'blocked', category: 'bypass', list: 'canary' });
    expect(kinds(canary)).toEqual([['dns.bypass', 'high']]);
    expect(canary[0]!.reason).toContain('encrypted DNS');
    expect(kinds(check(rules, { name: 'dns.google', verdict: 'blocked', category: 'bypass', list: 'builtin-bypass' }))).toEqual([['dns.bypass', 'high']]);
  });

  it('record allowed visits to a watched category and to the watch list\'s names and below', () => {
    expect(kinds(check(rules, { name: 'chat.example', category: 'chat', watch: true }))).toEqual([['dns.watch', 'medium']]);
    const named = check(rules, { name: 'www.watched.example' });
    expect(kinds(named)).toEqual([['dns.watch', 'medium']]);
    expect(named[0]!.details).toEqual({ watched: 'watched.example', verdict: 'forwarded' });
    expect(check(rules, { name: 'watched.example' })).toHaveLength(1);
    expect(check(rules, { name: 'notwatched.example' })).toEqual([]);
    expect(check(rules, { name: 'watched.example.org' })).toEqual([]);
  });

  it('flag keywords in any verdict, with the list and the keyword, every time the name is asked', () => {
    for (let i = 0; i < 2; i++) {
      const out = check(rules, { name: 'how-to-k1ll-myself.example' });
      expect(kinds(out)).toEqual([['dns.keyword', 'critical']]);
      expect(out[0]!.details).toEqual({ list: 'self-harm', keyword: 'kilmyself', verdict: 'forwarded' });
      expect(out[0]!.reason).toContain('DNS sees names only');
    }
    const blocked = check(rules, { name: 'atomwaffen.example', verdict: 'blocked', category: 'hate', list: 'x' });
    expect(kinds(blocked)).toEqual([['dns.category', 'high'], ['dns.keyword', 'high']]);
    expect(check(rules, { name: '(restricted)', verdict: 'blocked', category: 'restricted', list: 'suicide-list' })).toHaveLength(1);
  });

  it('raise one storm a window for a device the rate limit keeps refusing', () => {
    const storms = new DnsAlertRules(data());
    const out: AlertCandidate[] = [];
    for (let i = 0; i < 250; i++) out.push(...check(storms, { name: 'x.example', verdict: 'rate-limited', at: AT + i * 100 }));
    // 250 in 25 s: one window, one candidate at the 100th.
    expect(kinds(out)).toEqual([['dns.rate-limited', 'medium']]);
    expect(out[0]!.at).toBe(new Date(AT + 99 * 100).toISOString());
    // Another device's refusals are its own; a new window counts again.
    expect(Array.from({ length: 99 }, () => check(storms, { name: 'x.example', verdict: 'rate-limited', device: null, client: '10.20.0.9' })).flat()).toEqual([]);
    const later = Array.from({ length: 100 }, (_, i) => check(storms, { name: 'x.example', verdict: 'rate-limited', at: AT + 60_000 + i })).flat();
    expect(kinds(later)).toEqual([['dns.rate-limited', 'medium']]);
  });

  it('merge a batch\'s candidates of one kind, device, severity and subject into one with their count', () => {
    const c = check(rules, { name: 'suicide.example' })[0]!;
    const other = { ...c, subject: 'suicide2.example' };
    const merged = mergeCandidates([c, c, other, { ...c, count: 4 }, { ...c, mac: null }]);
    expect(merged.map((m) => [m.subject, m.mac, m.count])).toEqual([['suicide.example', MAC, 6], ['suicide2.example', MAC, undefined], ['suicide.example', null, undefined]]);
    expect(c.count).toBeUndefined();
  });

  it('keep nothing per name: the 40,001st name is checked like the first', () => {
    const many = new DnsAlertRules(data());
    for (let i = 0; i < 40_000; i++) check(many, { name: `host${i}.example` });
    expect(kinds(check(many, { name: 'suicide.example' }))).toEqual([['dns.keyword', 'critical']]);
  });
});

describe('the self-test\'s own questions', () => {
  // The demo networks: the gateway asks from 127.10.0.1, 127.20.0.1 and 127.30.0.1.
  const config = defaultConfig();
  const rules = new DnsAlertRules(dnsAlertRulesData(config, CATEGORY_SEVERITIES, shipped));
  const questions: Event[] = [
    { name: 'use-application-dns.net', verdict: 'blocked', category: 'bypass', list: 'canary' },
    { name: 'dns.google', verdict: 'blocked', category: 'bypass', list: 'doh' },
    { name: 'test-name.example', verdict: 'blocked', category: 'self-harm', list: 'provider-self-harm' },
    { name: 'how-to-k1ll-myself.example' },
  ];

  it('raise no alert from the gateway\'s address on a network, while the same question from a device does', () => {
    for (const q of questions) {
      expect(check(rules, { ...q, client: '127.20.0.1', device: null }), q.name).toEqual([]);
      expect(check(rules, { ...q, network: 'guest', client: '127.30.0.1', device: null }), q.name).toEqual([]);
      expect(check(rules, { ...q, client: '127.20.0.5', device: null }), q.name).toHaveLength(1);
    }
  });

  it('follow the configuration: a network switched off or renumbered is a new set of sources', () => {
    const data = dnsAlertRulesData(config, CATEGORY_SEVERITIES, shipped);
    expect(data.quietSources).toEqual(['127.10.0.1', '127.20.0.1', '127.30.0.1']);
    const renumbered = structuredClone(config);
    renumbered.networks[1]!.gateway = { ipv6: 'FD00:0:0:20::1' };
    renumbered.networks[2]!.enabled = false;
    expect(dnsAlertRulesData(renumbered, CATEGORY_SEVERITIES, shipped).quietSources).toEqual(['127.10.0.1', 'fd00:0:0:20::1']);
    expect(alertRulesChanged(renumbered, config)).toBe(true);
    expect(alertRulesChanged(structuredClone(config), config)).toBe(false);
    const moved = new DnsAlertRules(dnsAlertRulesData(renumbered, CATEGORY_SEVERITIES, shipped));
    // The old gateway address of a network is now a device like any other.
    expect(check(moved, { ...questions[0]!, network: 'guest', client: '127.30.0.1', device: null })).toHaveLength(1);
    expect(check(moved, { ...questions[0]!, client: 'fd00:0:0:20::1', device: null })).toEqual([]);
  });
});

describe('the writer thread', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-alert-rules-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('runs the rules on every event it writes, sends the candidates here, and takes new rules in order', async () => {
    const events = new EventBuffer(100);
    const received: AlertCandidate[][] = [];
    let wake: () => void = () => {};
    const log = await QueryLog.open(join(dir, 'logs.db'), {
      events, logger: silentLogger(), flushIntervalMs: 60_000, alertRules: data(['first.example']),
      onAlerts: (candidates) => { received.push(candidates); wake(); },
    });
    const next = () => new Promise<AlertCandidate[]>((resolve) => {
      wake = () => resolve(received.shift()!);
      if (received.length > 0) wake();
    });
    const event = (name: string, extra: Partial<QueryEvent> = {}): QueryEvent => ({
      at: AT, network: 'pupil', client: '10.20.0.5', device: MAC, transport: 'udp', name, qtype: 1, verdict: 'forwarded', rcode: 0, latencyMs: 1, ...extra,
    });
    try {
      events.push(event('www.bbc.co.uk'));
      events.push(event('www.first.example'));
      for (let i = 0; i < 3; i++) events.push(event('use-application-dns.net', { verdict: 'blocked', rcode: 3, category: 'bypass', list: 'canary' }));
      log.flush();
      // A batch's repeats of one name from one device arrive as one candidate with their count.
      expect((await next()).map((c) => [c.kind, c.subject, c.count])).toEqual([['dns.watch', 'www.first.example', undefined], ['dns.bypass', 'use-application-dns.net', 3]]);
      // A configuration change: the batches after it use the new watch list.
      log.setAlertRules(data(['second.example']));
      events.push(event('www.first.example'));
      events.push(event('www.second.example'));
      log.flush();
      expect((await next()).map((c) => c.subject)).toEqual(['www.second.example']);
      // Switched off: the same event raises nothing (the next message is the batch's after the
      // rules come back, on the same ordered port), and the rows are still written.
      log.setAlertRules(null);
      events.push(event('www.second.example'));
      log.flush();
      log.setAlertRules(data(['third.example']));
      events.push(event('www.third.example'));
      log.flush();
      expect((await next()).map((c) => c.subject)).toEqual(['www.third.example']);
      expect(await log.count()).toBe(9);
    } finally {
      log.close();
    }
  });
});
