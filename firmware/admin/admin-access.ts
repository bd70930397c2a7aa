// The daemon's side of the admin API: the first-run setup code while no account exists, where
// setup may come from, the site settings setup writes, and the HTTPS listeners. Kept here so the
// composition root only calls one function.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { ConfigStore } from '../config/store.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alerts/alert-schema.ts';
import type { StateDatabase } from '../state/database.ts';
import type { DaemonStatus } from '../status.ts';
import { adminAddresses, fromAdminSide } from './admin-networks.ts';
import { DEFAULT_SESSION_LIMITS } from './auth/authenticator.ts';
import { ensureCertificate } from './https/certificate.ts';
import { DEFAULT_ADMIN_HOSTNAME, DEFAULT_HTTPS_PORT } from './https/redirect.ts';
import type { AdminAppOptions } from './app.ts';
import { SetupCodeFile } from './auth/setup.ts';
import { DEFAULT_SIGN_INS_PER_MINUTE } from './settings.ts';
import type { AdminControl } from './control-call.ts';

export interface AdminAccessOptions {
  dataDir: string;
  state: StateDatabase;
  config: ConfigStore;
  logger: Logger;
  /** The control methods the admin pages reuse (devices, lists, audit). */
  control?: AdminControl;
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
      dataDir: options.dataDir,
      transaction: (fn) => state.transaction(fn),
      setupCode,
      site: () => ({ name: config.current.site.name, timezone: config.current.site.timezone }),
      setSite: async (site) => {
        await config.update((draft) => ({ ...draft, site: { ...draft.site, name: site.name, timezone: site.timezone } }));
      },
      setupAllowedFrom: (address) => fromAdminSide(config.current, address),
      config: { current: () => config.current, update: (change, written) => config.update(change, written) },
      limits: () => config.current.web.sessions ?? DEFAULT_SESSION_LIMITS,
      ...(options.control ? { control: options.control } : {}),
      // Read at each attempt: a change on the Settings page holds at once.
      loginRateLimit: () => config.current.web.signInsPerMinute ?? DEFAULT_SIGN_INS_PER_MINUTE,
      raise: options.raise ?? ((candidate) => logger.warn({ alert: candidate }, candidate.reason)),
    },
    status: () => (setupCode.code ? { setupCode: setupCode.code } : {}),
  };
}

export interface AdminHttps {
  urls: string[];
  fingerprint: string;
  close(): Promise<void>;
}

/**
 * HTTPS on the gateway's address on each admin network (web.https): one listener per address,
 * each the same app with Secure cookies and HSTS. Undefined when web.https is not configured.
 */
export async function startAdminHttps(options: {
  dataDir: string;
  config: Pick<Config, 'networks' | 'firewall' | 'web'>;
  logger: Logger;
  /** One app per listener; `hosts` are the names it answers to (the hostname and the addresses). */
  build: (server: { https: { key: string; cert: string } }, hosts: readonly string[]) => Promise<FastifyInstance>;
}): Promise<AdminHttps | undefined> {
  const https = options.config.web.https;
  if (!https) return undefined;
  const addresses = adminAddresses(options.config);
  const hostname = https.hostname ?? DEFAULT_ADMIN_HOSTNAME;
  const port = https.port ?? DEFAULT_HTTPS_PORT;
  const certificate = await ensureCertificate(join(options.dataDir, 'tls'), { hostname, addresses });
  if (certificate.made) options.logger.warn({ fingerprint: certificate.fingerprint, hostname, addresses }, 'made a new certificate for the admin UI: compare its fingerprint with the browser\'s');
  const apps: FastifyInstance[] = [];
  const urls: string[] = [];
  try {
    for (const address of addresses) {
      const app = await options.build({ https: { key: certificate.key, cert: certificate.cert } }, [hostname, ...addresses]);
      apps.push(app);
      await app.listen({ host: address, port });
      urls.push(`https://${address}${port === DEFAULT_HTTPS_PORT ? '' : `:${port}`}/`);
    }
  } catch (error) {
    await Promise.all(apps.map((a) => a.close()));
    throw new Error(`cannot serve the admin UI over HTTPS on port ${port}: ${(error as Error).message}`);
  }
  return { urls, fingerprint: certificate.fingerprint, close: async () => { await Promise.all(apps.map((a) => a.close())); } };
}
