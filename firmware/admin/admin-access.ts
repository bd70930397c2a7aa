// The daemon's side of the admin API's accounts: the first-run setup code while no account
// exists, where setup may come from, and the site settings setup writes. Kept here so the
// composition root only calls one function.
import { join } from 'node:path';
import type { ConfigStore } from '../config/store.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alert-schema.ts';
import type { StateDatabase } from '../state/database.ts';
import type { DaemonStatus } from '../status.ts';
import { fromAdminSide } from './admin-networks.ts';
import type { AdminAppOptions } from './app.ts';
import { SetupCodeFile } from './auth/setup.ts';

export interface AdminAccessOptions {
  dataDir: string;
  state: StateDatabase;
  config: ConfigStore;
  logger: Logger;
  /** The alert service's entry point, once it exists; until then break-glass use is logged. */
  raise?: (candidate: AlertCandidate) => void;
}

export interface AdminAccess {
  appOptions: Omit<AdminAppOptions, 'logger' | 'status' | 'https'>;
  status: () => Partial<DaemonStatus['admin']>;
}

export async function startAdminAccess(options: AdminAccessOptions): Promise<AdminAccess> {
  const { state, config, logger } = options;
  const setupCode = new SetupCodeFile(join(options.dataDir, 'setup-code'));
  if (state.accounts.count() === 0) {
    const code = await setupCode.issue();
    logger.warn({ setupCode: code }, `first-run setup: open the admin page and enter the setup code ${code} (schoolgate status shows it too)`);
  } else {
    await setupCode.spend();
  }
  return {
    appOptions: {
      accounts: state.accounts,
      audit: state.audit,
      transaction: (fn) => state.transaction(fn),
      setupCode,
      site: () => ({ name: config.current.site.name, timezone: config.current.site.timezone }),
      setSite: async (site) => {
        await config.update((draft) => ({ ...draft, site: { ...draft.site, name: site.name, timezone: site.timezone } }));
      },
      setupAllowedFrom: (address) => fromAdminSide(config.current, address),
      raise: options.raise ?? ((candidate) => logger.warn({ alert: candidate }, candidate.reason)),
    },
    status: () => (setupCode.code ? { setupCode: setupCode.code } : {}),
  };
}
