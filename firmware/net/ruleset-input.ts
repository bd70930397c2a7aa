// What the renderer needs, taken from a configuration document. Kept apart from the renderer so
// live facts (a portal that started on another port, the uplink found at runtime) can be passed
// in instead without the renderer reading anything itself.
import type { Config, Firewall } from '../config/schema.ts';
import { DEFAULT_HTTPS_PORT } from '../admin/https/redirect.ts';
import type { RulesetInput } from './ruleset.ts';
import { splashNetworkIds } from '../portal/splash/decide.ts';

export function rulesetInputOf(config: Readonly<Config>, firewall: Firewall | undefined = config.firewall): RulesetInput {
  if (!firewall) throw new Error('the configuration has no "firewall" section: nothing says where the uplink is');
  return {
    networks: config.networks,
    firewall,
    dnsListen: config.dns.listen,
    admin: config.web.admin,
    ...(config.web.https ? { adminHttpsPort: config.web.https.port ?? DEFAULT_HTTPS_PORT } : {}),
    ...(config.web.portal ? { portal: config.web.portal } : {}),
    ...(config.aup ? { aupSplash: splashNetworkIds(config) } : {}),
  };
}
