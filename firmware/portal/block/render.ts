// The block page as HTML, in two voices: short sentences for a child on pupil networks, the
// category, lists, policy and any opening time for staff and the other networks. Pure. The name
// is inert text (escaped, never a link) and absent for a restricted list.
import { escapeHtml as e, page } from '../html.ts';
import { CHILD_FALLBACK, CHILD_WORDS } from './child-words.ts';
import type { BlockView } from './view.ts';

export const REPORT_PATH = '/_schoolgate/report';
export const REQUEST_PATH = '/_schoolgate/request';

export function renderBlockPage(view: BlockView, siteName: string, token: string): string {
  return page('Blocked', siteName, view.voice === 'pupil' ? pupilBody(view, token) : staffBody(view, token));
}

function nameLine(view: BlockView): string {
  return view.name === null ? '' : `<p class="name" id="blocked-name">${e(view.name)}</p>\n`;
}

function pupilBody(view: BlockView, token: string): string {
  const what = view.restricted
    ? '<h1>This address is blocked.</h1>'
    : `<h1>This website is blocked at school.</h1>\n${nameLine(view)}<p id="why">${e((view.category && CHILD_WORDS[view.category]) || CHILD_FALLBACK)}</p>`;
  return `${what}
<p><strong>If you think this is a mistake, tell your teacher.</strong></p>
<h2>Tell us about this website</h2>
<form method="post" action="${REPORT_PATH}">
<input type="hidden" name="token" value="${e(token)}">
<fieldset>
<legend>Should it be blocked?</legend>
<label><input type="radio" name="kind" value="should-not-be-blocked" checked> No, it should not be blocked</label>
<label><input type="radio" name="kind" value="should-be-blocked"> Yes, it is right that it is blocked</label>
</fieldset>
<label for="comment">Anything else? (you can leave this empty)</label>
<textarea id="comment" name="comment" maxlength="500"></textarea>
<p><button type="submit">Send</button></p>
</form>`;
}

function staffBody(view: BlockView, token: string): string {
  if (view.restricted) {
    return `<h1>This address is blocked.</h1>
<p>It is on a list the school is required to block on every network. No exception can allow it.</p>
${reportForm(token, 'Report this')}`;
  }
  const rows: string[] = [];
  if (view.categoryTitle) rows.push(`<dt>Category</dt><dd id="category">${e(view.categoryTitle)}</dd>`);
  if (view.lists.length > 0) rows.push(`<dt>List</dt><dd>${view.lists.map(e).join(', ')}</dd>`);
  if (view.policy) rows.push(`<dt>Policy</dt><dd>${e(view.policy)}</dd>`);
  if (view.exception) rows.push('<dt>Rule</dt><dd>an exception set for this site by the school</dd>');
  else if (view.rule) rows.push(`<dt>Rule</dt><dd>${e(view.rule)}</dd>`);
  if (view.opensAt) rows.push(`<dt>Allowed from</dt><dd id="opens">${e(view.opensAt)}</dd>`);
  const request = view.canRequestAccess ? `
<h2>Request access</h2>
<p class="muted">For a site you need for teaching or work. The request is recorded for the school's online-safety lead.</p>
<form method="post" action="${REQUEST_PATH}">
<input type="hidden" name="token" value="${e(token)}">
<label for="reason">Why do you need it?</label>
<textarea id="reason" name="reason" maxlength="500" required></textarea>
<p><button type="submit">Request access</button></p>
</form>` : '';
  return `<h1>This site is blocked on the school network.</h1>
${nameLine(view)}<dl>
${rows.join('\n')}
</dl>
${request}
${reportForm(token, 'Report this')}`;
}

function reportForm(token: string, heading: string): string {
  return `<h2>${e(heading)}</h2>
<form method="post" action="${REPORT_PATH}">
<input type="hidden" name="token" value="${e(token)}">
<fieldset>
<legend>This site</legend>
<label><input type="radio" name="kind" value="should-not-be-blocked" checked> should not be blocked</label>
<label><input type="radio" name="kind" value="should-be-blocked"> should be blocked (it is rightly blocked, and I want the school to know)</label>
</fieldset>
<label for="comment">Comment (optional)</label>
<textarea id="comment" name="comment" maxlength="500"></textarea>
<p><button type="submit">Send report</button></p>
</form>`;
}

/** After a send: a short answer in the same voice. */
export function renderSent(voice: 'pupil' | 'staff', what: 'report' | 'request', siteName: string): string {
  const body = voice === 'pupil'
    ? '<h1>Thank you.</h1>\n<p>Your message has been sent to the school.</p>\n<p>You can also tell your teacher.</p>'
    : what === 'report'
      ? '<h1>Report sent</h1>\n<p>Your report has been recorded and sent to the school\'s online-safety lead.</p>'
      : '<h1>Request recorded</h1>\n<p>Your request for access has been recorded for the school\'s online-safety lead.</p>';
  return page('Sent', siteName, body);
}

export function renderRefused(voice: 'pupil' | 'staff', why: 'limit' | 'stale' | 'invalid', siteName: string): string {
  const text = why === 'limit'
    ? (voice === 'pupil' ? 'You have sent a lot of messages. Please tell your teacher instead.' : 'Too many reports from this device in the last hour. Please try again later.')
    : why === 'stale'
      ? (voice === 'pupil' ? 'This page is too old. Please go back and try again.' : 'This form has expired or did not come from this gateway. Open the page again and resend.')
      : (voice === 'pupil' ? 'Something was wrong with the message. Please go back and try again.' : 'The form was incomplete or too long. Go back and try again.');
  return page('Not sent', siteName, `<h1>Not sent</h1>\n<p>${e(text)}</p>`);
}
