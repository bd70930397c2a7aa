// The surface's other answers: a source on no school network is refused (never a page for the
// world), the gateway's own name or address gets a small landing page, and a name that is not
// blocked now (the device kept an old answer) is told to try again.
import type { Config } from '../config/schema.ts';
import type { SurfaceHandler } from './dispatcher.ts';
import { escapeHtml as e, page, SECURITY_HEADERS } from './html.ts';

const HTML = { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' };

export function outsiderHandler(config: () => Readonly<Config>): SurfaceHandler {
  return {
    name: 'outsider',
    handle: (request) => request.client ? undefined : {
      status: 403,
      html: page('Not on the school network', config().site.name, '<h1>Not on the school network</h1>\n<p>This gateway answers devices on the school\'s own networks only.</p>'),
      headers: HTML,
    },
  };
}

/** The gateway's own names: the local domain (and names under it) and its addresses. */
export function isGatewayHost(config: Readonly<Config>, host: string): boolean {
  const local = config.dns.localDomain;
  if (host === '' || host === local || host.endsWith(`.${local}`)) return true;
  if (config.web.blockPage?.address === host || config.web.portal?.address === host) return true;
  return config.networks.some((n) => n.gateway.ipv4 === host || n.gateway.ipv6 === host);
}

export function landingHandler(config: () => Readonly<Config>): SurfaceHandler {
  return {
    name: 'landing',
    handle(request) {
      const c = config();
      if (!request.client || !isGatewayHost(c, request.host)) return undefined;
      const network = request.client.network;
      return {
        status: 200,
        html: page('School Wi-Fi', c.site.name, `<h1>${e(c.site.name)} Wi-Fi</h1>
<p>You are connected to the <strong>${e(network.name)}</strong> network.</p>
<p class="muted">Use of the school's Wi-Fi is filtered and monitored, as the school's acceptable use policy says.</p>`),
        headers: HTML,
      };
    },
  };
}

export function notBlockedHandler(config: () => Readonly<Config>): SurfaceHandler {
  return {
    name: 'not-blocked',
    handle: () => ({
      status: 404,
      html: page('Not blocked', config().site.name, '<h1>This site is not blocked now</h1>\n<p>Your device remembered an old answer. Wait a minute, then reload the page.</p>'),
      headers: HTML,
    }),
  };
}
