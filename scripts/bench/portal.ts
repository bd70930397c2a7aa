// `npm run bench:portal`: the visitor portal under attack, over loopback HTTP with a real state.db
// on disk. 200 guest devices sign in with their own vouchers, arriving over a few seconds, while
// 50 devices post well-formed wrong codes (the check character right, so each one costs a lookup
// and counts) as fast as answers come. Each device has its own 127.x source address, resolved to
// a MAC as a lease would. The firewall is the real FirewallService, switched off (no root needed:
// the set changes are the lab test's). Registration and sponsor approval are not built yet: the
// issue's registrations_per_s is measured here as voucher sign-ins a second.
// Ends with key=value lines.
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import { silentLogger } from '../../firmware/log.ts';
import { nftRunner } from '../../firmware/net/apply.ts';
import { FirewallService } from '../../firmware/net/service.ts';
import { captiveFallback, captiveRoutes } from '../../firmware/portal/captive/routes.ts';
import { DEFAULT_TERMS } from '../../firmware/portal/captive/settings.ts';
import { generateCode } from '../../firmware/portal/vouchers/codes.ts';
import { VoucherService } from '../../firmware/portal/vouchers/service.ts';
import { StateDatabase } from '../../firmware/state/database.ts';

const { values: opts } = parseArgs({ options: { legit: { type: 'string' }, guessers: { type: 'string' }, spread: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (opts.help) {
  process.stdout.write('node scripts/bench/portal.ts [--legit 200] [--guessers 50] [--spread 3]   (seconds over which the legitimate devices arrive)\n');
  process.exit(0);
}
const LEGIT = Number(opts.legit ?? 200);
const GUESSERS = Number(opts.guessers ?? 50);
const SPREAD_MS = Number(opts.spread ?? 3) * 1000;

const legitAddress = (i: number) => `127.31.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const guesserAddress = (i: number) => `127.32.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const macOf = (address: string) => `02:${address.split('.').map((p) => Number(p).toString(16).padStart(2, '0')).join(':')}:00`.slice(0, 17);

const dir = await mkdtemp(join(tmpdir(), 'bench-portal-'));
const state = StateDatabase.open(join(dir, 'state.db'));
const firewall = new FirewallService({ run: nftRunner(), logger: silentLogger() });
const vouchers = new VoucherService({
  store: state.vouchers, transaction: (fn) => state.transaction(fn), key: Buffer.alloc(32, 9),
  deviceAt: (address) => (address.startsWith('127.31.') || address.startsWith('127.32.') ? { mac: macOf(address), networkId: 'guest' } : undefined),
  change: (lines) => firewall.changeElements(lines), events: state.networkEvents, now: () => new Date(),
});
const deps = {
  sessions: vouchers, now: () => new Date(),
  view: () => ({ siteName: 'Bench Primary', timezone: 'Europe/London', terms: DEFAULT_TERMS, privacyNoticeUrl: null, venueInfoUrl: null }),
};
const app = fastify();
await captiveRoutes(app, deps);
app.setNotFoundHandler(captiveFallback(deps));
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

const latencies: number[] = [];
function post(from: string, code: string): Promise<number> {
  const body = new URLSearchParams({ code, accept: DEFAULT_TERMS.version }).toString();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/portal', localAddress: from, agent: false,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => { latencies.push(performance.now() - started); resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const codes = Array.from({ length: LEGIT }, () => vouchers.issue({ kind: 'single', validSeconds: 8 * 3600, maxDevices: 1 }, 'bench').code);
let stop = false;
const guesses = { tried: 0, accepted: 0, locked: 0, invalid: 0 };
const guessing = Array.from({ length: GUESSERS }, async (_, g) => {
  while (!stop) {
    const status = await post(guesserAddress(g), generateCode());
    guesses.tried++;
    if (status === 200) guesses.accepted++;
    else if (status === 429) guesses.locked++;
    else if (status === 400) guesses.invalid++;
  }
});

const started = performance.now();
const legit = await Promise.all(codes.map(async (code, i) => {
  await new Promise((resolve) => setTimeout(resolve, (i / LEGIT) * SPREAD_MS));
  return post(legitAddress(i), code);
}));
const legitMs = performance.now() - started;
stop = true;
await Promise.all(guessing);
await app.close();
state.close();
await rm(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? 0;
const signedIn = legit.filter((s) => s === 200).length;
const lines = {
  legit_devices: LEGIT, guessers: GUESSERS, arrival_spread_s: SPREAD_MS / 1000,
  registrations_per_s: Math.round((signedIn / (legitMs / 1000)) * 10) / 10,
  legit_elapsed_ms: Math.round(legitMs),
  portal_p95_ms: Math.round(p95 * 10) / 10,
  requests: latencies.length,
  guesses_tried: guesses.tried, guesses_refused_locked: guesses.locked, guesses_refused_wrong: guesses.invalid,
  guesses_accepted: guesses.accepted,
  legit_locked_out: legit.filter((s) => s === 429).length,
  legit_failed_other: legit.filter((s) => s !== 200 && s !== 429).length,
};
for (const [k, v] of Object.entries(lines)) process.stdout.write(`${k}=${v}\n`);
