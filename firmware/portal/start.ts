// Builds the web surface from the daemon's parts: the handlers in their order, the visitor portal
// beside them (a guest's requests), the client directory over DNS's own lease map (so the page is
// decided for the device DNS answered), and the listeners. The one function the daemon calls.
import { ClientDirectory } from '../clients/directory.ts';
import type { LeaseDevices } from '../clients/lease-devices.ts';
import type { Config } from '../config/schema.ts';
import { checkName } from '../dns/policy/check-name.ts';
import type { FilterState } from '../dns/policy/filter-state.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alerts/alert-schema.ts';
import { adminRedirectHandler } from './admin-redirect.ts';
import { blockPageHandler, type BlockHandlerDeps } from './block/handler.ts';
import type { PortalMount } from './captive/on-surface.ts';
import type { SurfaceHandler } from './dispatcher.ts';
import { surfaceEndpoints } from './endpoints.ts';
import { isGatewayHost, landingHandler, notBlockedHandler, outsiderHandler } from './landing.ts';
import { SlidingWindowLimit } from './rate-limit.ts';
import { ReportTokens } from './report-token.ts';
import { surfaceLogo } from './logo-route.ts';
import { startSurface, type RunningSurface } from './server.ts';

/** Reports and access requests a device may send in REPORT_WINDOW_MS. */
export const REPORT_LIMIT = 5;
export const REPORT_WINDOW_MS = 60 * 60 * 1000;

export interface WebSurfaceDeps {
  config: () => Readonly<Config>;
  /** DNS's filter in force (lists and policy engine): the block page decides with it. */
  filter: () => FilterState;
  /** DNS's lease map: which device holds an address. */
  devices: LeaseDevices;
  titleOf: (category: string) => string | undefined;
  severityOf?: BlockHandlerDeps['severityOf'];
  store: BlockHandlerDeps['store'];
  raise?: ((candidate: AlertCandidate) => void) | undefined;
  logger: Logger;
  /**
   * Handlers put in front of the landing and block pages (the visitor portal): tried in this
   * order, after the refusal of sources on no school network and the admin's HTTP→HTTPS redirect.
   */
  before?: () => readonly SurfaceHandler[];
  /** The visitor portal (portalOnSurface): served on the same listeners, for the requests it takes. */
  portal?: PortalMount;
  /** The configuration store's onChange: the listeners follow the networks' gateway addresses. */
  onConfigChange?: (listener: (next: Readonly<Config>) => void) => () => void;
  /** The data directory: the school's logo (the Settings page stores it there) is shown on every page. Absent: no logo. */
  dataDir?: string;
}

export async function startWebSurface(deps: WebSurfaceDeps): Promise<RunningSurface> {
  let directoryFor: Readonly<Config> | undefined;
  let directory: ClientDirectory | undefined;
  const lookup = (address: string) => {
    const config = deps.config();
    if (directoryFor !== config || !directory) {
      directory = new ClientDirectory(config.networks, deps.devices);
      directoryFor = config;
    }
    return directory.lookup(address);
  };
  const block = blockPageHandler({
    config: deps.config,
    check: (input) => checkName(deps.config(), deps.filter(), { name: input.name, networkId: input.networkId, groupId: input.groupId, policyId: input.policyId, device: input.device, at: input.at }),
    titleOf: deps.titleOf,
    severityOf: deps.severityOf,
    tokens: new ReportTokens(),
    limit: new SlidingWindowLimit(REPORT_LIMIT, REPORT_WINDOW_MS),
    store: deps.store,
    raise: deps.raise,
  });
  const outsider = outsiderHandler(deps.config);
  const landing = landingHandler(deps.config);
  const fallback = notBlockedHandler(deps.config);
  const adminRedirect = adminRedirectHandler(deps.config);
  const handlers = (): readonly SurfaceHandler[] => [outsider, adminRedirect, ...(deps.before?.() ?? []), landing, block, fallback];
  const surface = await startSurface({
    logger: deps.logger, handlers, lookup, ...(deps.portal ? { portal: deps.portal } : {}),
    isGatewayHost: (host) => isGatewayHost(deps.config(), host),
    siteName: () => deps.config().site.name,
    ...(deps.dataDir ? { logo: surfaceLogo(deps.dataDir) } : {}),
  }, surfaceEndpoints(deps.config()));
  const report = (): void => {
    for (const f of surface.failed) deps.logger.error({ address: f.address, port: f.port, error: f.error }, 'the web surface (block page, visitor portal) cannot listen here');
    deps.logger.info({ endpoints: surface.listening.map((e) => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`) }, 'web surface (block page, visitor portal) listening');
  };
  report();
  // A network added, switched on or off, or given another gateway address: listen where it now is.
  const unsubscribe = deps.onConfigChange?.((next) => {
    surface.update(surfaceEndpoints(next)).then(report, (err: Error) => deps.logger.error({ err }, 'the web surface could not follow the new configuration'));
  });
  return {
    get listening() { return surface.listening; },
    get failed() { return surface.failed; },
    update: (endpoints) => surface.update(endpoints),
    close: async () => {
      unsubscribe?.();
      await surface.close();
    },
  };
}
