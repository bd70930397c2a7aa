// The operating systems' captive-portal probes and the exact answer each expects when the
// network is open. A device whose probe gets anything else opens its sign-in sheet; once it gets
// this, the sheet closes by itself. Authorised devices' HTTP goes to the real sites (nftables no
// longer redirects it), so these answers are for a probe that reaches the portal anyway: a
// device signed in a moment before its next probe, or one pointed at the portal directly. Pure.
export interface ProbeAnswer {
  probe: string;
  status: number;
  contentType: string | null;
  body: string;
}

const APPLE = '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n';
const FIREFOX_CANONICAL = '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>';

const PROBES: Record<string, Record<string, ProbeAnswer>> = {
  'captive.apple.com': {
    '/hotspot-detect.html': { probe: 'apple', status: 200, contentType: 'text/html', body: APPLE },
    '/library/test/success.html': { probe: 'apple', status: 200, contentType: 'text/html', body: APPLE },
  },
  'connectivitycheck.gstatic.com': {
    '/generate_204': { probe: 'android', status: 204, contentType: null, body: '' },
    '/gen_204': { probe: 'android', status: 204, contentType: null, body: '' },
  },
  'clients3.google.com': { '/generate_204': { probe: 'chrome', status: 204, contentType: null, body: '' } },
  'www.msftconnecttest.com': { '/connecttest.txt': { probe: 'windows', status: 200, contentType: 'text/plain', body: 'Microsoft Connect Test' } },
  'www.msftncsi.com': { '/ncsi.txt': { probe: 'windows-ncsi', status: 200, contentType: 'text/plain', body: 'Microsoft NCSI' } },
  'detectportal.firefox.com': {
    '/canonical.html': { probe: 'firefox', status: 200, contentType: 'text/html', body: FIREFOX_CANONICAL },
    '/success.txt': { probe: 'firefox', status: 200, contentType: 'text/plain', body: 'success\n' },
  },
};

/** The host without a port, lower-case, without a trailing dot. */
export function hostOnly(hostHeader: string | undefined): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return bare.replace(/\.$/, '');
}

/** The probe a request is, by its Host and path (the query string ignored), if it is one. */
export function probeFor(hostHeader: string | undefined, url: string): ProbeAnswer | undefined {
  const path = url.split('?')[0] ?? '';
  return PROBES[hostOnly(hostHeader)]?.[path];
}

export const PROBE_HOSTS = Object.keys(PROBES);
