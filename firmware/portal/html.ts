// The page frame every answer of the web surface shares: one stylesheet, allowed by its hash (the
// CSP has no inline scripts and no 'unsafe-inline'), mobile first, and print-friendly (forms are
// not printed). Text is always escaped here: names and comments come from the network.
import { createHash } from 'node:crypto';
import { LOGO_IMG } from './logo-route.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root{color-scheme:light;--ink:#1b1b1b;--muted:#505a5f;--brand:#1d4f91;--line:#b1b4b6;--bg:#f3f2f1}
*{box-sizing:border-box}
body{margin:0;font:1.125rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{background:var(--brand);color:#fff;padding:.75rem 1rem;font-weight:600;display:flex;align-items:center;gap:.75rem}
header .logo{height:3rem;width:auto;max-width:40%;object-fit:contain;background:#fff;padding:.2rem;border-radius:.25rem}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:60vh}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.name{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.05rem;background:var(--bg);padding:.4rem .6rem;border-left:4px solid var(--brand);overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
form{margin-top:.5rem;padding:1rem;border:1px solid var(--line)}
fieldset{border:0;padding:0;margin:0 0 .75rem}
legend{font-weight:600;margin-bottom:.25rem}
label{display:block;margin:.35rem 0}
textarea{width:100%;min-height:5rem;font:inherit;padding:.4rem}
button{font:inherit;font-weight:600;color:#fff;background:var(--brand);border:0;padding:.6rem 1.2rem;min-height:44px;cursor:pointer}
.muted{color:var(--muted);font-size:.95rem}
footer{max-width:40rem;margin:0 auto;padding:.75rem 1rem;color:var(--muted);font-size:.9rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}
@media print{body{background:#fff}header{color:#000;background:#fff;border-bottom:2px solid #000}form{display:none}main{min-height:0}}
`;

const STYLE_HASH = createHash('sha256').update(CSS).digest('base64');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  // Same-origin, not no-referrer: the surface's own forms then carry their true Origin (under
  // no-referrer a browser sends "null", which cannot be told from another site's sandboxed frame).
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // A block page answers under the blocked site's name: a browser must never keep it as that site.
  'cache-control': 'no-store',
};

const FRAME_HEADER = '<header>';

/**
 * The page with the school's logo in its header. Every surface handler renders through page(),
 * and whether a logo is stored is a fact of the data directory, not of each handler: the surface
 * adds it to whatever page a handler answered. The frame's header comes before the body, so the
 * first <header> is always the frame's (and body text is escaped: it has no tags of its own).
 */
export function withLogo(html: string): string {
  const at = html.indexOf(FRAME_HEADER);
  return at < 0 ? html : `${html.slice(0, at + FRAME_HEADER.length)}${LOGO_IMG}${html.slice(at + FRAME_HEADER.length)}`;
}

/** A whole page; `body` is already-escaped HTML. */
export function page(title: string, siteName: string, body: string): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · ${escapeHtml(siteName)}</title>
<style>${CSS}</style>
</head>
<body>
${FRAME_HEADER}${escapeHtml(siteName)}</header>
<main>
${body}
</main>
<footer>${escapeHtml(siteName)} · school Wi-Fi</footer>
</body>
</html>
`;
}
