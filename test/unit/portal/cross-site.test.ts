// Forms on the port-80 surface refuse a POST another site made a browser send: over real loopback
// sockets, the surface's app (the AUP splash's "I agree") and the portal's app (a guest's sign out
// and registration) each allow their own page's post and one with neither header (curl, an old
// browser), and refuse Sec-Fetch-Site cross-site and a foreign Origin, acting on nothing.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import type { ClientInfo } from '../../../firmware/clients/directory.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { portalOnSurface } from '../../../firmware/portal/captive/on-surface.ts';
import { DEFAULT_TERMS, type PortalView } from '../../../firmware/portal/captive/settings.ts';
import { crossSitePage, formOriginOf, refusedCrossSite } from '../../../firmware/portal/cross-site.ts';
import { RegistrationService } from '../../../firmware/portal/registration/service.ts';
import { startSurface, type RunningSurface } from '../../../firmware/portal/server.ts';
import { splashHandler } from '../../../firmware/portal/splash/handler.ts';
import { ACCEPT_PATH } from '../../../firmware/portal/splash/page.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { freePort } from '../../support/ports.ts';

const GATEWAY = '10.20.0.1';
const own = (hostHeader: string) => ({ hostHeader, isGatewayHost: (h: string) => h === GATEWAY });

describe('refusedCrossSite', () => {
  test('only POSTs; Sec-Fetch-Site cross-site refused, same-origin believed; a present Origin must be the Host asked or a gateway address, over http', () => {
    expect(refusedCrossSite('GET', { fetchSite: 'cross-site', origin: 'http://evil.example' }, own('chatter.test'))).toBe(false);
    expect(refusedCrossSite('POST', {}, own('chatter.test'))).toBe(false);
    expect(refusedCrossSite('POST', { fetchSite: 'cross-site' }, own('chatter.test'))).toBe(true);
    expect(refusedCrossSite('POST', { fetchSite: 'same-origin', origin: 'http://chatter.test' }, own('chatter.test'))).toBe(false);
    expect(refusedCrossSite('POST', { origin: 'http://chatter.test' }, own('Chatter.Test:80'))).toBe(false);
    expect(refusedCrossSite('POST', { origin: 'http://127.0.0.1:8081' }, own('127.0.0.1:8081'))).toBe(false);
    expect(refusedCrossSite('POST', { origin: `http://${GATEWAY}` }, own('chatter.test'))).toBe(false);
    expect(refusedCrossSite('POST', { origin: 'http://evil.example' }, own('chatter.test'))).toBe(true);
    expect(refusedCrossSite('POST', { fetchSite: 'same-site', origin: 'http://www.chatter.test' }, own('chatter.test'))).toBe(true);
    expect(refusedCrossSite('POST', { origin: 'https://chatter.test' }, own('chatter.test'))).toBe(true);
    expect(refusedCrossSite('POST', { origin: 'http://127.0.0.1:9999' }, own('127.0.0.1:8081'))).toBe(true);
    // An opaque origin (a sandboxed frame, a data: URL) is nobody's.
    expect(refusedCrossSite('POST', { origin: 'null' }, own('chatter.test'))).toBe(true);
    expect(formOriginOf({ 'sec-fetch-site': 'Cross-Site', origin: ' http://a.test ' })).toEqual({ fetchSite: 'cross-site', origin: 'http://a.test' });
    expect(formOriginOf({})).toEqual({});
  });

  test('the refusal page: the pupils\' words on a pupil network, the adults\' elsewhere, the school\'s name escaped', () => {
    expect(crossSitePage('pupil', 'Hillside')).toContain('The button you pressed was on a different website, so nothing was sent.');
    const adult = crossSitePage('adult', 'St <Mary>\'s');
    expect(adult).toContain('<h1>Form refused</h1>');
    expect(adult).toContain('St &lt;Mary&gt;&#39;s');
    expect(adult).not.toContain('<Mary>');
  });
});

let surface: RunningSurface | undefined;
let state: StateDatabase | undefined;
afterEach(async () => {
  await surface?.close();
  state?.close();
  surface = undefined;
  state = undefined;
});

interface Answer { status: number; handler: string; body: string }

