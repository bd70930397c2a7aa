// Plain HTTP to the admin UI goes to HTTPS. Port 80 on every gateway address also serves the
// block page and the visitor portal, so this does not own the port: that surface asks this
// function about each request and redirects only those addressed to the admin UI by its name or
// its address on an admin network.
import type { Config } from '../../config/schema.ts';
import { adminAddresses } from '../admin-networks.ts';

export const DEFAULT_HTTPS_PORT = 443;
export const DEFAULT_ADMIN_HOSTNAME = 'schoolgate.local';

/** The HTTPS URL to send a plain-HTTP request to, or undefined when it is not for the admin UI. */
export function adminHttpsRedirect(config: Pick<Config, 'networks' | 'firewall' | 'web'>, host: string | undefined, path: string): string | undefined {
  const https = config.web.https;
  if (!https || !host) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  const hostname = https.hostname ?? DEFAULT_ADMIN_HOSTNAME;
  if (name !== hostname && !adminAddresses(config).includes(name)) return undefined;
  const port = https.port ?? DEFAULT_HTTPS_PORT;
  // Only a path goes on: a full URL in the request line must not choose where the browser goes.
  const safePath = path.startsWith('/') && !path.startsWith('//') ? path : '/';
  return `https://${name}${port === DEFAULT_HTTPS_PORT ? '' : `:${port}`}${safePath}`;
}
