import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { readConfigFile } from '../../../firmware/config/store.ts';
import { closest, editDistance } from '../../../firmware/config/suggest.ts';
import { CONFIG_VERSION, type Config } from '../../../firmware/config/schema.ts';
import { ConfigError, validateConfig, type ConfigIssue } from '../../../firmware/config/validate.ts';

// defaultConfig() shares rule objects between categories (and between calls), and structuredClone
// keeps that sharing, so every test edits a JSON copy.
const base = (): Config => JSON.parse(JSON.stringify(defaultConfig())) as Config;

/** The issues for the defaults after `mutate`; the document is typed loosely to allow bad shapes. */
function issuesAfter(mutate: (doc: any) => unknown): ConfigIssue[] {
  const doc = base() as any;
  const replaced = mutate(doc);
  const result = validateConfig(replaced === undefined ? doc : replaced);
  return result.ok ? [] : result.issues;
}

const paths = (issues: ConfigIssue[]): string[] => issues.map((i) => i.path);

describe('validateConfig', () => {
  it('accepts the embedded defaults and returns them', () => {
    const doc = defaultConfig();
    const result = validateConfig(doc);
    expect(result).toEqual({ ok: true, config: doc });
  });

  it('accepts a fuller valid document: VLANs on one interface, IPv6, groups, portal, upstreams', () => {
    const doc: Config = base();
    doc.networks.forEach((n, i) => { n.interface = 'eth1'; n.vlan = 10 * (i + 1); });
    doc.networks[0]!.subnets.push('fd00:10::/64');
    doc.networks[0]!.gateway.ipv6 = 'fd00:10::1';
    doc.deviceGroups.push({ id: 'year6', name: 'Year 6 laptops', policy: 'pupil' });
    doc.policies[1]!.categories.videoconferencing = { disposition: 'acceptable-for-nominated-users', groups: ['year6'] };
    doc.web.portal = { address: '127.30.0.1', port: 8080 };
    doc.dns.upstreams.push({ name: 'resolver', address: '127.0.0.53', port: 53 });
    expect(validateConfig(doc)).toEqual({ ok: true, config: doc });
  });

  // Each case breaks one thing; the exact path of the one issue it causes is asserted. List cases
  // replace the shipped starter-list subscriptions, so the bad entry's index is known.
  const cases: [string, (doc: any) => unknown, string, RegExp][] = [
    ['not an object', () => [], '', /must be an object/],
    ['wrong type', (d) => { d.networks[0].vlan = 'ten'; }, '/networks/0/vlan', /whole number.*"ten"/],
    ['wrong type (boolean)', (d) => { d.networks[2].enabled = 'yes'; }, '/networks/2/enabled', /true or false/],
    ['missing required field', (d) => { delete d.networks[1].name; }, '/networks/1/name', /required property "name"/],
    ['missing section', (d) => { delete d.retention; }, '/retention', /required property "retention"/],
    ['unknown property at the root', (d) => { d.colour = 'blue'; }, '/colour', /unknown property "colour"/],
    ['unknown property deep down', (d) => { d.policies[0].categories.adult.note = 'x'; }, '/policies/0/categories/adult/note', /unknown property "note"/],
    ['bad id', (d) => { d.networks[0].id = 'Staff Net'; }, '/networks/0/id', /lower-case id.*"Staff Net"/],
    ['bad reference id', (d) => { d.networks[0].policy = 'Staff'; }, '/networks/0/policy', /lower-case id/],
    ['bad category name', (d) => { d.policies[0].categories['Bad Name'] = { disposition: 'acceptable' }; }, '/policies/0/categories/Bad Name', /not a lower-case id/],
    ['bad enum value', (d) => { d.networks[0].kind = 'teachers'; }, '/networks/0/kind', /one of "staff", "pupil".*"teachers"/],
    ['bad disposition', (d) => { d.policies[0].categories.adult.disposition = 'ok'; }, '/policies/0/categories/adult/disposition', /must be one of/],
    ['empty array where one is needed', (d) => { d.networks[0].subnets = []; }, '/networks/0/subnets', /fewer than 1/],
    ['port out of range (high)', (d) => { d.dns.listen[0].port = 65536; }, '/dns/listen/0/port', /<= 65535.*65536/],
    ['port out of range (zero)', (d) => { d.web.admin.port = 0; }, '/web/admin/port', />= 1/],
    ['port not a whole number', (d) => { d.web.admin.port = 80.5; }, '/web/admin/port', /whole number/],
    ['bad time of day', (d) => { d.schedules[0].windows[0].from = '24:00'; }, '/schedules/0/windows/0/from', /HH:MM.*"24:00"/],
    ['window ends before it starts', (d) => { d.schedules[0].windows[0].to = '11:59'; }, '/schedules/0/windows/0/to', /later than "from" \(12:00\)/],
    ['empty window', (d) => { d.schedules[0].windows[0].to = '12:00'; }, '/schedules/0/windows/0/to', /later than/],
    ['duplicate network id', (d) => { d.networks[2].id = 'staff'; }, '/networks/2/id', /duplicate network id "staff".*\/networks\/0/],
    ['duplicate policy id', (d) => { d.policies[1].id = 'staff'; d.networks[1].policy = 'staff'; }, '/policies/1/id', /duplicate policy id/],
    ['duplicate schedule id', (d) => { d.schedules.push({ ...d.schedules[0] }); }, '/schedules/1/id', /duplicate schedule id "lunchtime"/],
    ['duplicate device group id', (d) => { d.deviceGroups.push({ id: 'a', name: 'A' }, { id: 'a', name: 'B' }); }, '/deviceGroups/1/id', /duplicate device group id/],
    ['dangling network policy', (d) => { d.networks[1].policy = 'nobody'; }, '/networks/1/policy', /policy "nobody" does not exist/],
    ['dangling device group policy', (d) => { d.deviceGroups.push({ id: 'y6', name: 'Y6', policy: 'nobody' }); }, '/deviceGroups/0/policy', /policy "nobody" does not exist/],
    ['dangling schedule', (d) => { d.policies[1].categories.streaming.schedule = 'breaktime'; }, '/policies/1/categories/streaming/schedule', /schedule "breaktime" does not exist/],
    ['dangling group', (d) => { d.policies[0].categories.chat = { disposition: 'acceptable-for-nominated-users', groups: ['y6'] }; }, '/policies/0/categories/chat/groups/0', /device group "y6" does not exist/],
    ['exception for an unknown network', (d) => { d.exceptions.push({ id: 'bbc', domain: 'bbc.co.uk', action: 'allow', networks: ['teachers'], reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/networks/0', /network "teachers" does not exist/],
    ['exception for an unknown group', (d) => { d.exceptions.push({ id: 'bbc', domain: 'bbc.co.uk', action: 'allow', groups: ['y9'], reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/groups/0', /device group "y9" does not exist/],
    ['exception with a bad expiry', (d) => { d.exceptions.push({ id: 'bbc', domain: 'bbc.co.uk', action: 'allow', expires: 'next friday', reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/expires', /format/],
    ['exception for a device spelled with dashes', (d) => { d.exceptions.push({ id: 'watch', domain: 'bbc.co.uk', action: 'allow', devices: ['3C-22-FB-00-00-01'], reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/devices/0', /pattern|MAC/],
    ['exception naming the same device twice', (d) => { d.exceptions.push({ id: 'watch', domain: 'bbc.co.uk', action: 'allow', devices: ['3c:22:fb:00:00:01', '3c:22:fb:00:00:01'], reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/devices', /duplicate|unique/],
    ['exception for a name that is not a domain', (d) => { d.exceptions.push({ id: 'bbc', domain: 'http://bbc.co.uk/', action: 'allow', reason: 'topic work', requestedBy: 'Mrs Khan' }); }, '/exceptions/0/domain', /lower-case domain name/],
    ['duplicate list id', (d) => { const l = { id: 'social', name: 'Social', category: 'social', file: 'social.txt', format: 'domains', enabled: true }; d.lists = [l, { ...l }]; }, '/lists/1/id', /duplicate list id "social"/],
    ['unknown list format', (d) => { d.lists = [{ id: 'social', name: 'Social', category: 'social', file: 'social.txt', format: 'csv', enabled: true }]; }, '/lists/0/format', /must be one of "domains", "hosts"/],
    ['restricted allow list', (d) => { d.lists = [{ id: 'iwf', name: 'IWF', category: 'illegal', file: 'iwf.txt', format: 'domains', restricted: true, action: 'allow', enabled: true }]; }, '/lists/0/action', /restricted .* cannot be an allow list/],
    ['feed that is not http', (d) => { d.lists = [{ id: 'ads', name: 'Ads', category: 'adult', file: 'ads.txt', format: 'domains', feed: { url: 'ftp://lists.example/ads.txt', schedule: '17 3 * * *' }, enabled: true }]; }, '/lists/0/feed/url', /HTTP or HTTPS.*ftp:/],
    ['certain times without a schedule', (d) => { delete d.policies[1].categories.streaming.schedule; }, '/policies/1/categories/streaming/schedule', /schedule is required/],
    ['nominated users without groups', (d) => { d.policies[0].categories.chat = { disposition: 'acceptable-for-nominated-users' }; }, '/policies/0/categories/chat/groups', /device group is required/],
    ['nominated users with an empty list', (d) => { d.policies[0].categories.chat = { disposition: 'acceptable-for-nominated-users', groups: [] }; }, '/policies/0/categories/chat/groups', /device group is required/],
    ['CIDR with host bits', (d) => { d.networks[1].subnets = ['127.20.0.1/16']; }, '/networks/1/subnets/0', /host bits are set; did you mean 127\.20\.0\.0\/16/],
    ['CIDR without a length', (d) => { d.networks[1].subnets.push('10.0.0.0'); }, '/networks/1/subnets/1', /missing "\/length"/],
    ['CIDR length too long', (d) => { d.networks[1].subnets.push('10.0.0.0/33'); }, '/networks/1/subnets/1', /longer than 32/],
    ['CIDR not an address', (d) => { d.networks[1].subnets.push('school/24'); }, '/networks/1/subnets/1', /not an IPv4 or IPv6 address/],
    ['overlapping subnets of two networks', (d) => { d.networks[2].subnets.push('127.20.128.0/17'); }, '/networks/2/subnets/1', /overlaps 127\.20\.0\.0\/16 of network "pupil" \(\/networks\/1\/subnets\/0\)/],
    ['overlapping IPv6 subnets', (d) => { d.networks[0].subnets.push('fd00::/48'); d.networks[1].subnets.push('fd00:0:0:1::/64'); }, '/networks/1/subnets/1', /overlaps fd00::\/48/],
    ['repeated subnet within a network', (d) => { d.networks[0].subnets.push('127.10.0.0/16'); }, '/networks/0/subnets/1', /another subnet of this network/],
    ['gateway outside its subnets', (d) => { d.networks[1].gateway.ipv4 = '127.21.0.1'; }, '/networks/1/gateway/ipv4', /not inside any of this network's subnets \(127\.20\.0\.0\/16\)/],
    ['gateway in another network', (d) => { d.networks[1].gateway.ipv4 = '127.10.0.1'; }, '/networks/1/gateway/ipv4', /not inside/],
    ['gateway is the network address', (d) => { d.networks[1].gateway.ipv4 = '127.20.0.0'; }, '/networks/1/gateway/ipv4', /network address/],
    ['gateway is the broadcast address', (d) => { d.networks[1].gateway.ipv4 = '127.20.255.255'; }, '/networks/1/gateway/ipv4', /broadcast address/],
    ['gateway of the wrong family', (d) => { d.networks[0].gateway.ipv6 = '127.10.0.2'; }, '/networks/0/gateway/ipv6', /IPv4 address; this field needs IPv6/],
    ['IPv6 gateway without an IPv6 subnet', (d) => { d.networks[0].gateway.ipv6 = 'fd00::1'; }, '/networks/0/gateway/ipv6', /no IPv6 subnet/],
    ['gateway not an address', (d) => { d.networks[0].gateway.ipv4 = '127.10.0.256'; }, '/networks/0/gateway/ipv4', /not an IP address/],
    ['two enabled networks on one interface', (d) => { d.networks[0].interface = 'eth1'; d.networks[1].interface = 'eth1'; }, '/networks/1/interface', /eth1 \(untagged\) is already used by enabled network "staff"/],
    ['two enabled networks on one VLAN', (d) => { for (const n of d.networks) { n.interface = 'eth1'; n.vlan = n.id === 'staff' ? 10 : 20; } }, '/networks/2/vlan', /eth1 VLAN 20 is already used by enabled network "pupil"/],
    ['listener address not an address', (d) => { d.dns.listen[0].address = 'localhost'; }, '/dns/listen/0/address', /not an IP address/],
    ['admin and portal on the same endpoint', (d) => { d.web.portal = { address: '127.0.0.1', port: 8080 }; }, '/web/portal', /collides with \/web\/admin/],
    ['portal on the wildcard address, same port', (d) => { d.web.portal = { address: '::', port: 8080 }; }, '/web/portal', /collides with \/web\/admin/],
    ['admin on the DNS port (DNS listens on TCP too)', (d) => { d.web.admin = { address: '127.0.0.1', port: 5353 }; }, '/web/admin', /collides with \/dns\/listen\/0/],
    ['duplicate DNS listener', (d) => { d.dns.listen.push({ address: '127.0.0.1', port: 5353 }); }, '/dns/listen/1', /collides with \/dns\/listen\/0/],
    ['upstream not an address', (d) => { d.dns.upstreams.push({ name: 'isp', address: '192.0.2', port: 53 }); }, '/dns/upstreams/0/address', /not an IP address/],
    ['upstream is our own listener', (d) => { d.dns.upstreams.push({ name: 'self', address: '127.0.0.1', port: 5353 }); }, '/dns/upstreams/0/address', /would loop/],
    ['unknown time zone', (d) => { d.site.timezone = 'Europe/Londres'; }, '/site/timezone', /not a known IANA time zone/],
    ['policy naming a category the catalogue lacks', (d) => { d.policies[1].categories.socail = { disposition: 'unacceptable' }; }, '/policies/1/categories/socail', /^unknown category "socail" \(did you mean "social"\?\); known categories: [a-z-]+(, [a-z-]+){10,}$/],
    ['unknown category far from any known one', (d) => { d.policies[0].categories.knitting = { disposition: 'acceptable' }; }, '/policies/0/categories/knitting', /^unknown category "knitting"; known categories: /],
    ['list naming a category the catalogue lacks', (d) => { d.lists = [{ id: 'ads', name: 'Ads', category: 'adverts', file: 'ads.txt', format: 'domains', enabled: true }]; }, '/lists/0/category', /unknown category "adverts"/],
    ['builtin list of a category without a starter list', (d) => { d.lists = [{ id: 'x', name: 'X', category: 'social', file: 'builtin:socail', format: 'domains', enabled: true }]; }, '/lists/0/file', /"builtin:socail" names no shipped starter list \(did you mean "builtin:social"\?\); shipped: .*builtin:gaming/],
    ['builtin list with a feed', (d) => { d.lists[0].feed = { url: 'https://lists.example/x.txt', schedule: '17 3 * * *' }; }, '/lists/0/feed', /shipped list and cannot be fed from a download/],
    ['duplicate upstream name', (d) => { d.dns.upstreams.push({ name: 'isp', address: '192.0.2.1', port: 53 }, { name: 'isp', address: '192.0.2.2', port: 53 }); }, '/dns/upstreams/1/name', /duplicate upstream name "isp".*\/dns\/upstreams\/0/],
    ['duplicate exception id', (d) => { const e = { id: 'bbc', domain: 'bbc.co.uk', action: 'allow', reason: 'topic work', requestedBy: 'Mrs Khan' }; d.exceptions.push(e, { ...e, domain: 'bbc.com' }); }, '/exceptions/1/id', /duplicate exception id "bbc".*\/exceptions\/0/],
    ['upstream block-page address not an address', (d) => { d.dns.upstreamBlocks.addresses.push('blockpage.isp'); }, '/dns/upstreamBlocks/addresses/0', /not an IP address/],
    ['version other than the current one', (d) => { d.version = CONFIG_VERSION + 1; }, '/version', new RegExp(`must be ${CONFIG_VERSION}`)],
  ];

  it.each(cases)('rejects %s, naming its path', (_name, mutate, path, message) => {
    const issues = issuesAfter(mutate);
    expect(paths(issues)).toEqual([path]);
    expect(issues[0]!.message).toMatch(message);
  });

  it('accepts a disabled network sharing an interface, and several networks on lo', () => {
    expect(issuesAfter((d) => {
      d.networks[0].interface = 'eth1';
      d.networks[1].interface = 'eth1';
      d.networks[1].enabled = false;
    })).toEqual([]);
  });

  it('lists schema issues first, then the semantic issues of sections that passed the schema', () => {
    const issues = issuesAfter((d) => {
      d.networks[0].vlan = 'x'; // schema: the networks section is not checked further
      d.networks[1].policy = 'nobody'; // would be semantic, but lives in the broken section
      d.site.timezone = 'Mars/Olympus';
      d.schedules[0].windows[0].to = '09:00';
      d.extra = true;
    });
    // Schema issues come in the order TypeBox finds them; semantic ones follow.
    expect(paths(issues).slice(0, 2).sort()).toEqual(['/extra', '/networks/0/vlan']);
    expect(paths(issues).slice(2)).toEqual(['/site/timezone', '/schedules/0/windows/0/to']);
  });

  it('reports every problem, not just the first', () => {
    const issues = issuesAfter((d) => {
      d.networks[1].policy = 'nobody';
      d.networks[2].gateway.ipv4 = '10.0.0.1';
      d.site.timezone = 'Nowhere';
    });
    expect(paths(issues).sort()).toEqual(['/networks/1/policy', '/networks/2/gateway/ipv4', '/site/timezone']);
  });

  it('escapes "/" and "~" in paths as JSON pointers do', () => {
    const issues = issuesAfter((d) => { d.policies[0].categories['a/b~c'] = { disposition: 'acceptable' }; });
    expect(paths(issues)).toEqual(['/policies/0/categories/a~1b~0c']);
  });

  it('checks category names against the catalogue it is given', () => {
    const doc = base();
    const only = (ids: string[]) => ({ categories: new Map(ids.map((id) => [id, { starterList: `${id}.txt` }])) });
    const everyNamed = [...new Set([...doc.policies.flatMap((p) => Object.keys(p.categories)), ...doc.lists.map((l) => l.category)])];
    expect(validateConfig(doc, only(everyNamed))).toEqual({ ok: true, config: doc });
    const result = validateConfig(doc, only(everyNamed.filter((id) => id !== 'gambling')));
    const issues = result.ok ? [] : result.issues;
    const list = doc.lists.findIndex((l) => l.file === 'builtin:gambling');
    const rules = doc.policies.flatMap((p, i) => ('gambling' in p.categories ? [`/policies/${i}/categories/gambling`] : []));
    expect(rules.length).toBeGreaterThan(0);
    expect(paths(issues).sort()).toEqual([...rules, `/lists/${list}/category`, `/lists/${list}/file`].sort());
    expect(issues.find((i) => i.path.endsWith('/file'))!.message).toMatch(/"builtin:gambling" names no shipped starter list/);
  });

  it('does not modify the document it checks', () => {
    const doc = base() as any;
    doc.networks[0].extra = 1;
    const before = structuredClone(doc);
    validateConfig(doc);
    expect(doc).toEqual(before);
  });
});

describe('schoolgate config validate (readConfigFile, the code path it runs)', () => {
  it('refuses a misspelt category with its path, a suggestion and the known categories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'schoolgate-validate-'));
    try {
      const doc = base() as any;
      doc.policies[1].categories.socail = { disposition: 'unacceptable' };
      const file = join(dir, 'config.json');
      await writeFile(file, JSON.stringify(doc));
      const error = await readConfigFile(file).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([{ path: '/policies/1/categories/socail', message: expect.stringMatching(/did you mean "social"\?/) }]);
      expect((error as ConfigError).message).toContain(`${file}: /policies/1/categories/socail: unknown category "socail"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('closest', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('socail', 'social')).toBe(1);
    expect(editDistance('gamign', 'gaming')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only a near candidate', () => {
    expect(closest('socail', ['gaming', 'social', 'chat'])).toBe('social');
    expect(closest('gamblng', ['gaming', 'gambling'])).toBe('gambling');
    expect(closest('knitting', ['gaming', 'social', 'chat'])).toBeUndefined();
    expect(closest('x', ['chat'])).toBeUndefined();
  });
});

describe('ConfigError', () => {
  it('lists every issue on its own line with source and path ("/" for the root)', () => {
    const error = new ConfigError('/etc/x.json', [
      { path: '', message: 'first' },
      { path: '/networks/0/id', message: 'second' },
    ]);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('/etc/x.json: /: first\n/etc/x.json: /networks/0/id: second');
    expect(error.source).toBe('/etc/x.json');
    expect(error.issues).toHaveLength(2);
  });
});
