// The visitor portal's vouchers as the daemon runs them: the code key, the service over state.db,
// the firewall and the shaper, a sweep each minute (lapsed authorisations marked, old attempts
// forgotten), every authorisation in force loaded into the set at start, and the portal's pages
// as the web surface (start.ts) serves them on port 80 of each guest gateway address.
import type { PolicyChange } from '../clients/lease-devices.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alerts/alert-schema.ts';
import type { StateDatabase } from '../state/database.ts';
import { normaliseMac } from '../state/mac.ts';
import { portalOnSurface, type PortalMount } from './captive/on-surface.ts';
import type { CaptiveDeps } from './captive/routes.ts';
import { portalView } from './captive/settings.ts';
import { isGatewayHost } from './landing.ts';
import { sponsorNotifier } from './registration/notify.ts';
import { RegistrationService } from './registration/service.ts';
import { loadCodeKey } from './vouchers/code-key.ts';
import { surfaceLogo } from './logo-route.ts';
import { VoucherPolicies } from './vouchers/dns-policies.ts';
import type { BandwidthTier } from './vouchers/schema.ts';
import { VoucherService, type GuestDevice } from './vouchers/service.ts';

const SWEEP_MS = 60_000;

export interface VoucherPortalOptions {
  dataDir: string;
  state: StateDatabase;
  config: { readonly current: Readonly<Config>; onChange?(listener: (next: Readonly<Config>) => void): () => void };
  change: (lines: readonly string[]) => Promise<boolean>;
  setCap: (mac: string, tier: BandwidthTier) => Promise<unknown>;
  raise: (candidate: AlertCandidate) => void;
  logger: Logger;
  /** DnsThreads.setPolicies: a guest signed in with a voucher that names a policy is answered under it. */
  setPolicies?: (changes: PolicyChange[]) => void;
}

export interface VoucherPortal {
  readonly vouchers: VoucherService;
  readonly registration: RegistrationService;
  readonly captive: CaptiveDeps;
  /** Which guest devices DNS answers under their voucher's policy, and vouchers whose policy is gone (`status`). */
  readonly policies: VoucherPolicies;
  /** The policy named by the voucher the device is signed in with on `networkId` now, if any (`schoolgate check --device`). */
  voucherPolicyOf(mac: string, networkId: string): string | undefined;
  /** The portal's part of the web surface: startWebSurface({ portal }). On while web.portal is set. */
  readonly surface: PortalMount;
  stop(): Promise<void>;
}

/** The device holding `address` on a guest network now, by its lease. */
export function guestDeviceAt(state: StateDatabase, config: Readonly<Config>, address: string, now: Date): GuestDevice | undefined {
  // A seek per guest network, never a read of every lease: each portal request (a guess among
  // them) asks this, and reading 250 guest leases cost ~12 ms a request (npm run bench:portal).
  for (const network of config.networks) {
    if (!network.enabled || network.kind !== 'guest') continue;
    const lease = state.leases.boundAt(network.id, address, now);
    if (lease) return { mac: lease.mac, networkId: lease.networkId };
  }
  return undefined;
}

export async function startVoucherPortal(o: VoucherPortalOptions): Promise<VoucherPortal> {
  const key = await loadCodeKey(o.dataDir);
  const now = () => new Date();
  const policies = new VoucherPolicies({
    active: (at) => o.state.vouchers.activePolicies(at), policies: () => o.config.current.policies.map((p) => p.id),
    apply: (changes) => o.setPolicies?.(changes), events: o.state.networkEvents, now, logger: o.logger,
  });
  const vouchers = new VoucherService({
    store: o.state.vouchers, transaction: (fn) => o.state.transaction(fn), key,
    deviceAt: (address) => guestDeviceAt(o.state, o.config.current, address, now()),
    change: o.change, setCap: o.setCap, events: o.state.networkEvents, raise: o.raise, now, logger: o.logger,
    changed: () => policies.sync(),
  });
  // A policy removed or added back: the vouchers naming it lose or regain it.
  const unsubscribe = o.config.onChange?.(() => policies.sync());
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
  const logo = surfaceLogo(o.dataDir);
  const captive: CaptiveDeps = { sessions: vouchers, view: () => portalView(o.config.current, logo.present()), now };
  const surface = portalOnSurface({
    captive, registration, logo, enabled: () => o.config.current.web.portal !== undefined,
    isGatewayHost: (host) => isGatewayHost(o.config.current, host),
  });
  return {
    vouchers,
    registration,
    captive,
    policies,
    voucherPolicyOf(mac, networkId) {
      // The caller already refused a MAC that does not parse (the device must be known).
      const active = o.state.vouchers.activeFor(normaliseMac(mac), now());
      return active && active.device.networkId === networkId && active.voucher.revokedAt === null ? active.voucher.policyId ?? undefined : undefined;
    },
    surface,
    async stop() {
      clearInterval(timer);
      unsubscribe?.();
      policies.stop();
    },
  };
}
