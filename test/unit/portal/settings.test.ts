// The optional `portal` section: absent, the built-in terms (which say use is monitored and what
// is not allowed); present, the school's own; a bad one named by its JSON path.
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { DEFAULT_TERMS, portalView } from '../../../firmware/portal/captive/settings.ts';

describe('the portal section', () => {
  test('absent: the built-in terms, which tell a guest use is monitored and what is not allowed', () => {
    const view = portalView(defaultConfig());
    expect(view.terms).toEqual(DEFAULT_TERMS);
    for (const words of ['logged and monitored', 'HTTP and HTTPS', 'tethering', 'peer-to-peer', 'gaming', 'VPNs or proxies']) expect(DEFAULT_TERMS.text).toContain(words);
    expect(view).toMatchObject({ privacyNoticeUrl: null, venueInfoUrl: null });
  });

  test('the school\'s own terms and links are used; a version with spaces and a link that is no URL are named', () => {
    const config = defaultConfig();
    config.portal = { terms: { version: '2026-autumn', text: 'Our terms.' }, privacyNoticeUrl: 'https://school.example/privacy', venueInfoUrl: 'https://school.example/visitors' };
    const result = validateConfig(JSON.parse(JSON.stringify(config)));
    expect(result.ok).toBe(true);
    expect(portalView(config)).toMatchObject({ terms: { version: '2026-autumn' }, privacyNoticeUrl: 'https://school.example/privacy', venueInfoUrl: 'https://school.example/visitors' });
    const bad = JSON.parse(JSON.stringify(config));
    bad.portal.terms.version = 'autumn 2026';
    bad.portal.privacyNoticeUrl = 'javascript:alert(1)';
    const issues = validateConfig(bad);
    expect(issues.ok).toBe(false);
    if (!issues.ok) expect(issues.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/portal/terms/version', '/portal/privacyNoticeUrl']));
  });
});
