// `npm run bench:portal`: the visitor portal under attack, over loopback HTTP with a real state.db
// on disk and the daemon's own portal wiring (startVoucherPortal: the services, the device found
// by its lease, the routes). 200 guest devices (lab addresses on the guest network, each with a
// lease) register naming a member of staff, arriving over a few seconds; each sponsor approves at
// once through RegistrationService.approve, the method the web UI's approve button calls, which
// signs the waiting device in; the device then asks the RFC 8908 API until it says not captive.
// Meanwhile 50 devices post well-formed wrong voucher codes (the check character right, so each
// one costs a lookup and counts) as fast as answers come. The firewall is the real
// FirewallService, switched off (no root needed: the set changes are the lab test's).
// Ends with key=value lines.
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClientDirectory } from '../../firmware/clients/directory.ts';
import { parseIPv4 } from '../../firmware/clients/ip.ts';
import { LeaseDevices } from '../../firmware/clients/lease-devices.ts';
import { defaultConfig } from '../../firmware/config/defaults.ts';
import type { Config } from '../../firmware/config/schema.ts';
import { silentLogger } from '../../firmware/log.ts';
import { nftRunner } from '../../firmware/net/apply.ts';
import { FirewallService } from '../../firmware/net/service.ts';
import { CAPTIVE_API_PATH } from '../../firmware/portal/captive/routes.ts';
import { PORTAL_PATH } from '../../firmware/portal/captive/pages.ts';
import { DEFAULT_TERMS } from '../../firmware/portal/captive/settings.ts';
import { REGISTER_PATH } from '../../firmware/portal/registration/pages.ts';
import { startSurface } from '../../firmware/portal/server.ts';
import { startVoucherPortal } from '../../firmware/portal/voucher-portal.ts';
import { generateCode } from '../../firmware/portal/vouchers/codes.ts';
import type { AccountRow } from '../../firmware/state/accounts.ts';
import { StateDatabase } from '../../firmware/state/database.ts';

