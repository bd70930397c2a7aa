// The registration pages on a real loopback listener over the real services and state.db (in
// memory), the forms posted as a captive sheet without scripts posts them: register naming a
// sponsor, the waiting page (check again), a field left empty named beside it with nothing
// typed lost, the sponsor's code at reception signing the device in, and RFC 8908 saying so.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance } from 'fastify';
import { afterEach, expect, test } from 'vitest';
import { captiveFallback, captiveRoutes } from '../../../firmware/portal/captive/routes.ts';
import { DEFAULT_TERMS, type PortalView } from '../../../firmware/portal/captive/settings.ts';
import { registrationRoutes } from '../../../firmware/portal/registration/routes.ts';
import { RegistrationService } from '../../../firmware/portal/registration/service.ts';
import { VoucherService } from '../../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

const VIEW: PortalView = { siteName: 'Hillside Primary', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: null, venueInfoUrl: null };
const now = () => new Date('2026-12-07T09:00:00Z');

let app: FastifyInstance | undefined;
afterEach(async () => { await app?.close(); app = undefined; });

function ask(port: number, method: string, path: string, form?: Record<string, string>): Promise<{ status: number; location?: string; body: string }> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'sec-fetch-site': 'same-origin', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('register, wait, a field left empty, and the sponsor code at reception', async () => {
  const state = StateDatabase.open(':memory:');
  const changes: string[][] = [];
  const key = Buffer.alloc(32, 3);
  const deviceAt = (address: string) => (address === '127.0.0.1' ? { mac: '02:00:00:00:00:01', networkId: 'guest' } : undefined);
  const vouchers = new VoucherService({ store: state.vouchers, transaction: (fn) => state.transaction(fn), key, deviceAt, change: async (l) => { changes.push([...l]); return true; }, events: state.networkEvents, now });
  const registration = new RegistrationService({ requests: state.visitorRequests, vouchers: state.vouchers, service: vouchers, accounts: state.accounts, audit: state.audit, transaction: (fn) => state.transaction(fn), key, deviceAt, now, timezone: () => 'Europe/London' });
  const amy = state.accounts.insert({ username: 'amy', displayName: 'Amy <Teacher>', email: 'amy@school.test', passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: now().toISOString() });
  registration.setSponsorCode(amy, '480213');
  app = fastify();
  const view = () => VIEW;
  await captiveRoutes(app, { sessions: vouchers, view, now });
  await registrationRoutes(app, { registration, view, now });
  app.setNotFoundHandler(captiveFallback({ sessions: vouchers, view, now }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;

  const form = await ask(port, 'GET', '/portal/register');
  expect(form.body).toContain(`<option value="${amy.id}">Amy &lt;Teacher&gt;</option>`);
  expect(form.body).not.toContain('amy@school.test');
  expect(form.body).not.toContain('<script');

  const fields = { name: 'Ada Supply', organisation: '', purpose: 'Supply, Year 4', sponsorId: String(amy.id), email: '', phone: '', accept: DEFAULT_TERMS.version };
  const missing = await ask(port, 'POST', '/portal/register', fields);
  expect(missing.status).toBe(400);
  expect(missing.body).toMatch(/id="organisation-error">Type your organisation/);
  expect(missing.body).toContain('value="Ada Supply"');
  expect(missing.body).toContain('Supply, Year 4</textarea>');

  const sent = await ask(port, 'POST', '/portal/register', { ...fields, organisation: 'County Supply' });
  expect(sent).toMatchObject({ status: 303, location: '/portal/waiting' });
  const waiting = await ask(port, 'GET', '/portal/waiting');
  expect(waiting.body).toContain('Waiting for Amy &lt;Teacher&gt; to approve');
  expect(waiting.body).toContain('<a href="/portal/waiting">Check again</a>');
  expect((await ask(port, 'GET', '/portal/register')).location).toBe('/portal/waiting');
  expect(JSON.parse((await ask(port, 'GET', '/api/captive-portal')).body).captive).toBe(true);

  const wrong = await ask(port, 'POST', '/portal/sponsor-code', { code: '111111' });
  expect(wrong.status).toBe(400);
  expect(wrong.body).toContain('That is not the sponsor code');
  const right = await ask(port, 'POST', '/portal/sponsor-code', { code: '480213' });
  expect(right.status).toBe(200);
  expect(right.body).toContain("You're online until 23:59");
  expect(changes.at(-1)!.join('\n')).toContain('127.0.0.1 . 02:00:00:00:00:01');
  expect(JSON.parse((await ask(port, 'GET', '/api/captive-portal')).body).captive).toBe(false);
  expect((await ask(port, 'GET', '/portal/waiting')).location).toBe('/portal');
  state.close();
});
