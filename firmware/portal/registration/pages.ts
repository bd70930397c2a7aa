// The registration pages, server-rendered without scripts like the rest of the portal: the form
// (sponsor chosen from a list of staff names), "waiting for NAME to approve" with a "check again"
// link (no meta refresh: a page that reloads itself under a screen reader fails WCAG 2.2.1, and
// the phone's own captive check closes the sheet once the device is let on), the sponsor-code
// page for reception, and the declined page. Pure.
import { escapeHtml, layout, PORTAL_PATH } from '../captive/pages.ts';
import type { PortalView } from '../captive/settings.ts';
import type { Sponsor } from './service.ts';
import type { VisitorRequest } from './schema.ts';

export const REGISTER_PATH = `${PORTAL_PATH}/register`;
export const WAITING_PATH = `${PORTAL_PATH}/waiting`;
export const SPONSOR_CODE_PATH = `${PORTAL_PATH}/sponsor-code`;

export type RegisterFields = Partial<Record<'name' | 'organisation' | 'purpose' | 'sponsorId' | 'email' | 'phone', string>>;

export interface RegisterFormState {
  values?: RegisterFields;
  errors?: Partial<Record<keyof RegisterFields | 'accept', string>>;
  message?: string;
  /** The terms box was ticked (for this version): a form sent back keeps the tick. */
  accepted?: boolean;
}

function field(id: keyof RegisterFields, label: string, state: RegisterFormState, input: (attrs: string) => string, hint?: string): string {
  const error = state.errors?.[id];
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attrs = `id="${id}" name="${id}"${described ? ` aria-describedby="${described}"` : ''}${error ? ' aria-invalid="true"' : ''}`;
  return `<label for="${id}">${escapeHtml(label)}</label>
${input(attrs)}
${hint ? `<p class="hint" id="${id}-hint">${escapeHtml(hint)}</p>` : ''}${error ? `<p class="field-error" id="${id}-error">${escapeHtml(error)}</p>` : ''}`;
}

export function registerPage(view: PortalView, sponsors: readonly Sponsor[], state: RegisterFormState = {}): string {
  const v = state.values ?? {};
  const text = (id: keyof RegisterFields, type = 'text', extra = '') => (attrs: string) =>
    `<input type="${type}" ${attrs} value="${escapeHtml(v[id] ?? '')}" ${extra}>`;
  const options = sponsors.map((s) => `<option value="${s.id}"${String(s.id) === v.sponsorId ? ' selected' : ''}>${escapeHtml(s.name)}</option>`).join('');
  const alert = state.message ? `<div class="alert" role="alert"><p>${escapeHtml(state.message)}</p></div>` : '';
  const acceptError = state.errors?.accept ? `<p class="field-error" id="accept-error">${escapeHtml(state.errors.accept)}</p>` : '';
  return layout(view, 'Register as a visitor', `<h1>Register as a visitor</h1>
${alert}<p>Tell us who you are and who you are visiting. They will be asked to let you on the guest Wi-Fi.</p>
<form method="post" action="${REGISTER_PATH}" class="reg" novalidate>
${field('name', 'Your full name', state, text('name', 'text', 'autocomplete="name" maxlength="120" required'))}
${field('organisation', 'Organisation', state, text('organisation', 'text', 'autocomplete="organization" maxlength="120" required'), 'Your school, company or council, or "parent".')}
${field('purpose', 'Purpose of your visit', state, (attrs) => `<textarea ${attrs} rows="2" maxlength="300" required>${escapeHtml(v.purpose ?? '')}</textarea>`)}
${field('sponsorId', 'Who you are visiting', state, (attrs) => `<select ${attrs} required><option value="">Choose a member of staff</option>${options}</select>`, 'Type the first letter of their name to jump to it.')}
${field('email', 'E-mail (optional)', state, text('email', 'email', 'autocomplete="email" maxlength="254"'))}
${field('phone', 'Phone (optional)', state, text('phone', 'tel', 'autocomplete="tel" maxlength="40"'))}
<h2 id="terms-title">Terms of use</h2>
<section class="terms" aria-labelledby="terms-title" tabindex="0">
${view.terms.text.split(/\n\s*\n/).map((p) => `<p>${escapeHtml(p.trim())}</p>`).join('\n')}
</section>
<div class="check">
<input type="checkbox" id="accept" name="accept" value="${escapeHtml(view.terms.version)}" required${state.accepted ? ' checked' : ''}${acceptError ? ' aria-describedby="accept-error" aria-invalid="true"' : ''}>
<label for="accept">I accept these terms (version <span class="nw">${escapeHtml(view.terms.version)}</span>)</label>
</div>
${acceptError}
<button type="submit">Ask to go online</button>
</form>
<p>Have a code? <a href="${PORTAL_PATH}">Sign in with your code</a>.</p>`);
}

export function waitingPage(view: PortalView, request: VisitorRequest, message?: string): string {
  const sponsor = escapeHtml(request.visitor.sponsorName ?? 'your sponsor');
  const alert = message ? `<div class="alert" role="alert"><p>${escapeHtml(message)}</p></div>` : '';
  return layout(view, 'Waiting for approval', `<h1>Waiting for ${sponsor} to approve</h1>
${alert}<div class="ok" role="status"><p>Thank you, ${escapeHtml(request.visitor.name)}. ${sponsor} has been asked to let you on. When they have, this device goes online: your phone may close this page by itself.</p></div>
<p><a href="${WAITING_PATH}">Check again</a></p>
<h2>At reception with ${sponsor}?</h2>
<p><a href="${SPONSOR_CODE_PATH}">Let ${sponsor} type their sponsor code</a> on this device to let you on at once.</p>`);
}

export function declinedPage(view: PortalView, request: VisitorRequest): string {
  const what = request.state === 'lapsed' ? 'Your request was not answered in time.' : request.state === 'withdrawn' ? 'Your guest Wi-Fi access has been ended.' : 'Your request was not approved.';
  return layout(view, 'Not approved', `<h1>You are not on the guest Wi-Fi</h1>
<div class="alert" role="alert"><p>${escapeHtml(what)} Please ask at reception.</p></div>
<p><a href="${REGISTER_PATH}">Register again</a> or <a href="${PORTAL_PATH}">sign in with a code</a>.</p>`);
}

export function sponsorCodePage(view: PortalView, request: VisitorRequest, message?: string): string {
  const sponsor = escapeHtml(request.visitor.sponsorName ?? 'your sponsor');
  const alert = message ? `<div class="alert" role="alert"><p>${escapeHtml(message)}</p></div>` : '';
  return layout(view, 'Sponsor code', `<h1>Approve ${escapeHtml(request.visitor.name)}</h1>
${alert}<p>For ${sponsor}: type your personal sponsor code to let this visitor on the guest Wi-Fi until the end of today.</p>
<form method="post" action="${SPONSOR_CODE_PATH}" class="reg">
<label for="sponsor-code">Sponsor code</label>
<input type="password" id="sponsor-code" name="code" inputmode="numeric" autocomplete="off" maxlength="12" required>
<button type="submit">Approve</button>
</form>
<p><a href="${WAITING_PATH}">Back to waiting</a></p>`);
}
