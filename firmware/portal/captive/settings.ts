// What the portal's pages need from the configuration, with the built-in terms for a school that
// has not written its own yet. The terms say what POLICY-NOTES ask every guest to be told.
import type { Config } from '../../config/schema.ts';
import type { PortalTerms } from '../../config/portal-schema.ts';

export interface PortalView {
  siteName: string;
  timezone: string;
  terms: PortalTerms;
  privacyNoticeUrl: string | null;
  venueInfoUrl: string | null;
  /** The school stored a logo (the Settings page): the pages' header shows it from /logo. */
  logo?: boolean;
}

/** What a printed voucher slip says of the terms when the school wrote none of its own. */
export const TERMS_SUMMARY = 'Use is logged and monitored. Web browsing only: no tethering, peer-to-peer, gaming, VPNs or proxies.';

export const DEFAULT_TERMS: PortalTerms = {
  version: 'builtin-1',
  text: [
    'The guest Wi-Fi is provided for your visit to the school. By using it you agree to these terms.',
    'Your use is logged and monitored: the names of the sites your device looks up are recorded with your name and your sponsor\'s, and kept for the school\'s retention period.',
    'The guest Wi-Fi is for web browsing (HTTP and HTTPS) only. Do not share the connection (tethering or a hotspot), and do not use peer-to-peer file sharing, online gaming, VPNs or proxies.',
    'Sites unsuitable for a school are blocked. Access can be ended at any time.',
  ].join('\n\n'),
  summary: TERMS_SUMMARY,
};

export function portalView(config: Readonly<Config>, logo = false): PortalView {
  return {
    siteName: config.site.name,
    timezone: config.site.timezone,
    terms: config.portal?.terms ?? DEFAULT_TERMS,
    privacyNoticeUrl: config.portal?.privacyNoticeUrl ?? null,
    venueInfoUrl: config.portal?.venueInfoUrl ?? null,
    logo,
  };
}
