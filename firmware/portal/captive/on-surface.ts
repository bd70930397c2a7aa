// The visitor portal as part of the gateway's web surface (port 80 of every gateway address): one
// listener, two fastify apps. For each request, portalTakes() decides from who asks (the network
// behind the source address, the device's authorisation) and what (the Host, the path) whether it
// is the portal's or the surface's (block page, landing page). The portal's routes keep fastify's
// own routing, parsers and replies; the surface's handlers keep the dispatcher.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ClientInfo } from '../../clients/directory.ts';
import { logoRoute, type SurfaceLogo } from '../logo-route.ts';
import { registrationRoutes, type RegistrationRouteDeps } from '../registration/routes.ts';
import { PORTAL_PATH } from './pages.ts';
import { probeFor } from './probes.ts';
import { CAPTIVE_API_PATH, captiveFallback, captiveRoutes, type CaptiveDeps } from './routes.ts';

export interface PortalAsk {
  /** The socket's source address, plain IPv4 where it was IPv4-mapped. */
  source: string;
  /** The Host header as the dispatcher normalises it (no port, lower case). */
  host: string;
  /** The raw Host header and URL, for the OS probes' exact match. */
  hostHeader: string | undefined;
  url: string;
  client: ClientInfo | undefined;
}

export interface PortalTakeFacts {
  /** The visitor portal is on (web.portal configured): guests are captive until authorised. */
  enabled: boolean;
  guest: boolean;
  authorised: boolean;
  probe: boolean;
  /** The Host is the gateway itself (its name or one of its addresses). */
  gatewayHost: boolean;
  path: string;
}

/** The portal's own pages and the RFC 8908 API. */
export function isPortalPath(path: string): boolean {
  return path === PORTAL_PATH || path.startsWith(`${PORTAL_PATH}/`) || path === CAPTIVE_API_PATH;
}

/**
 * Whose request it is. Off guest networks, or with the portal off, always the surface's. An
 * unauthorised guest gets the portal for everything (any site, any probe, a blocked name: it must
 * sign in first). An authorised guest gets the portal's pages on the gateway's own name (its
 * session, sign out), and a probe its success answer; any other request is the surface's, so a
 * name blocked on the guest network shows the block page.
 */
export function portalTakes(f: PortalTakeFacts): boolean {
  if (!f.enabled || !f.guest) return false;
  if (!f.authorised) return true;
  return f.probe || (f.gatewayHost && isPortalPath(f.path));
}

export interface PortalOnSurfaceDeps {
  captive: CaptiveDeps;
  registration: RegistrationRouteDeps['registration'];
  enabled: () => boolean;
  isGatewayHost: (host: string) => boolean;
  /** The school's logo: an unauthorised guest's every request is the portal's, the logo its pages show too. */
  logo?: SurfaceLogo;
}

export interface PortalMount {
  /** Mounts the portal's routes on a fresh fastify app of the surface's. */
  mount<L extends FastifyBaseLogger>(app: FastifyInstance<Server, IncomingMessage, ServerResponse, L>): Promise<void>;
  takes(ask: PortalAsk): boolean;
}

export function portalOnSurface(deps: PortalOnSurfaceDeps): PortalMount {
  return {
    async mount(app) {
      await captiveRoutes(app, deps.captive);
      if (deps.logo) logoRoute(app, deps.logo);
      await registrationRoutes(app, { registration: deps.registration, view: deps.captive.view, now: deps.captive.now });
      // The gateway's bare address typed by hand, before signing in: the portal, not a 404.
      app.get('/', async (_request, reply) => reply.code(302).header('location', PORTAL_PATH).header('cache-control', 'no-store').send());
      app.setNotFoundHandler(captiveFallback(deps.captive));
    },
    takes(ask) {
      const guest = ask.client?.network.kind === 'guest';
      if (!deps.enabled() || !guest) return false;
      const path = ask.url.split('?')[0] ?? '/';
      return portalTakes({
        enabled: true, guest,
        authorised: deps.captive.sessions.sessionAt(ask.source) !== undefined,
        probe: probeFor(ask.hostHeader, ask.url) !== undefined,
        gatewayHost: deps.isGatewayHost(ask.host),
        path,
      });
    },
  };
}