const { values: opts } = parseArgs({ options: { legit: { type: 'string' }, guessers: { type: 'string' }, spread: { type: 'string' }, sponsors: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (opts.help) {
  process.stdout.write('node scripts/bench/portal.ts [--legit 200] [--guessers 50] [--spread 3] [--sponsors 20]   (spread: seconds over which the visitors arrive)\n');
  process.exit(0);
}
const LEGIT = Number(opts.legit ?? 200);
const GUESSERS = Number(opts.guessers ?? 50);
const SPREAD_MS = Number(opts.spread ?? 3) * 1000;
const SPONSORS = Number(opts.sponsors ?? 20);

// The default configuration's guest network is 127.30.0.0/16.
const legitAddress = (i: number) => `127.30.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`;
const guesserAddress = (i: number) => `127.30.${50 + Math.floor(i / 250)}.${(i % 250) + 1}`;
const macOf = (address: string) => `02:${address.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join(':')}:00`.slice(0, 17);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const dir = await mkdtemp(join(tmpdir(), 'bench-portal-'));
const state = StateDatabase.open(join(dir, 'state.db'));
const base = defaultConfig();
const config: { current: Readonly<Config> } = { current: { ...base, web: { ...base.web, portal: { address: '127.0.0.1', port: await freePort() } } } };
// The portal as the daemon serves it: the web surface's listener with the portal mounted on it,
// here on the extra endpoint web.portal adds (port 80 on the guest gateway needs root).
const PORTAL_ORIGIN = { host: config.current.web.portal!.address, port: config.current.web.portal!.port };

const now = new Date();
const devices = new LeaseDevices();
for (const address of [...Array.from({ length: LEGIT }, (_, i) => legitAddress(i)), ...Array.from({ length: GUESSERS }, (_, i) => guesserAddress(i))]) {
  state.leases.bind({
    networkId: 'guest', address, clientKey: `mac:${macOf(address)}`, mac: macOf(address), clientId: null, hostname: '', vendorClass: '',
    parameters: [1, 3, 6, 114], relayAgent: null, relayInfo: null, state: 'bound', expires: new Date(now.getTime() + 3_600_000).toISOString(), updated: now.toISOString(),
  });
  devices.set(parseIPv4(address)!, macOf(address));
}
const directory = new ClientDirectory(config.current.networks, devices);
const sponsors: AccountRow[] = Array.from({ length: SPONSORS }, (_, i) => state.accounts.insert({
  username: `staff${i}`, displayName: `Staff Member ${i}`, email: null, passwordHash: 'x', mustChangePassword: false, breakGlass: false, roles: ['staff'], createdAt: now.toISOString(),
}));

const firewall = new FirewallService({ run: nftRunner(), logger: silentLogger() });
const portal = await startVoucherPortal({
  dataDir: dir, state, config, change: (lines) => firewall.changeElements(lines), setCap: async () => undefined, raise: () => undefined, logger: silentLogger(),
});
const surface = await startSurface({ logger: silentLogger(), handlers: () => [], lookup: (address) => directory.lookup(address), portal: portal.surface }, [config.current.web.portal!]);
if (surface.failed.length > 0) throw new Error(`the portal cannot listen: ${surface.failed[0]!.error}`);

const latencies: number[] = [];
function ask(from: string, method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ ...PORTAL_ORIGIN, method, path, localAddress: from, agent: false,
      headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { latencies.push(performance.now() - started); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let stop = false;
const guesses = { tried: 0, accepted: 0, locked: 0, invalid: 0 };
const guessing = Array.from({ length: GUESSERS }, async (_, g) => {
  while (!stop) {
    const { status } = await ask(guesserAddress(g), 'POST', PORTAL_PATH, { code: generateCode(), accept: DEFAULT_TERMS.version });
    guesses.tried++;
    if (status === 200) guesses.accepted++;
    else if (status === 429) guesses.locked++;
    else if (status === 400) guesses.invalid++;
  }
});

type Outcome = 'online' | 'locked-out' | 'register-failed' | 'approve-failed' | 'still-captive';
const approveMs: number[] = [];
async function visitor(i: number): Promise<Outcome> {
  const address = legitAddress(i);
  const sponsor = sponsors[i % sponsors.length]!;
  const registered = await ask(address, 'POST', REGISTER_PATH, {
    name: `Visitor ${i}`, organisation: 'County Supply', purpose: 'Supply teaching', sponsorId: String(sponsor.id), email: '', phone: '', accept: DEFAULT_TERMS.version,
  });
  if (registered.status === 429) return 'locked-out';
  if (registered.status !== 303) return 'register-failed';
  // The sponsor, notified, approves at once: the web UI's approve calls this method.
  const request = portal.registration.requestAt(address);
  if (!request) return 'register-failed';
  const started = performance.now();
  const approved = await portal.registration.approve(sponsor, request.id, { validity: { hours: 2 }, maxDevices: 1 }).catch(() => undefined);
  approveMs.push(performance.now() - started);
  if (approved?.signedIn.outcome === 'locked') return 'locked-out';
  if (approved?.signedIn.outcome !== 'signed-in') return 'approve-failed';
  // The phone's sign-in sheet asks the RFC 8908 API; not captive is when it closes.
  const api = await ask(address, 'GET', CAPTIVE_API_PATH);
  return /"captive"\s*:\s*false/.test(api.body) ? 'online' : 'still-captive';
}

const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: LEGIT }, async (_, i) => {
  await new Promise((resolve) => setTimeout(resolve, (i / LEGIT) * SPREAD_MS));
  return visitor(i);
}));
const legitMs = performance.now() - started;
stop = true;
await Promise.all(guessing);
await surface.close();
await portal.stop();
state.close();
await rm(dir, { recursive: true, force: true });

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * p)] ?? 0) * 10) / 10;
};
const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
const lines = {
  legit_devices: LEGIT, guessers: GUESSERS, sponsors: SPONSORS, arrival_spread_s: SPREAD_MS / 1000,
  registrations_per_s: Math.round((count('online') / (legitMs / 1000)) * 10) / 10,
  legit_online: count('online'),
  legit_elapsed_ms: Math.round(legitMs),
  portal_p95_ms: pct(latencies, 0.95),
  approve_p95_ms: pct(approveMs, 0.95),
  requests: latencies.length,
  guesses_tried: guesses.tried, guesses_refused_locked: guesses.locked, guesses_refused_wrong: guesses.invalid,
  guesses_accepted: guesses.accepted,
  legit_locked_out: count('locked-out'),
  legit_failed_other: LEGIT - count('online') - count('locked-out'),
};
for (const [k, v] of Object.entries(lines)) process.stdout.write(`${k}=${v}\n`);
