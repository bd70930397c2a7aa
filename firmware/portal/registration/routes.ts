// The registration routes as a fastify plugin, mounted beside captiveRoutes by the portal's
// listener: GET/POST /portal/register, GET /portal/waiting, GET/POST /portal/sponsor-code. The
// device is the TCP peer's address resolved by its lease, as for vouchers; the forms must come
// from the portal's own pages (fromPortal).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { Value } from 'typebox/value';
import { clientAddress, fromPortal } from '../captive/routes.ts';
import { PORTAL_PATH, successPage } from '../captive/pages.ts';
import type { PortalView } from '../captive/settings.ts';
import { declinedPage, REGISTER_PATH, WAITING_PATH, registerPage, SPONSOR_CODE_PATH, sponsorCodePage, waitingPage, type RegisterFields, type RegisterFormState } from './pages.ts';
import { Registration } from './schema.ts';
import type { RegistrationService } from './service.ts';

export interface RegistrationRouteDeps {
  registration: Pick<RegistrationService, 'sponsors' | 'register' | 'requestAt' | 'approveWithCode'>;
  view: () => PortalView;
  now: () => Date;
}

const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const FIELD_WORDS: Record<keyof RegisterFields, string> = {
  name: 'Type your full name.',
  organisation: 'Type your organisation, or "parent".',
  purpose: 'Say briefly why you are visiting.',
  sponsorId: 'Choose the member of staff you are visiting.',
  email: 'That does not look like an e-mail address: leave it empty if you prefer.',
  phone: 'Use digits, spaces and + only: leave it empty if you prefer.',
};

/** The form as typed (trimmed, cut to size) and either a Registration or each bad field's words. */
export function readRegistration(body: Record<string, unknown>, termsVersion: string): { values: RegisterFields; registration?: Registration; errors: RegisterFormState['errors'] } {
  const s = (k: keyof RegisterFields, max: number) => (typeof body[k] === 'string' ? (body[k] as string).trim().slice(0, max) : '');
  const values: RegisterFields = { name: s('name', 120), organisation: s('organisation', 120), purpose: s('purpose', 300), sponsorId: s('sponsorId', 12), email: s('email', 254), phone: s('phone', 40) };
  const candidate = {
    name: values.name, organisation: values.organisation, purpose: values.purpose, sponsorId: /^\d+$/.test(values.sponsorId!) ? Number(values.sponsorId) : 0,
    email: values.email || null, phone: values.phone || null, termsVersion,
  };
  const errors: NonNullable<RegisterFormState['errors']> = {};
  for (const error of Value.Errors(Registration, candidate)) {
    const key = error.instancePath.replace(/^\//, '') as keyof RegisterFields;
    if (key in FIELD_WORDS) errors[key] ??= FIELD_WORDS[key];
  }
  if (body.accept !== termsVersion) errors.accept = 'Tick the box to accept the terms of use.';
  return Object.keys(errors).length ? { values, errors } : { values, registration: candidate as Registration, errors: undefined };
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(HEADERS).type('text/html; charset=utf-8').send(body);
}

export async function registrationRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<Server, IncomingMessage, ServerResponse, L>, deps: RegistrationRouteDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.get(REGISTER_PATH, async (request, reply) => {
      // A device already waiting (its sheet reopened) goes back to its waiting page, not a blank form.
      if (deps.registration.requestAt(clientAddress(request))?.state === 'pending') return reply.code(303).headers(HEADERS).header('location', WAITING_PATH).send();
      return html(reply, 200, registerPage(deps.view(), deps.registration.sponsors()));
    });

    scope.post(REGISTER_PATH, async (request, reply) => {
      const view = deps.view();
      const sponsors = deps.registration.sponsors();
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      const { values, registration, errors } = readRegistration(body, view.terms.version);
      if (!fromPortal(request)) return html(reply, 403, registerPage(view, sponsors, { values, message: 'Please register on this page.' }));
      if (!registration) return html(reply, 400, registerPage(view, sponsors, { values, errors, accepted: body.accept === view.terms.version, message: 'Some answers need another look: see the notes beside them.' }));
      const result = deps.registration.register(clientAddress(request), registration);
      switch (result.outcome) {
        case 'pending': return reply.code(303).headers(HEADERS).header('location', WAITING_PATH).send();
        case 'unknown-sponsor': return html(reply, 400, registerPage(view, sponsors, { values, errors: { sponsorId: FIELD_WORDS.sponsorId } }));
        case 'too-many': return html(reply, 429, registerPage(view, sponsors, { values, message: 'This device has registered too many times in the last hour. Please ask at reception.' }));
        case 'no-lease': return html(reply, 403, registerPage(view, sponsors, { values, message: 'This device did not get its address from the guest Wi-Fi. Turn Wi-Fi off and on again, then try once more.' }));
      }
    });

    scope.get(WAITING_PATH, async (request, reply) => {
      const view = deps.view();
      const found = deps.registration.requestAt(clientAddress(request));
      if (!found) return reply.code(303).headers(HEADERS).header('location', REGISTER_PATH).send();
      if (found.state === 'pending') return html(reply, 200, waitingPage(view, found));
      if (found.state === 'approved') return reply.code(303).headers(HEADERS).header('location', PORTAL_PATH).send();
      return html(reply, 200, declinedPage(view, found));
    });

    scope.get(SPONSOR_CODE_PATH, async (request, reply) => {
      const found = deps.registration.requestAt(clientAddress(request));
      if (!found || found.state !== 'pending') return reply.code(303).headers(HEADERS).header('location', WAITING_PATH).send();
      return html(reply, 200, sponsorCodePage(deps.view(), found));
    });

    scope.post(SPONSOR_CODE_PATH, async (request, reply) => {
      const view = deps.view();
      const address = clientAddress(request);
      const found = deps.registration.requestAt(address);
      if (!found || found.state !== 'pending') return reply.code(303).headers(HEADERS).header('location', WAITING_PATH).send();
      if (!fromPortal(request)) return html(reply, 403, sponsorCodePage(view, found, 'Please type the code on this page.'));
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      const result = await deps.registration.approveWithCode(address, typeof body.code === 'string' ? body.code : '');
      switch (result.outcome) {
        case 'approved': return html(reply, 200, successPage(view, new Date(result.until), deps.now()));
        case 'wrong': return html(reply, 400, sponsorCodePage(view, found, 'That is not the sponsor code. Try again, or approve in the web UI.'));
        case 'locked': return html(reply, 429, sponsorCodePage(view, found, `Too many wrong codes from this device. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minutes, or approve in the web UI.`));
        case 'no-request': return reply.code(303).headers(HEADERS).header('location', WAITING_PATH).send();
      }
    });
  });
}
