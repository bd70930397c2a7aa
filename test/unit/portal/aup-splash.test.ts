// The AUP splash: who is shown it (off by default, never on guest, until this version is accepted
// on this network), its pages in the two voices, the surface handler's whole round over a real
// state.db (splash and "captive" → accept → probe success and "not captive"), the set's lines,
// the acceptances' store and the CLI's table.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../../firmware/clients/directory.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { formatAcceptances } from '../../../firmware/cli/commands/aup.ts';
import { dispatch, type SurfaceRequest } from '../../../firmware/portal/dispatcher.ts';
import { landingHandler } from '../../../firmware/portal/landing.ts';
import { aupConfigIssues, decideSplash, splashNetworkIds } from '../../../firmware/portal/splash/decide.ts';
import { acceptedLine, reloadLines } from '../../../firmware/portal/splash/elements.ts';
import { splashHandler } from '../../../firmware/portal/splash/handler.ts';
import { aupAcceptancesView } from '../../../firmware/portal/splash/methods.ts';
import { ACCEPT_PATH, BUILTIN_PUPIL_TEXT, splashPage } from '../../../firmware/portal/splash/page.ts';
import { acceptedDevices, startAupSplash } from '../../../firmware/portal/splash/start.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { InvalidInputError } from '../../../firmware/state/values.ts';

const MAC = '02:5c:00:20:00:10';
const AUP_TEXT = 'Use the network for school work.\n\nDo not share <your> password.';

function configWith(splashOn: string[], version = '2026-27'): Config {
  const c = defaultConfig();
  c.aup = { version, text: AUP_TEXT, splashOn };
  return c;
}

const net = (c: Config, id: string) => c.networks.find((n) => n.id === id)!;
const client = (c: Config, id: string, mac: string | null = MAC): ClientInfo => ({ network: net(c, id), ...(mac ? { device: { id: mac } } : {}) });

let db: StateDatabase | undefined;
afterEach(() => db?.close());

describe('who is shown the splash', () => {
  const never = () => false;
  it('nobody without an aup section or outside splashOn; never guests; a device until it accepts this version here', () => {
    const none = defaultConfig();
    expect(decideSplash(none, { network: net(none, 'pupil'), mac: MAC, hasAccepted: never })).toEqual({ kind: 'off' });
    const c = configWith(['pupil']);
    expect(decideSplash(c, { network: net(c, 'staff'), mac: MAC, hasAccepted: never }).kind).toBe('off');
    expect(decideSplash(c, { network: net(c, 'pupil'), mac: MAC, hasAccepted: never })).toEqual({ kind: 'ask', version: '2026-27', mac: MAC });
    expect(decideSplash(c, { network: net(c, 'pupil'), mac: undefined, hasAccepted: never }).kind).toBe('no-lease');
    const accepted = new Set([`${MAC}|pupil|2025-26`]);
    const has = (mac: string, n: string, v: string) => accepted.has(`${mac}|${n}|${v}`);
    // Last year's acceptance does not count for this year's version.
    expect(decideSplash(c, { network: net(c, 'pupil'), mac: MAC, hasAccepted: has }).kind).toBe('ask');
    accepted.add(`${MAC}|pupil|2026-27`);
    expect(decideSplash(c, { network: net(c, 'pupil'), mac: MAC, hasAccepted: has })).toEqual({ kind: 'accepted', version: '2026-27' });
    const guest = configWith(['guest', 'pupil']);
    expect(decideSplash(guest, { network: net(guest, 'guest'), mac: MAC, hasAccepted: never }).kind).toBe('off');
    expect(splashNetworkIds(guest)).toEqual(['pupil']);
  });

  it('a configuration file with the section validates; a guest network, a bad version or an unknown key is refused with its path', () => {
    expect(validateConfig(configWith(['staff', 'pupil'])).ok).toBe(true);
    const paths = (c: unknown) => { const v = validateConfig(c); return v.ok ? [] : v.issues.map((i) => i.path); };
    expect(paths(configWith(['guest']))).toEqual(['/aup/splashOn/0']);
    expect(paths(configWith(['pupil'], '2026/27'))).toEqual(['/aup/version']);
    const extra = configWith(['pupil']) as unknown as { aup: Record<string, unknown> };
    extra.aup.renewEvery = 'autumn';
    expect(paths(extra)).toContain('/aup/renewEvery');
  });

  it('the configuration may name only existing, non-guest networks', () => {
    expect(aupConfigIssues(configWith(['staff', 'pupil']))).toEqual([]);
    expect(aupConfigIssues(configWith(['staff', 'guest', 'office']))).toEqual([
      { path: '/aup/splashOn/1', message: expect.stringContaining('guest network') },
      { path: '/aup/splashOn/2', message: expect.stringContaining('there is no network "office"') },
    ]);
  });
});

