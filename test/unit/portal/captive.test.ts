// The portal's HTTP surface on a real loopback listener, over a real VoucherService and state.db
// (in memory): the RFC 8908 document, the OS probes before and after signing in, the pages, and
// that an unknown, an expired and a revoked code get byte-identical answers.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { captiveDocument } from '../../../firmware/portal/captive/api.ts';
import { durationText, untilText } from '../../../firmware/portal/captive/pages.ts';
import { PROBE_HOSTS } from '../../../firmware/portal/captive/probes.ts';
import { captiveFallback, captiveRoutes, type CaptiveDeps } from '../../../firmware/portal/captive/routes.ts';
import { DEFAULT_TERMS, type PortalView } from '../../../firmware/portal/captive/settings.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const T0 = new Date('2026-12-07T09:00:00Z');
const VIEW: PortalView = { siteName: 'Hillside <Primary>', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: 'https://hillside.example/privacy', venueInfoUrl: null };

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function ask(port: number, method: string, path: string, options: { host?: string; form?: Record<string, string>; origin?: string; site?: string } = {}): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port, method, path,
      headers: { host: options.host ?? `127.0.0.1:${port}`, ...(options.origin ? { origin: options.origin } : {}), ...(options.site ? { 'sec-fetch-site': options.site } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function start() {
  const state = StateDatabase.open(':memory:');
  let now = T0;
  const changes: string[][] = [];
  const vouchers = new VoucherService({
    store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 1),
    // The test's requests come from loopback: that is the guest device here.
    deviceAt: (address) => (address === '127.0.0.1' ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined),
    change: async (lines) => { changes.push([...lines]); return true; },
    events: state.networkEvents, now: () => now,
  });
  const deps: CaptiveDeps = { sessions: vouchers, view: () => VIEW, now: () => now };
  app = fastify();
  await captiveRoutes(app, deps);
  app.setNotFoundHandler(captiveFallback(deps));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { port, vouchers, changes, advance: (ms: number) => { now = new Date(now.getTime() + ms); } };
}

const PROBES: Array<{ host: string; path: string; status: number; body: string; type?: string }> = [
  { host: 'captive.apple.com', path: '/hotspot-detect.html', status: 200, body: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n', type: 'text/html' },
  { host: 'connectivitycheck.gstatic.com', path: '/generate_204', status: 204, body: '' },
  { host: 'clients3.google.com', path: '/generate_204', status: 204, body: '' },
  { host: 'www.msftconnecttest.com', path: '/connecttest.txt', status: 200, body: 'Microsoft Connect Test', type: 'text/plain' },
  { host: 'www.msftncsi.com', path: '/ncsi.txt', status: 200, body: 'Microsoft NCSI', type: 'text/plain' },
  { host: 'detectportal.firefox.com', path: '/success.txt', status: 200, body: 'success\n', type: 'text/plain' },
  { host: 'detectportal.firefox.com', path: '/canonical.html', status: 200, body: '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>', type: 'text/html' },
];

describe('the RFC 8908 document', () => {
  test('captive without an authorisation; with one, the seconds left; never bytes (tiers cap the rate, not the volume)', () => {
    expect(captiveDocument({ secondsLeft: undefined, portalUrl: 'http://10.30.0.1/portal', venueInfoUrl: null })).toEqual({ 'captive': true, 'user-portal-url': 'http://10.30.0.1/portal' });
    expect(captiveDocument({ secondsLeft: 600, portalUrl: 'http://10.30.0.1/portal', venueInfoUrl: 'https://school.example/visitors' }))
      .toEqual({ 'captive': false, 'user-portal-url': 'http://10.30.0.1/portal', 'venue-info-url': 'https://school.example/visitors', 'seconds-remaining': 600 });
  });
});

describe('the portal over HTTP', () => {
  test('unauthorised: captive, every probe and any site sent to the portal; signed in: not captive, each probe\'s exact answer; signed out: captive again', async () => {
    const { port, vouchers, advance } = await start();
    const api = await ask(port, 'GET', '/api/captive-portal');
    expect(api.headers['content-type']).toBe('application/captive+json');
    expect(JSON.parse(api.body)).toEqual({ 'captive': true, 'user-portal-url': `http://127.0.0.1:${port}/portal` });
    expect(PROBE_HOSTS.sort()).toEqual([...new Set(PROBES.map((p) => p.host))].sort());
    for (const p of [...PROBES, { host: 'www.bbc.co.uk', path: '/news' }]) {
      const r = await ask(port, 'GET', p.path, { host: p.host });
      expect([r.status, r.headers.location], p.host).toEqual([302, `http://127.0.0.1:${port}/portal`]);
    }

    const page = await ask(port, 'GET', '/portal');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hillside &lt;Primary&gt;');
    expect(page.body).toContain(`name="accept" value="${DEFAULT_TERMS.version}"`);
    expect(page.body).toContain('logged and monitored');
    expect(page.body).toContain('href="https://hillside.example/privacy"');
    expect(page.body).not.toMatch(/<script|onclick|style="/i);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");

    const { code } = vouchers.issue({ kind: 'single', validSeconds: 7.5 * 3600, maxDevices: 1 }, 'ssh:office');
    const noTerms = await ask(port, 'POST', '/portal', { form: { code } });
    expect(noTerms.status).toBe(400);
    expect(noTerms.body).toContain('tick the box');
    advance(30 * 60_000);
    expect((await ask(port, 'POST', '/portal', { form: { code, accept: DEFAULT_TERMS.version }, origin: 'http://evil.example' })).status).toBe(403);
    const ok = await ask(port, 'POST', '/portal', { form: { code: code.toLowerCase(), accept: DEFAULT_TERMS.version } });
    expect(ok.status).toBe(200);
    // 09:00Z + 7.5 h = 16:30 in London in December.
    expect(ok.body).toContain('online until 16:30');

    expect(JSON.parse((await ask(port, 'GET', '/api/captive-portal')).body)).toEqual({ 'captive': false, 'user-portal-url': `http://127.0.0.1:${port}/portal`, 'seconds-remaining': 7 * 3600 });
    for (const p of PROBES) {
      const r = await ask(port, 'GET', p.path, { host: p.host });
      expect(r.status, p.host).toBe(p.status);
      expect(r.body, p.host).toBe(p.body);
      if (p.type) expect(r.headers['content-type'], p.host).toContain(p.type);
    }
    const mine = await ask(port, 'GET', '/portal');
    expect(mine.body).toContain('7 hours left');
    expect(mine.body).toContain('action="/portal/sign-out"');

    // Another site's form cannot sign the device out (nor in).
    const forged = await ask(port, 'POST', '/portal/sign-out', { origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
    expect((await ask(port, 'POST', '/portal/sign-out', { origin: 'null', site: 'cross-site' })).status).toBe(403);
    expect(JSON.parse((await ask(port, 'GET', '/api/captive-portal')).body).captive).toBe(false);
    const out = await ask(port, 'POST', '/portal/sign-out', { origin: `http://127.0.0.1:${port}`, site: 'same-origin' });
    expect(out.body).toContain('You have signed out');
    expect(JSON.parse((await ask(port, 'GET', '/api/captive-portal')).body).captive).toBe(true);
    expect((await ask(port, 'GET', '/hotspot-detect.html', { host: 'captive.apple.com' })).status).toBe(302);
  });

  test('an unknown, an expired and a revoked code get the same status and the same page, byte for byte', async () => {
    const { port, vouchers, advance } = await start();
    const expired = vouchers.issue({ kind: 'single', validSeconds: 60, maxDevices: 1 }, 'ssh:office').code;
    const revoked = vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    await vouchers.revoke(revoked.voucher.id, 'ssh:office', 'lost');
    const other = await (async () => { const s = StateDatabase.open(':memory:'); return new VoucherService({ store: s.vouchers, transaction: (fn) => s.transaction(fn), key: Buffer.alloc(32, 2), deviceAt: () => undefined, change: async () => true, events: s.networkEvents, now: () => T0 }).issue({ kind: 'single', validSeconds: 60, maxDevices: 1 }, 'x').code; })();
    advance(120_000);
    const answers = [];
    for (const code of [other, expired, revoked.code]) answers.push(await ask(port, 'POST', '/portal', { form: { code, accept: DEFAULT_TERMS.version } }));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    for (const code of [other, expired, revoked.code]) expect(answers[0]!.body).not.toContain(code);
    expect(answers[0]!.body).toContain('cannot be used now');
  });
});

describe('times in words', () => {
  test('until: the time today, the day too otherwise; durations', () => {
    expect(untilText(new Date('2026-12-07T16:30:00Z'), T0, 'Europe/London')).toBe('16:30');
    expect(untilText(new Date('2026-07-07T15:30:00Z'), new Date('2026-07-07T09:00:00Z'), 'Europe/London')).toBe('16:30');
    expect(untilText(new Date('2026-12-08T16:30:00Z'), T0, 'Europe/London')).toBe('Tue 8 Dec, 16:30');
    expect(durationText(30)).toBe('less than a minute');
    expect(durationText(3660)).toBe('1 hour 1 minute');
    expect(durationText(2 * 86_400 + 7200)).toBe('2 days 2 hours');
  });
});

describe('a printed slip\'s QR code', () => {
  test('opens the code form with the code filled in, signing nobody in until the terms are accepted; anything but a code is ignored', async () => {
    const { port, vouchers } = await start();
    const { code } = vouchers.issue({ kind: 'single', validSeconds: 3600, maxDevices: 1 }, 'ssh:office');
    const page = await ask(port, 'GET', `/portal?code=${encodeURIComponent(code)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`value="${code}"`);
    expect(vouchers.sessionAt('127.0.0.1')).toBeUndefined();
    const hostile = await ask(port, 'GET', `/portal?code=${encodeURIComponent('"><img src=x>')}`);
    expect(hostile.body).toContain('id="code" name="code" value=""');
  });
});
