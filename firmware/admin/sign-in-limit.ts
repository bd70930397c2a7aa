// The sign-in and setup routes' rate limit. The number is asked for at each attempt rather than
// fixed when the routes are registered, so a change on the Settings page (web.signInsPerMinute)
// holds from the next attempt on, not from the next start.
import { DEFAULT_SIGN_INS_PER_MINUTE } from './settings.ts';

export type SignInsPerMinute = number | (() => number);

/** The @fastify/rate-limit options of a route that takes passwords or the setup code. */
export function signInRateLimit(limit: SignInsPerMinute | undefined): { max: () => number; timeWindow: string } {
  return {
    max: () => (typeof limit === 'function' ? limit() : limit) ?? DEFAULT_SIGN_INS_PER_MINUTE,
    timeWindow: '1 minute',
  };
}
