// What every route plugin (routes/<area>.ts, each `async (app, deps)`) is given, apart from
// app.ts so the plugins need not import the module that imports them.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { AuditLog } from '../control/audit.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alerts/alert-schema.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import type { ListsView } from '../rules/lists-view.ts';
import type { AlertRepository } from '../state/alerts.ts';
import type { AccountRepository } from '../state/accounts.ts';
import type { RegistrationService } from '../portal/registration/service.ts';
import type { DaemonStatus } from '../status.ts';
import type { AccountAdmin } from './auth/account-admin.ts';
import type { Authenticator, SessionLimits } from './auth/authenticator.ts';
import type { SetupCodeFile } from './auth/setup.ts';
import type { AdminControl } from './control-call.ts';
import type { HostFacts } from './api/health-schema.ts';
import type { AdminConfigAccess } from './config-change.ts';
import type { SignInsPerMinute } from './sign-in-limit.ts';

export const SESSION_COOKIE = 'schoolgate_session';

export interface AdminAppOptions {
  logger: Logger;
  status: () => DaemonStatus;
  accounts: AccountRepository;
  audit: Pick<AuditLog, 'append'>;
  transaction: <T>(fn: () => T) => T;
  setupCode: SetupCodeFile;
  site: () => { name: string; timezone: string };
  /** Stores the site's name and time zone given at setup (the configuration file). */
  setSite?: (site: { name: string; timezone: string }) => Promise<void>;
  /** Whether a source address may run first-run setup (the staff and management side, or loopback). */
  setupAllowedFrom: (address: string) => boolean;
  /** The configuration store: read at each request (device groups, networks), changed by the pages that change it (policies, networks). */
  config?: AdminConfigAccess;
  /** Served over HTTPS: the cookie is Secure and HSTS is sent. Plain HTTP only for the loopback demo. */
  https: boolean;
  /**
   * Mark the session cookie Secure (default: when https). The plain-HTTP listener sets it unless
   * it is on loopback, so a session never travels the school's network unencrypted.
   */
  cookieSecure?: boolean;
  /**
   * The names and addresses this listener answers to (the Host header, port aside). Anything
   * else is refused: a page of another site whose name was re-pointed at the gateway (DNS
   * rebinding) must not read the status that loopback gets without a session. Unset: any.
   */
  hosts?: () => readonly string[];
  now?: () => Date;
  /** Session timeouts, read at each request (web.sessions). */
  limits?: () => SessionLimits;
  raise?: (candidate: AlertCandidate) => void;
  /**
   * Where a plain-HTTP request goes instead, when HTTPS serves the admin UI: undefined answers it
   * here (loopback, or a name that is not the admin UI's). Sessions never cross the network in clear.
   */
  httpsRedirect?: (host: string | undefined, path: string) => string | undefined;
  /** Sign-in and setup attempts a source address may make a minute (default 10); a function is asked at each attempt. */
  loginRateLimit?: SignInsPerMinute;
  /** The daemon's control methods, called in-process by the pages that reuse them (devices, lists, audit). */
  control?: AdminControl;
  /** What the dashboard, alerts and health pages read; without it those routes answer 503. */
  monitor?: AdminMonitorSources;
  /** The visitor portal's registrations: the sponsors' queue, withdrawal, the records (absent: those routes answer 503). */
  visitors?: RegistrationService;
  /** The data directory: the settings page keeps the logo and the secrets it is given there (absent: those routes answer 503). */
  dataDir?: string;
  /** Whether an Authorization header carries the scrape token, for the routes declaring `bearer` (/metrics). */
  scrapeToken?: (authorization: string | undefined) => boolean;
  /** Extra fastify options (tests pass https certificates through here). */
  server?: { https?: { key: string | Buffer; cert: string | Buffer } };
}

/** The stores the dashboard, alerts and health pages read (the daemon's own, as the CLI's methods use). */
export interface AdminMonitorSources {
  queryLog: Pick<QueryLog, 'rollupTotals'>;
  alerts: Pick<AlertRepository, 'list' | 'acknowledge' | 'openCounts'>;
  /** The device table's name for a MAC, null when it has none. */
  deviceName: (mac: string) => string | null;
  /** What `schoolgate lists --json` prints. */
  lists: () => ListsView;
  /** The host's facts, cached briefly (host-facts.ts). */
  hostFacts: () => Promise<HostFacts>;
}

export interface AdminDeps {
  options: AdminAppOptions;
  auth: Authenticator;
  admin: AccountAdmin;
  cookie: { secure: boolean };
}

export type AdminRoutes = (app: FastifyInstance, deps: AdminDeps) => Promise<void>;

