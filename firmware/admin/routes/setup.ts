// First-run setup: unlocked by the one-time code, only from the staff and management side. The
// steps after the accounts (logo, term dates, networks, resolvers, policies) are the technician's:
// their page loads GET /api/setup/continue, which needs system.manage, and each step saves through
// the route of its own page with that page's permission.
import { ApiError, SetupBody, SetupContinueView, SetupResult, SetupState } from '../api/session-schema.ts';
import { AuthError } from '../auth/errors.ts';
import { completeSetup } from '../auth/setup.ts';
import { describeLogo } from '../logo.ts';
import type { AdminRoutes } from '../route-deps.ts';
import { signInRateLimit } from '../sign-in-limit.ts';

const Errors = { 400: ApiError, 403: ApiError, 409: ApiError, 429: ApiError };

export const setupRoutes: AdminRoutes = async (app, deps) => {
  const { options } = deps;

  app.get('/api/setup', {
    schema: { response: { 200: SetupState } },
    config: { permission: 'public' },
  }, async () => ({ needed: options.accounts.count() === 0, site: options.site() }));

  app.get('/api/setup/continue', {
    schema: { response: { 200: SetupContinueView, 401: ApiError, 403: ApiError } },
    config: { permission: 'system.manage' },
  }, async () => ({ logo: await describeLogo(options.dataDir) }));

  app.post<{ Body: SetupBody }>('/api/setup', {
    schema: { body: SetupBody, response: { 200: SetupResult, ...Errors } },
    config: { permission: 'public', rateLimit: signInRateLimit(options.loginRateLimit) },
  }, async (request) => {
    const source = request.ip;
    if (options.accounts.count() > 0) throw new AuthError(409, 'setup-done', 'setup has already been done: sign in instead');
    if (!options.setupAllowedFrom(source)) {
      throw new AuthError(403, 'setup-network', 'setup can only be done from the staff or management network, or on the gateway itself');
    }
    if (!(await options.setupCode.matches(request.body.code))) {
      options.audit.append({ actor: 'system:setup', action: 'setup.refused', details: { source, reason: 'wrong code' } });
      throw new AuthError(403, 'setup-code', 'that setup code is not right: `schoolgate status` shows it', { code: 'not the setup code' });
    }
    const result = await completeSetup({ accounts: options.accounts, audit: options.audit, transaction: options.transaction, now: options.now ?? (() => new Date()) }, request.body, source);
    await options.setupCode.spend();
    await options.setSite?.(request.body.site);
    return result;
  });
};
