// What every route plugin (routes/<area>.ts, each `async (app, deps)`) is given, apart from
// app.ts so the plugins need not import the module that imports them.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../control/audit.ts';
import type { Logger } from '../log.ts';
import type { AlertCandidate } from '../monitor/alert-schema.ts';
import type { AccountRepository } from '../state/accounts.ts';
import type { RegistrationService } from '../portal/registration/service.ts';
import type { DaemonStatus } from '../status.ts';
import type { AccountAdmin } from './auth/account-admin.ts';
import type { Authenticator, SessionLimits } from './auth/authenticator.ts';
import type { SetupCodeFile } from './auth/setup.ts';

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
  /** Sign-in and setup attempts a source address may make a minute (default 10). */
  loginRateLimit?: number;
  /** The visitor portal's registrations: the sponsors' queue, withdrawal, the records (absent: those routes answer 503). */
  visitors?: RegistrationService;
  /** Extra fastify options (tests pass https certificates through here). */
  server?: { https?: { key: string | Buffer; cert: string | Buffer } };
}

export interface AdminDeps {
  options: AdminAppOptions;
  auth: Authenticator;
  admin: AccountAdmin;
  cookie: { secure: boolean };
}

export type AdminRoutes = (app: FastifyInstance, deps: AdminDeps) => Promise<void>;

