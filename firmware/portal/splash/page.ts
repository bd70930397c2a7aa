// The AUP splash's pages (pure), in two voices like the block page: on pupil networks short
// sentences a seven-year-old can read, with the school's pupil AUP (or the built-in one); on the
// other networks the school's AUP as written. Both say plainly that use is monitored, which is the
// point of the splash (POLICY-NOTES: every user is told). Server-rendered, no scripts: a phone's
// captive-portal sheet is a limited browser.
import type { AupSettings } from '../../config/aup-schema.ts';
import type { NetworkKind } from '../../config/schema.ts';
import { escapeHtml as e, page } from '../html.ts';

export const ACCEPT_PATH = '/_schoolgate/aup';

export type SplashVoice = 'pupil' | 'adult';

export const voiceFor = (kind: NetworkKind): SplashVoice => (kind === 'pupil' ? 'pupil' : 'adult');

/** The pupils' AUP when the school has not written its own: the usual primary "I will" rules. */
export const BUILTIN_PUPIL_TEXT = [
  'I will use the school’s computers and tablets for my school work.',
  'I will only go on websites my teacher says I can use.',
  'I will be kind to people online.',
  'I will keep my name, address and passwords secret.',
  'If I see something that upsets me, I will tell a grown-up straight away.',
].join('\n\n');

/** The text a network's devices are shown: the pupils' own version on pupil networks. */
export function splashText(aup: AupSettings, voice: SplashVoice): string {
  return voice === 'pupil' ? (aup.pupilText ?? BUILTIN_PUPIL_TEXT) : aup.text;
}

function paragraphs(text: string): string {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '').map((p) => `<p>${e(p)}</p>`).join('\n');
}

export interface SplashPageInput {
  aup: AupSettings;
  voice: SplashVoice;
  siteName: string;
  networkName: string;
  /** Shown beside the button when a form was sent back (a stale version, say). */
  message?: string;
}

export function splashPage(input: SplashPageInput): string {
  const { aup, voice } = input;
  const pupil = voice === 'pupil';
  const heading = pupil ? 'Before you go online' : 'Acceptable use of the school’s Wi-Fi';
  const monitored = pupil
    ? '<p id="monitored"><strong>The school can see which websites you visit.</strong> This keeps everyone safe.</p>'
    : `<p id="monitored"><strong>Your use of this network is logged and monitored.</strong> The names of the sites this device looks up are recorded with the device and kept for the school's retention period, and reviewed by the school each week.</p>`;
  const intro = pupil
    ? '<p>Read these rules with your teacher. Then press the button.</p>'
    : `<p>Please read the school's acceptable use policy (version ${e(aup.version)}) and accept it to use the <strong>${e(input.networkName)}</strong> network on this device.</p>`;
  const button = pupil ? 'I agree to these rules' : 'I accept the acceptable use policy';
  const error = input.message ? `<p class="error" id="aup-error" role="alert"><strong>${e(input.message)}</strong></p>\n` : '';
  return page(heading, input.siteName, `<h1>${heading}</h1>
${intro}
${monitored}
<h2>${pupil ? 'The rules' : `The policy (version ${e(aup.version)})`}</h2>
<div id="aup-text">
${paragraphs(splashText(aup, voice))}
</div>
<form method="post" action="${ACCEPT_PATH}">
<input type="hidden" name="version" value="${e(aup.version)}">
${error}<p><button type="submit">${button}</button></p>
</form>
<p class="muted">${pupil ? 'You only need to do this once this school year.' : 'You are asked once per version of the policy on each device (a new version each autumn).'}</p>`);
}

export function acceptedPage(input: { voice: SplashVoice; siteName: string; version: string }): string {
  const pupil = input.voice === 'pupil';
  return page('Thank you', input.siteName, pupil
    ? '<h1>Thank you</h1>\n<p>You can use the internet now. Remember the rules, and tell a grown-up if something upsets you.</p>'
    : `<h1>Thank you</h1>\n<p>Your acceptance of version ${e(input.version)} is recorded for this device. You can close this page and use the network.</p>`);
}

export function noLeasePage(input: { voice: SplashVoice; siteName: string }): string {
  return page('Ask for help', input.siteName, input.voice === 'pupil'
    ? '<h1>This tablet or computer needs help</h1>\n<p>Please ask your teacher to tell the school\'s IT team.</p>'
    : '<h1>This device cannot accept the policy yet</h1>\n<p>It did not get its address from the school\'s Wi-Fi (DHCP), so its acceptance cannot be recorded. Turn Wi-Fi off and on again; if this page comes back, ask the school\'s IT support.</p>');
}
