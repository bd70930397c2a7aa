// The visitor portal's vouchers as the daemon runs them: the code key, the service over state.db,
// the firewall and the shaper, a sweep each minute (lapsed authorisations marked, old attempts
// forgotten), every authorisation in force loaded into the set at start, and, while the portal
// server is not built, a minimal listener on web.portal serving the captive routes. The portal
// server (firmware/portal/server.ts) is to mount captiveRoutes/captiveFallback instead.
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alert-schema.ts';
import type { StateDatabase } from '../state/database.ts';
import { captiveFallback, captiveRoutes, type CaptiveDeps } from './captive/routes.ts';
import { portalView } from './captive/settings.ts';
import { sponsorNotifier } from './registration/notify.ts';
import { registrationRoutes } from './registration/routes.ts';
import { RegistrationService } from './registration/service.ts';
import { loadCodeKey } from './vouchers/code-key.ts';
import type { BandwidthTier } from './vouchers/schema.ts';
import { VoucherService, type GuestDevice } from './vouchers/service.ts';

const SWEEP_MS = 60_000;

export interface VoucherPortalOptions {
  dataDir: string;
  state: StateDatabase;
  config: { readonly current: Readonly<Config> };
  change: (lines: readonly string[]) => Promise<boolean>;
  setCap: (mac: string, tier: BandwidthTier) => Promise<unknown>;
  raise: (candidate: AlertCandidate) => void;
  logger: Logger;
}

export interface VoucherPortal {
  readonly vouchers: VoucherService;
  readonly registration: RegistrationService;
  readonly captive: CaptiveDeps;
  /** Serves the captive routes on web.portal (until the portal server does). */
  listen(): Promise<void>;
  stop(): Promise<void>;
}

/** The device holding `address` on a guest network now, by its lease. */
export function guestDeviceAt(state: StateDatabase, config: Readonly<Config>, address: string, now: Date): GuestDevice | undefined {
  const guest = new Set(config.networks.filter((n) => n.enabled && n.kind === 'guest').map((n) => n.id));
  const lease = state.leases.list({ activeAt: now }).find((l) => l.address === address && guest.has(l.networkId));
  return lease ? { mac: lease.mac, networkId: lease.networkId } : undefined;
}

export async function startVoucherPortal(o: VoucherPortalOptions): Promise<VoucherPortal> {
  const key = await loadCodeKey(o.dataDir);
  const now = () => new Date();
  const vouchers = new VoucherService({
    store: o.state.vouchers, transaction: (fn) => o.state.transaction(fn), key,
    deviceAt: (address) => guestDeviceAt(o.state, o.config.current, address, now()),
    change: o.change, setCap: o.setCap, events: o.state.networkEvents, raise: o.raise, now, logger: o.logger,
  });
  const registration = new RegistrationService({
    requests: o.state.visitorRequests, vouchers: o.state.vouchers, service: vouchers, accounts: o.state.accounts, audit: o.state.audit,
    transaction: (fn) => o.state.transaction(fn), key, deviceAt: (address) => guestDeviceAt(o.state, o.config.current, address, now()),
    now, timezone: () => o.config.current.site.timezone,
    notify: sponsorNotifier({ config: o.config, dataDir: o.dataDir, logger: o.logger }),
    terms: () => o.config.current.site.terms ?? [], extend: (id, until, record) => vouchers.extend(id, until, record),
  });
  const timer = setInterval(() => {
    try {
      vouchers.sweep();
      registration.sweep();
    } catch (err) {
      o.logger.error({ err }, 'the voucher sweep failed; it runs again in a minute');
    }
  }, SWEEP_MS);
  timer.unref();
  const captive: CaptiveDeps = { sessions: vouchers, view: () => portalView(o.config.current), now };
  let app: { close(): Promise<unknown> } | undefined;
  return {
    vouchers,
    registration,
    captive,
    async listen() {
      const endpoint = o.config.current.web.portal;
      if (!endpoint) return;
      const { default: fastify } = await import('fastify');
      const server = fastify({ loggerInstance: o.logger.child({ component: 'portal' }) });
      await captiveRoutes(server, captive);
      await registrationRoutes(server, { registration, view: captive.view, now });
      server.setNotFoundHandler(captiveFallback(captive));
      await server.listen({ host: endpoint.address, port: endpoint.port });
      app = server;
    },
    async stop() {
      clearInterval(timer);
      await app?.close();
    },
  };
}
