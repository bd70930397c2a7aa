// The visitor portal on the web surface's own listener (a real loopback socket: the choice between
// the portal and the dispatcher is made before fastify sees the request): an unauthorised guest
// gets the portal for any site, probe or gateway address; once signed in with a voucher, probes
// get their success answer, the portal's own pages stay, and every other request is the
// surface's; devices on other networks and a switched-off portal never see it.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import type { ClientInfo } from '../../../firmware/clients/directory.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { portalOnSurface, portalTakes, type PortalTakeFacts } from '../../../firmware/portal/captive/on-surface.ts';
import { DEFAULT_TERMS, type PortalView } from '../../../firmware/portal/captive/settings.ts';
import type { SurfaceHandler } from '../../../firmware/portal/dispatcher.ts';
import { RegistrationService } from '../../../firmware/portal/registration/service.ts';
import { startSurface, type RunningSurface } from '../../../firmware/portal/server.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { freePort } from '../../support/ports.ts';

describe('portalTakes', () => {
  const base: PortalTakeFacts = { enabled: true, guest: true, authorised: false, probe: false, gatewayHost: false, path: '/' };
  test('everything of an unauthorised guest; of an authorised one, probes and the portal\'s pages on the gateway', () => {
    expect(portalTakes(base)).toBe(true);
    expect(portalTakes({ ...base, gatewayHost: true, path: '/favicon.ico' })).toBe(true);
    expect(portalTakes({ ...base, authorised: true })).toBe(false);
    expect(portalTakes({ ...base, authorised: true, probe: true })).toBe(true);
    expect(portalTakes({ ...base, authorised: true, gatewayHost: true, path: '/portal' })).toBe(true);
    expect(portalTakes({ ...base, authorised: true, gatewayHost: true, path: '/api/captive-portal' })).toBe(true);
    // A blocked name asked for at /portal is the block page's, not the portal's.
    expect(portalTakes({ ...base, authorised: true, gatewayHost: false, path: '/portal' })).toBe(false);
    expect(portalTakes({ ...base, guest: false })).toBe(false);
    expect(portalTakes({ ...base, enabled: false })).toBe(false);
  });
});

const VIEW: PortalView = { siteName: 'Hillside Primary', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: null, venueInfoUrl: null };
let surface: RunningSurface | undefined;
let state: StateDatabase | undefined;
afterEach(async () => {
  await surface?.close();
  state?.close();
  surface = undefined;
  state = undefined;
});

function ask(port: number, host: string, path: string): Promise<{ status: number; handler: string; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, handler: String(res.headers['x-schoolgate-handler']), location: res.headers.location, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('one listener: the portal for a guest until signed in, then the surface; other networks never see it', async () => {
  const config = defaultConfig();
  const guest = config.networks.find((n) => n.kind === 'guest')!;
  const pupil = config.networks.find((n) => n.kind === 'pupil')!;
  state = StateDatabase.open(':memory:');
  const s = state;
  const now = () => new Date();
  // Loopback is the asking device here: on the guest network, or on the pupil one.
  let network = guest;
  const lookup = (): ClientInfo => ({ network });
  const deviceAt = (address: string) => (address === '127.0.0.1' && network === guest ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined);
  const key = Buffer.alloc(32, 7);
  const vouchers = new VoucherService({ store: s.vouchers, transaction: (fn) => s.transaction(fn), key, deviceAt, change: async () => true, events: s.networkEvents, now });
  const registration = new RegistrationService({ requests: s.visitorRequests, vouchers: s.vouchers, service: vouchers, accounts: s.accounts, audit: s.audit, transaction: (fn) => s.transaction(fn), key, deviceAt, now, timezone: () => 'Europe/London' });
  let enabled = true;
  const portal = portalOnSurface({ captive: { sessions: vouchers, view: () => VIEW, now }, registration, enabled: () => enabled, isGatewayHost: (host) => host === '127.0.0.1' });
  const landing: SurfaceHandler = { name: 'landing', handle: (r) => (r.host === '127.0.0.1' ? { status: 200, html: 'landing' } : undefined) };
  const fallback: SurfaceHandler = { name: 'not-blocked', handle: () => ({ status: 404, html: 'not blocked' }) };
  const port = await freePort();
  surface = await startSurface({ logger: silentLogger(), handlers: () => [landing, fallback], lookup, portal }, [{ address: '127.0.0.1', port }]);

  const site = await ask(port, 'example.com', '/whoami');
  expect(site).toMatchObject({ status: 302, handler: 'portal', location: `http://127.0.0.1:${port}/portal` });
  expect(await ask(port, '127.0.0.1', '/')).toMatchObject({ status: 302, handler: 'portal', location: '/portal' });
  expect((await ask(port, 'captive.apple.com', '/hotspot-detect.html')).location).toBe(`http://127.0.0.1:${port}/portal`);
  expect((await ask(port, '127.0.0.1', '/portal')).body).toContain('Sign in with your code');
  expect(JSON.parse((await ask(port, '127.0.0.1', '/api/captive-portal')).body)).toMatchObject({ captive: true });

  const { code } = vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
  expect((await vouchers.redeem('127.0.0.1', code, DEFAULT_TERMS.version)).outcome).toBe('signed-in');
  expect(await ask(port, 'example.com', '/whoami')).toMatchObject({ status: 404, handler: 'not-blocked' });
  expect(await ask(port, '127.0.0.1', '/')).toMatchObject({ status: 200, handler: 'landing' });
  const probe = await ask(port, 'captive.apple.com', '/hotspot-detect.html');
  expect(probe).toMatchObject({ status: 200, handler: 'portal' });
  expect(probe.body).toContain('<TITLE>Success</TITLE>');
  expect(JSON.parse((await ask(port, '127.0.0.1', '/api/captive-portal')).body)).toMatchObject({ captive: false });
  expect((await ask(port, '127.0.0.1', '/portal')).body).toContain('Your guest Wi-Fi');

  // A pupil device asking the same things gets the surface; so does a guest with the portal off.
  network = pupil;
  expect(await ask(port, '127.0.0.1', '/portal')).toMatchObject({ handler: 'landing' });
  expect(await ask(port, 'captive.apple.com', '/hotspot-detect.html')).toMatchObject({ handler: 'not-blocked' });
  network = guest;
  await vouchers.signOut('127.0.0.1');
  expect((await ask(port, 'example.com', '/')).handler).toBe('portal');
  enabled = false;
  expect((await ask(port, 'example.com', '/')).handler).toBe('not-blocked');
});

test('a failure deciding whose request it is answers 503 and the listener keeps serving', async () => {
  const port = await freePort();
  let fail = true;
  const portal = {
    mount: async () => undefined,
    takes: () => {
      if (fail) throw new Error('state.db is locked');
      return false;
    },
  };
  const answer: SurfaceHandler = { name: 'landing', handle: () => ({ status: 200, html: 'landing' }) };
  const network = defaultConfig().networks[0]!;
  surface = await startSurface({ logger: silentLogger(), handlers: () => [answer], lookup: () => ({ network }), portal }, [{ address: '127.0.0.1', port }]);
  expect((await ask(port, 'example.com', '/')).status).toBe(503);
  fail = false;
  expect(await ask(port, 'example.com', '/')).toMatchObject({ status: 200, handler: 'landing' });
});
