// The `aup.acceptances` control method behind `schoolgate aup acceptances` and the web UI's list:
// which device accepted which version of the AUP on which network, and when (read-only).
import type { Config } from '../../config/schema.ts';
import type { ControlServer } from '../../control/server.ts';
import type { AupAcceptanceRepository } from '../../state/aup-acceptances.ts';
import { splashNetworkIds } from './decide.ts';
import { AupAcceptancesParams, type AupAcceptancesView } from './schema.ts';

export function aupAcceptancesView(config: Readonly<Config>, store: Pick<AupAcceptanceRepository, 'list'>, limit?: number): AupAcceptancesView {
  return {
    current: config.aup ? { version: config.aup.version, splashOn: splashNetworkIds(config) } : null,
    acceptances: store.list(limit),
  };
}

export function registerAupMethods(control: Pick<ControlServer, 'register'>, deps: { config: () => Readonly<Config>; store: Pick<AupAcceptanceRepository, 'list'> }): void {
  control.register<AupAcceptancesParams>('aup.acceptances', {
    params: AupAcceptancesParams,
    handle: (params): AupAcceptancesView => aupAcceptancesView(deps.config(), deps.store, params.limit),
  });
}
