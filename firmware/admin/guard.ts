// Who may reach a route, decided from what the route declares and who is asking. Pure, so the
// rule is tested without HTTP; app.ts applies it to every request before its body is read.
import type { Signed } from './auth/authenticator.ts';
import { AuthError } from './auth/errors.ts';
import { accountPermissions } from './auth/views.ts';
import type { Permission } from './roles.ts';

/** What a route needs: a permission, any signed-in account, or nothing. */
export type RoutePermission = Permission | 'public' | 'signed-in';

export interface RouteAccess {
  permission?: RoutePermission;
  /** Reachable before the account is complete: a temporary password to change, TOTP to enrol. */
  stages?: readonly Exclude<Signed['stage'], 'ready'>[];
  /** The break-glass account may use this route (it may only recover or revoke access). */
  breakGlass?: boolean;
  /** Requests from the gateway itself (127.0.0.1, ::1) need no session: monitoring on the box or through SSH. */
  loopback?: boolean;
  /** A request carrying the scrape token (metrics.tokenFile) as "Authorization: Bearer" needs no session: a trust's Prometheus. */
  bearer?: boolean;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Throws the ApiError the request gets, or returns when it may go on. */
export function checkAccess(access: RouteAccess, signed: Signed | undefined, source: string, bearerMatches = false): void {
  const permission = access.permission;
  if (permission === undefined) throw new AuthError(500, 'undeclared', 'this route declares no permission, so it is refused');
  if (permission === 'public') return;
  if (access.loopback && isLoopback(source)) return;
  if (access.bearer && bearerMatches) return;
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first (or your session has ended)');
  if (signed.account.breakGlass && !access.breakGlass) {
    throw new AuthError(403, 'break-glass', 'the break-glass recovery account may only recover or revoke access');
  }
  if (signed.stage !== 'ready' && !access.stages?.includes(signed.stage)) {
    if (signed.stage === 'change-password') throw new AuthError(403, 'password-change-required', 'change your temporary password first');
    throw new AuthError(403, 'totp-required', 'set up two-factor sign-in (an authenticator app) first: your roles require it');
  }
  if (permission === 'signed-in') return;
  if (!accountPermissions(signed.account).includes(permission)) {
    throw new AuthError(403, 'forbidden', `your roles do not include ${permission}`);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cross-site request forgery: a request that changes something must come from a page of this
 * origin (Origin, or Referer when a browser leaves Origin out) and, once signed in, carry the
 * session's token in x-csrf-token, which another site's page cannot read.
 */
export function checkCsrf(request: { method: string; origin: string | undefined; referer: string | undefined; csrfHeader: string | undefined },
  ownOrigin: string, signed: Signed | undefined): void {
  if (SAFE_METHODS.has(request.method)) return;
  const from = request.origin ?? (request.referer ? originOf(request.referer) : undefined);
  if (from !== ownOrigin) throw new AuthError(403, 'csrf', 'this request did not come from the gateway\'s own pages');
  if (signed && request.csrfHeader !== signed.session.csrfToken) {
    throw new AuthError(403, 'csrf', 'this request lacks the session\'s x-csrf-token: reload the page');
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
