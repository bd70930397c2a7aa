// The admin API's way into the daemon's control methods: the same method, parameter check and
// audit entry as `schoolgate …` over SSH, called in-process with the signed-in account as the
// actor (`account:USERNAME`), so a page never does a second time what a method already does.
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { Signed } from './auth/authenticator.ts';
import { AuthError } from './auth/errors.ts';

export type AdminControl = Pick<ControlServer, 'invoke'>;

/** The HTTP status each control failure is answered with; anything not named here is a 409. */
const STATUS_OF: Readonly<Record<string, number>> = {
  'invalid-input': 400, 'bad-params': 400, 'bad-id': 400, 'unknown-category': 400, 'unknown-format': 400,
  'bad-lines': 400, 'too-long': 400, 'empty-list': 400,
  'unknown-device': 404, 'unknown-list': 404, 'not-found': 404, 'unknown-alert': 404, 'unknown-method': 503,
  'unknown-incident': 404, 'attachment-missing': 404,
  'unknown-upload': 404, 'too-large': 413, forbidden: 403,
};

/**
 * Runs a control method as the signed-in account. A failure becomes the ApiError the page shows;
 * `field` names the form field its message belongs beside.
 */
export async function callControl<T>(control: AdminControl | undefined, signed: Signed | undefined, method: string, params: unknown,
  field?: string): Promise<T> {
  if (!control) throw new AuthError(503, 'unavailable', 'this gateway\'s daemon does not offer this yet');
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first');
  try {
    return await control.invoke(method, params, { user: signed.account.username, account: signed.account.username }) as T;
  } catch (error) {
    if (error instanceof ControlFailure) {
      throw new AuthError(STATUS_OF[error.code] ?? 409, error.code, error.message, field ? { [field]: error.message } : undefined);
    }
    throw error;
  }
}