function post(port: number, path: string, form: Record<string, string>, headers: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port, method: 'POST', path,
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, handler: String(res.headers['x-schoolgate-handler']), body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const MAC = '02:5c:00:20:00:10';

test('the surface\'s app: the AUP splash\'s "I agree" recorded from its own page or with no headers; refused from another site, nothing recorded', async () => {
  const config = defaultConfig();
  config.aup = { version: '2026-27', text: 'Use the network for school work.', splashOn: ['pupil'] };
  const pupil = config.networks.find((n) => n.kind === 'pupil')!;
  const accepted: string[] = [];
  const splash = splashHandler({
    config: () => config,
    hasAccepted: () => false,
    accept: async (input) => { accepted.push(`${input.mac} ${input.version}`); },
  });
  const lookup = (): ClientInfo => ({ network: pupil, device: { id: MAC } });
  const port = await freePort();
  surface = await startSurface({ logger: silentLogger(), handlers: () => [splash], lookup, isGatewayHost: () => false, siteName: () => 'Hillside Primary' }, [{ address: '127.0.0.1', port }]);
  const form = { version: '2026-27' };

  const crossSite = await post(port, ACCEPT_PATH, form, { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' });
  expect(crossSite).toMatchObject({ status: 403, handler: 'cross-site' });
  // A pupil's device: the refusal in the pupils' words.
  expect(crossSite.body).toContain('The button you pressed was on a different website, so nothing was sent.');
  expect((await post(port, ACCEPT_PATH, form, { origin: 'http://evil.example' })).status).toBe(403);
  expect(accepted).toEqual([]);

  expect(await post(port, ACCEPT_PATH, form, { 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${port}` })).toMatchObject({ status: 200, handler: 'aup-splash' });
  expect(await post(port, ACCEPT_PATH, form, {})).toMatchObject({ status: 200, handler: 'aup-splash' });
  expect(accepted).toEqual([`${MAC} 2026-27`, `${MAC} 2026-27`]);
});

test('the portal\'s app: a guest\'s sign out and registration refused from another site; sign out from the portal\'s own page or with no headers', async () => {
  const config = defaultConfig();
  const guest = config.networks.find((n) => n.kind === 'guest')!;
  state = StateDatabase.open(':memory:');
  const s = state;
  const now = () => new Date();
  const deviceAt = (address: string) => (address === '127.0.0.1' ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined);
  const key = Buffer.alloc(32, 7);
  const vouchers = new VoucherService({ store: s.vouchers, transaction: (fn) => s.transaction(fn), key, deviceAt, change: async () => true, events: s.networkEvents, now });
  const registration = new RegistrationService({ requests: s.visitorRequests, vouchers: s.vouchers, service: vouchers, accounts: s.accounts, audit: s.audit, transaction: (fn) => s.transaction(fn), key, deviceAt, now, timezone: () => 'Europe/London' });
  const view: PortalView = { siteName: 'Hillside Primary', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: null, venueInfoUrl: null };
  const portal = portalOnSurface({ captive: { sessions: vouchers, view: () => view, now }, registration, enabled: () => true, isGatewayHost: (host) => host === '127.0.0.1' });
  const port = await freePort();
  surface = await startSurface({ logger: silentLogger(), handlers: () => [], lookup: () => ({ network: guest }), portal }, [{ address: '127.0.0.1', port }]);
  const signIn = async () => {
    const { code } = vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    expect((await vouchers.redeem('127.0.0.1', code, DEFAULT_TERMS.version)).outcome).toBe('signed-in');
  };

  await signIn();
  expect((await post(port, '/portal/sign-out', {}, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  expect((await post(port, '/portal/sign-out', {}, { origin: 'http://evil.example' })).status).toBe(403);
  expect(vouchers.sessionAt('127.0.0.1')).toBeDefined();
  const own = await post(port, '/portal/sign-out', {}, { 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${port}` });
  expect(own).toMatchObject({ status: 200, handler: 'portal' });
  expect(vouchers.sessionAt('127.0.0.1')).toBeUndefined();

  await signIn();
  expect((await post(port, '/portal/sign-out', {}, {})).status).toBe(200);
  expect(vouchers.sessionAt('127.0.0.1')).toBeUndefined();

  const visitor = { name: 'Ann Visitor', organisation: 'County Council', purpose: 'Meeting', sponsor: 'nobody', accept: DEFAULT_TERMS.version };
  const forged = await post(port, '/portal/register', visitor, { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' });
  expect(forged.status).toBe(403);
  expect(forged.body).toContain('Please register on this page.');
});