describe('the splash page', () => {
  const aup = { version: '2026-27', text: AUP_TEXT, splashOn: ['staff', 'pupil'] };
  it('for staff: the school\'s text escaped, in paragraphs, the version, and that use is monitored', () => {
    const html = splashPage({ aup, voice: 'adult', siteName: 'St Anne\'s', networkName: 'Staff' });
    expect(html).toContain('<p>Do not share &lt;your&gt; password.</p>');
    expect(html).toContain('logged and monitored');
    expect(html).toContain(`<form method="post" action="${ACCEPT_PATH}">`);
    expect(html).toContain('<input type="hidden" name="version" value="2026-27">');
    expect(html).not.toContain('<script');
  });

  it('for pupils: short sentences, the built-in rules unless the school wrote its own', () => {
    const html = splashPage({ aup, voice: 'pupil', siteName: 'St Anne\'s', networkName: 'Pupils' });
    expect(html).toContain('The school can see which websites you visit.');
    expect(html).toContain('I agree to these rules');
    for (const rule of BUILTIN_PUPIL_TEXT.split('\n\n')) expect(html).toContain(rule);
    expect(html).not.toContain('Do not share');
    const own = splashPage({ aup: { ...aup, pupilText: 'I will be kind.' }, voice: 'pupil', siteName: 'S', networkName: 'P' });
    expect(own).toContain('<p>I will be kind.</p>');
    // Every sentence a pupil reads is short (the rules, the heading, the button, the notes).
    const text = html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ');
    for (const sentence of text.split(/[.!?\n]/).map((s) => s.trim()).filter((s) => s.length > 0)) {
      expect(sentence.split(/\s+/).length, sentence).toBeLessThanOrEqual(14);
    }
  });
});

