// Signing in and out, and the signed-in account's own password and two-factor enrolment.
import { Type } from 'typebox';
import QRCode from 'qrcode';
import {
  ApiError, ChangePasswordBody, LoginBody, SessionView, TotpConfirmBody, TotpEnrolment,
} from '../api/session-schema.ts';
import type { Signed } from '../auth/authenticator.ts';
import { actorOf } from '../auth/authenticator.ts';
import { AuthError } from '../auth/errors.ts';
import { newTotpSecret, otpauthUrl, verifyTotp } from '../auth/totp.ts';
import { accountPermissions, accountView } from '../auth/views.ts';
import { signInRateLimit } from '../sign-in-limit.ts';
import { SESSION_COOKIE, type AdminDeps, type AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 409: ApiError, 423: ApiError, 429: ApiError };

export function sessionView(signed: Signed, site: { name: string; timezone: string }): SessionView {
  return {
    account: accountView(signed.account),
    permissions: accountPermissions(signed.account),
    csrfToken: signed.session.csrfToken,
    idleExpiresAt: signed.idleExpiresAt.toISOString(),
    absoluteExpiresAt: signed.absoluteExpiresAt.toISOString(),
    site: { name: site.name, timezone: site.timezone },
  };
}

function requireSigned(signed: Signed | undefined): Signed {
  if (!signed) throw new AuthError(401, 'signed-out', 'sign in first (or your session has ended)');
  return signed;
}

export const sessionRoutes: AdminRoutes = async (app, deps: AdminDeps) => {
  const { auth, options } = deps;
  const rateLimit = signInRateLimit(options.loginRateLimit);

  app.get('/api/session', {
    schema: { response: { 200: SessionView, ...Errors } },
    config: { permission: 'signed-in', stages: ['change-password', 'enrol-totp'], breakGlass: true },
  }, async (request) => sessionView(requireSigned(request.signed), options.site()));

  app.post<{ Body: LoginBody }>('/api/session', {
    schema: { body: LoginBody, response: { 200: SessionView, ...Errors } },
    config: { permission: 'public', rateLimit },
  }, async (request, reply) => {
    const { token, signed } = await auth.signIn(request.body, request.ip);
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.cookie.secure });
    return sessionView(signed, options.site());
  });

  app.delete('/api/session', {
    schema: { response: { 204: Type.Null(), ...Errors } },
    config: { permission: 'signed-in', stages: ['change-password', 'enrol-totp'], breakGlass: true },
  }, async (request, reply) => {
    auth.signOut(requireSigned(request.signed));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.post<{ Body: ChangePasswordBody }>('/api/account/password', {
    schema: { body: ChangePasswordBody, response: { 200: SessionView, ...Errors } },
    config: { permission: 'signed-in', stages: ['change-password', 'enrol-totp'] },
  }, async (request) => {
    const signed = await auth.changePassword(requireSigned(request.signed), request.body.current, request.body.next);
    return sessionView(signed, options.site());
  });

  // The secret waits, unconfirmed, until the first code from the authenticator proves it was
  // copied; asking again replaces it. An enrolled account must have it reset by an administrator.
  app.post('/api/account/totp', {
    schema: { response: { 200: TotpEnrolment, ...Errors } },
    config: { permission: 'signed-in', stages: ['enrol-totp'] },
  }, async (request) => {
    const { account } = requireSigned(request.signed);
    if (account.totpSecret !== null) throw new AuthError(409, 'totp-enrolled', 'two-factor is already set up: an administrator can reset it if the phone is lost');
    const secret = newTotpSecret();
    options.accounts.update(account.id, { totpPendingSecret: secret });
    const url = otpauthUrl(secret, account.username, `Schoolgate ${options.site().name}`);
    return { secret, otpauthUrl: url, qrSvg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
  });

  app.post<{ Body: TotpConfirmBody }>('/api/account/totp/confirm', {
    schema: { body: TotpConfirmBody, response: { 200: SessionView, ...Errors } },
    config: { permission: 'signed-in', stages: ['enrol-totp'] },
  }, async (request) => {
    const signed = requireSigned(request.signed);
    const { account } = signed;
    if (account.totpPendingSecret === null) throw new AuthError(409, 'totp-not-started', 'start two-factor enrolment first');
    const step = verifyTotp(account.totpPendingSecret, request.body.code, (options.now ?? (() => new Date()))().getTime(), null);
    if (step === undefined) throw new AuthError(400, 'totp-wrong', 'that code is not right: check the phone\'s clock and type the code shown now', { code: 'not the current code' });
    options.transaction(() => {
      options.accounts.update(account.id, { totpSecret: account.totpPendingSecret, totpPendingSecret: null, totpLastStep: step });
      options.audit.append({ actor: actorOf(account), action: 'account.totp-enrol', subject: account.username });
    });
    const refreshed = auth.session(request.cookies[SESSION_COOKIE]);
    return sessionView(requireSigned(refreshed), options.site());
  });
};
