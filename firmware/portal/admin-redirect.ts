// Plain HTTP to the admin UI's name or its address on an admin network goes to HTTPS: the first
// handler after the refusal of outsiders, so the landing page and the block page never answer
// for the admin UI. Which requests are the admin UI's is the admin's own rule (adminHttpsRedirect).
import { adminHttpsRedirect } from '../admin/https/redirect.ts';
import type { Config } from '../config/schema.ts';
import type { SurfaceHandler } from './dispatcher.ts';
import { escapeHtml, page, SECURITY_HEADERS } from './html.ts';

export function adminRedirectHandler(config: () => Readonly<Config>): SurfaceHandler {
  return {
    name: 'admin-redirect',
    handle(request) {
      const c = config();
      const to = adminHttpsRedirect(c, request.host, request.path);
      if (to === undefined) return undefined;
      return {
        // 308: a form posted to the HTTP address is re-sent, as a POST, to HTTPS.
        status: 308,
        html: page('Moved', c.site.name, `<h1>The admin page is on HTTPS</h1>\n<p>${escapeHtml(to)}</p>`),
        headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', location: to },
      };
    },
  };
}
