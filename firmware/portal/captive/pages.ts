// The visitor's pages, rendered on the server: they must work in a phone's captive sheet, which
// may run no script at all, so there is none (the CSP forbids it). Mobile-first, one column,
// large targets, real labels, messages in a role="alert" region. Pure: text in, HTML out.
import { LOGO_IMG } from '../logo-route.ts';
import type { PortalView } from './settings.ts';

export const PORTAL_PATH = '/portal';
export const STYLE_PATH = '/portal/style.css';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const PORTAL_CSS = `
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#f4f6f8}
header{background:#12355b;color:#fff;padding:1rem 1.25rem;display:flex;align-items:center;gap:.75rem}
header .logo{height:3rem;width:auto;max-width:40%;object-fit:contain;background:#fff;padding:.2rem;border-radius:.25rem}
.nw{white-space:nowrap}
header p{margin:0;font-weight:600;font-size:1.125rem}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input[type=text]{width:100%;font:inherit;font-size:1.25rem;letter-spacing:.08em;padding:.7rem;border:2px solid #5a6570;border-radius:.4rem;text-transform:uppercase}
input[type=text]:focus,button:focus,a:focus,summary:focus{outline:3px solid #f2b600;outline-offset:2px}
.check{display:flex;gap:.6rem;align-items:flex-start;margin:1rem 0}
.check input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none}
.check label{margin:0;font-weight:400}
button{display:block;width:100%;font:inherit;font-weight:700;padding:.85rem;border:0;border-radius:.4rem;background:#12355b;color:#fff;margin-top:1rem;cursor:pointer}
button.secondary{background:#fff;color:#12355b;border:2px solid #12355b}
.terms{background:#fff;border:1px solid #c9d1d9;border-radius:.4rem;padding:.25rem 1rem;max-height:16rem;overflow:auto}
.alert{background:#fdecea;border-left:6px solid #b3261e;padding:.75rem 1rem;margin:0 0 1rem}
.ok{background:#e7f4ea;border-left:6px solid #1e7b34;padding:.75rem 1rem;margin:0 0 1rem}
.big{font-size:1.5rem;font-weight:700}
a{color:#0b4f9c}
form.reg input[type=text],form.reg input[type=email],form.reg input[type=tel],form.reg input[type=password],form.reg select,form.reg textarea{width:100%;font:inherit;padding:.6rem;border:2px solid #5a6570;border-radius:.4rem;text-transform:none;letter-spacing:normal;font-size:1.0625rem;background:#fff}
form.reg input:focus,form.reg select:focus,form.reg textarea:focus{outline:3px solid #f2b600;outline-offset:2px}
.hint{margin:.25rem 0 0;font-size:.95rem;color:#4a545e}
.field-error{margin:.25rem 0 0;color:#b3261e;font-weight:600}
footer{max-width:34rem;margin:0 auto;padding:0 1.25rem 2rem;font-size:.9rem;color:#4a545e}
`;

export function layout(view: PortalView, title: string, body: string): string {
  const privacy = view.privacyNoticeUrl ? `<p><a href="${escapeHtml(view.privacyNoticeUrl)}">Privacy notice</a></p>` : '';
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(view.siteName)} guest Wi-Fi</title>
<link rel="stylesheet" href="${STYLE_PATH}">
</head>
<body>
<header>${view.logo ? LOGO_IMG : ''}<p>${escapeHtml(view.siteName)} · <span class="nw">Guest Wi-Fi</span></p></header>
<main>
${body}
</main>
<footer>${privacy}</footer>
</body>
</html>
`;
}

function paragraphs(text: string): string {
  return text.split(/\n\s*\n/).map((p) => `<p>${escapeHtml(p.trim())}</p>`).join('\n');
}

/** "16:30", or "Tue 8 Dec, 16:30" when it is not today, in the school's time zone. */
export function untilText(until: Date, now: Date, timezone: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit' }).format(until);
  const day = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric' }).format(d);
  if (day(until) === day(now)) return time;
  return `${new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short' }).format(until)}, ${time}`;
}

/** "2 hours 5 minutes", "45 minutes", "less than a minute". */
export function durationText(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return 'less than a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const part = (n: number, unit: string) => (n > 0 ? [`${n} ${unit}${n === 1 ? '' : 's'}`] : []);
  return [...part(days, 'day'), ...part(hours, 'hour'), ...(days > 0 ? [] : part(mins, 'minute'))].join(' ');
}

export interface CodeFormState {
  message?: string;
  code?: string;
}

export function codePage(view: PortalView, state: CodeFormState = {}): string {
  const alert = state.message ? `<div class="alert" role="alert"><p>${escapeHtml(state.message)}</p></div>` : '';
  return layout(view, 'Sign in with your code', `<h1>Sign in with your code</h1>
${alert}<p>No code? <a href="${PORTAL_PATH}/register">Register as a visitor</a> and the member of staff you are visiting lets you on.</p>
<p>Have a code from reception? Type it here. Capital letters and dashes do not matter.</p>
<form method="post" action="${PORTAL_PATH}">
<label for="code">Your code</label>
<input type="text" id="code" name="code" value="${escapeHtml(state.code ?? '')}" autocomplete="off" autocapitalize="characters" autocorrect="off" spellcheck="false" maxlength="40" required aria-describedby="code-hint">
<p id="code-hint">It looks like this: KXM4P-7TRAW-9HCDE</p>
<h2 id="terms-title">Terms of use</h2>
<section class="terms" aria-labelledby="terms-title" tabindex="0">
${paragraphs(view.terms.text)}
</section>
<div class="check">
<input type="checkbox" id="accept" name="accept" value="${escapeHtml(view.terms.version)}" required>
<label for="accept">I accept these terms (version <span class="nw">${escapeHtml(view.terms.version)}</span>)</label>
</div>
<button type="submit">Go online</button>
</form>`);
}

export function successPage(view: PortalView, until: Date, now: Date): string {
  return layout(view, 'You are online', `<h1>You are online</h1>
<div class="ok" role="status"><p class="big">You're online until ${escapeHtml(untilText(until, now, view.timezone))}</p></div>
<p>You can close this page. To see how long you have left, or to sign out, open <a href="${PORTAL_PATH}">your guest Wi-Fi page</a>.</p>`);
}

export function sessionPage(view: PortalView, until: Date, now: Date, secondsLeft: number): string {
  return layout(view, 'Your guest Wi-Fi', `<h1>Your guest Wi-Fi</h1>
<div class="ok" role="status"><p>You're online until <strong>${escapeHtml(untilText(until, now, view.timezone))}</strong> (${escapeHtml(durationText(secondsLeft))} left).</p></div>
<p>When you have finished, sign out: this device loses its access at once and your code's place is free for another of your devices.</p>
<form method="post" action="${PORTAL_PATH}/sign-out">
<button type="submit" class="secondary">Sign out of the guest Wi-Fi</button>
</form>`);
}

export function signedOutPage(view: PortalView): string {
  return layout(view, 'Signed out', `<h1>You have signed out</h1>
<div class="ok" role="status"><p>This device is no longer on the guest Wi-Fi.</p></div>
<p><a href="${PORTAL_PATH}">Sign in again</a> with your code while it is still valid.</p>`);
}