describe('the splash on the surface, over state.db', () => {
  function world(c: Config) {
    db = StateDatabase.open(':memory:');
    const store = db.aupAcceptances;
    const changes: string[][] = [];
    const splash = splashHandler({
      config: () => c,
      hasAccepted: (mac, n, v) => store.has(mac, n, v),
      async accept(input) {
        store.accept({ mac: input.mac, networkId: input.networkId, version: input.version, at: input.at.toISOString(), address: input.address });
        changes.push([acceptedLine({ iface: input.iface, mac: input.mac })]);
      },
    });
    const handlers = [splash, landingHandler(() => c)];
    const ask = (info: ClientInfo, r: Partial<SurfaceRequest>) =>
      dispatch(handlers, { method: 'GET', host: 'captive.apple.com', path: '/hotspot-detect.html', source: '127.20.0.5', client: info, now: Date.UTC(2026, 8, 3, 8, 50), ...r });
    return { store, changes, ask };
  }

  it('probe → splash and captive; accept → stored, the set changed; probe → Success and not captive', async () => {
    const c = configWith(['pupil']);
    const { store, changes, ask } = world(c);
    const pupil = client(c, 'pupil');
    const first = await ask(pupil, {});
    expect(first).toMatchObject({ handler: 'aup-splash', response: { status: 511 } });
    expect(first.response.html).toContain('Before you go online');
    const api = await ask(pupil, { host: '127.20.0.1', path: '/api/captive-portal' });
    expect(api.response.headers?.['content-type']).toBe('application/captive+json');
    expect(JSON.parse(api.response.html)).toEqual({ 'captive': true, 'user-portal-url': `http://127.20.0.1${ACCEPT_PATH}` });

    // A page from before a new version is not an acceptance of this one.
    const stale = await ask(pupil, { method: 'POST', path: ACCEPT_PATH, form: { version: '2025-26' } });
    expect(stale.response.status).toBe(400);
    expect(stale.response.html).toContain('The rules have changed.');
    expect(store.list()).toEqual([]);

    const accepted = await ask(pupil, { method: 'POST', path: ACCEPT_PATH, form: { version: '2026-27' } });
    expect(accepted.response.status).toBe(200);
    expect(accepted.response.html).toContain('Thank you');
    expect(store.list()).toEqual([{ id: 1, mac: MAC, networkId: 'pupil', version: '2026-27', at: '2026-09-03T08:50:00.000Z', address: '127.20.0.5', deviceName: null }]);
    expect(changes).toEqual([[`add element inet schoolgate aup_accepted { "lo" . ${MAC} }`]]);

    const probe = await ask(pupil, {});
    expect(probe).toMatchObject({ handler: 'aup-splash', response: { status: 200, html: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n' } });
    const android = await ask(pupil, { host: 'connectivitycheck.gstatic.com', path: '/generate_204' });
    expect(android.response.status).toBe(204);
    expect(JSON.parse((await ask(pupil, { host: '127.20.0.1', path: '/api/captive-portal' })).response.html).captive).toBe(false);
    // Anything else is no longer the splash's: the gateway's own page answers.
    expect((await ask(pupil, { host: '127.20.0.1', path: '/' })).handler).toBe('landing');

    // Another network, or next autumn's version, asks again.
    expect((await ask(client(c, 'staff'), { host: '127.10.0.1', path: '/' })).handler).toBe('landing');
    c.aup!.version = '2027-28';
    expect((await ask(pupil, {})).response.status).toBe(511);
  });

  it('a device with no lease is told why, and nothing is recorded', async () => {
    const c = configWith(['staff']);
    const { store, ask } = world(c);
    const out = await ask(client(c, 'staff', null), { method: 'POST', path: ACCEPT_PATH, form: { version: '2026-27' } });
    expect(out).toMatchObject({ handler: 'aup-splash', response: { status: 403 } });
    expect(out.response.html).toContain('did not get its address');
    expect(store.list()).toEqual([]);
  });
});

describe('the acceptances in state.db and the firewall set', () => {
  it('keeps the first acceptance of a version, refuses a bad value, and lists newest first with the device name', () => {
    db = StateDatabase.open(':memory:');
    const s = db.aupAcceptances;
    const row = { mac: MAC, networkId: 'pupil', version: '2026-27', at: '2026-09-03T08:50:00.000Z', address: '10.20.0.10' };
    expect(s.accept(row)).toBe(true);
    expect(s.accept({ ...row, at: '2026-09-04T08:50:00.000Z' })).toBe(false);
    expect(() => s.accept({ ...row, mac: 'not-a-mac' })).toThrow(InvalidInputError);
    expect(() => s.accept({ ...row, version: 'has space' })).toThrow(InvalidInputError);
    s.accept({ ...row, mac: '02:5c:00:20:00:11' });
    s.accept({ ...row, networkId: 'staff', mac: '02:5c:00:10:00:09' });
    db.devices.upsertSeen('02:5c:00:20:00:11', 'pupil', new Date());
    db.devices.update('02:5c:00:20:00:11', { name: 'Class 3 iPad 4' });
    expect(s.list().map((a) => [a.mac, a.networkId, a.deviceName, a.at])).toEqual([
      ['02:5c:00:10:00:09', 'staff', null, row.at], ['02:5c:00:20:00:11', 'pupil', 'Class 3 iPad 4', row.at], [MAC, 'pupil', null, row.at],
    ]);
    expect(s.macsFor('pupil', '2026-27')).toEqual([MAC, '02:5c:00:20:00:11']);
    expect(s.macsFor('pupil', '2027-28')).toEqual([]);

    const c = configWith(['pupil']);
    expect(acceptedDevices(c, s)).toEqual([{ iface: 'lo', mac: MAC }, { iface: 'lo', mac: '02:5c:00:20:00:11' }]);
    expect(reloadLines(acceptedDevices(c, s))).toEqual([
      'flush set inet schoolgate aup_accepted',
      `add element inet schoolgate aup_accepted { "lo" . ${MAC}, "lo" . 02:5c:00:20:00:11 }`,
    ]);
    // A new version: the set is emptied and nobody is in it until they accept again.
    expect(reloadLines(acceptedDevices(configWith(['pupil'], '2027-28'), s))).toEqual(['flush set inet schoolgate aup_accepted']);

    const view = aupAcceptancesView(c, s);
    expect(view.current).toEqual({ version: '2026-27', splashOn: ['pupil'] });
    const printed = formatAcceptances(view);
    expect(printed).toContain('AUP version in force: 2026-27; splash on: pupil.');
    expect(printed).toContain('"Class 3 iPad 4"');
    expect(formatAcceptances(aupAcceptancesView(defaultConfig(), { list: () => [] }))).toContain('The AUP splash is off');
  });
});

describe('startAupSplash', () => {
  it('loads the set at start and rebuilds it after the daemon has queued a configuration change\'s apply', async () => {
    db = StateDatabase.open(':memory:');
    let config = configWith(['pupil']);
    const listeners: Array<(next: Readonly<Config>) => void> = [];
    const queue: string[][] = [];
    let changed: (() => void) | undefined;
    const registered: string[] = [];
    const splash = await startAupSplash({
      config: () => config, store: db.aupAcceptances, logger: silentLogger(),
      control: { register: (name: string) => { registered.push(name); } } as never,
      change: async (lines) => { queue.push([...lines]); changed?.(); return true; },
      onConfigChange: (listener) => { listeners.push(listener); return () => listeners.splice(listeners.indexOf(listener), 1); },
    });
    expect(registered).toEqual(['aup.acceptances']);
    expect(queue).toEqual([['flush set inet schoolgate aup_accepted']]);
    db.aupAcceptances.accept({ mac: MAC, networkId: 'pupil', version: '2026-27', at: '2026-09-03T08:50:00.000Z', address: '10.20.0.10' });
    // The daemon's own listener, registered after the splash's, queues the new ruleset.
    listeners.push(() => { queue.push(['apply the new ruleset']); });
    const rebuilt = new Promise<void>((resolve) => { changed = resolve; });
    config = configWith(['pupil', 'staff']);
    for (const l of [...listeners]) l(config);
    await rebuilt;
    expect(queue.slice(1)).toEqual([['apply the new ruleset'], ['flush set inet schoolgate aup_accepted', `add element inet schoolgate aup_accepted { "lo" . ${MAC} }`]]);
    splash.stop();
    expect(listeners).toHaveLength(1);
  });
});
