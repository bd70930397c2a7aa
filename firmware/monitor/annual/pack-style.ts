// The annual pack's one stylesheet, inline in the document so the file stands alone (saved,
// e-mailed, printed), and its CSP hash: the admin API serves the pack with a policy that allows
// this style and nothing else, so nothing in the document runs or loads.
import { createHash } from 'node:crypto';

export const PACK_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .5rem; padding-bottom: .2rem; border-bottom: 2px solid #1d4f91; color: #1d4f91; }
h3 { font-size: 1.08rem; margin: 1.25rem 0 .4rem; }
p, li { max-width: 48rem; }
.cover { border-bottom: 4px solid #1d4f91; padding-bottom: 1rem; margin-bottom: 1rem; }
.cover .school { font-size: 1.25rem; font-weight: 600; margin: 0; }
.meta { color: #444; margin: .2rem 0; }
.summary { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: .5rem; margin: 1rem 0; padding: 0; list-style: none; }
.summary li { border: 1px solid #c8d3e3; border-left: 4px solid #1d4f91; padding: .45rem .6rem; background: #f5f8fc; }
.summary li.bad { border-left-color: #b00020; background: #fdf2f4; }
.summary strong { display: block; font-size: 1.15rem; }
.toc ol { columns: 2; padding-left: 1.2rem; }
.toc li { margin: .15rem 0; }
.toc a { display: inline-block; min-height: 24px; padding: .1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .92em; }
.table-box { max-width: 100%; overflow-x: auto; }
.table-box:focus-visible { outline: 3px solid #1d4f91; outline-offset: 2px; }
body { overflow-wrap: break-word; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; caption-side: top; }
th, td { border: 1px solid #b9c2cf; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #e8eef6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .86em; overflow-wrap: anywhere; }
.ok { color: #0b6b2f; font-weight: 600; }
.fail { color: #b00020; font-weight: 600; }
.muted { color: #555; }
.none { font-style: italic; color: #444; border-left: 3px solid #b9c2cf; padding-left: .6rem; }
.d-acceptable, .d-unacceptable, .d-unacceptable-and-illegal, .d-acceptable-at-certain-times, .d-acceptable-for-nominated-users { display: block; padding: 0 .25rem; }
.d-acceptable { background: #eaf6ee; }
.d-unacceptable { background: #fbeaea; }
.d-unacceptable-and-illegal { background: #f3d6d6; font-weight: 600; }
.d-acceptable-at-certain-times, .d-acceptable-for-nominated-users { background: #fff6dd; }
.sign { border: 1px solid #b9c2cf; padding: .6rem; margin: .5rem 0; break-inside: avoid; }
.sign .lines { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; margin-top: .6rem; }
.sign .lines span { flex: 1 1 10rem; border-bottom: 1px solid #333; padding-top: 1.2rem; font-size: .85em; color: #444; }
.sign .lines span.date { flex: 0 1 8rem; }
footer { margin-top: 2rem; color: #555; font-size: .85em; border-top: 1px solid #b9c2cf; padding-top: .5rem; }
@media (max-width: 40rem) { body { padding: .75rem; } .toc ol { columns: 1; } table { font-size: .85em; } }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .table-box { overflow: visible; }
  section.part { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, .summary li { break-inside: avoid; }
  thead { display: table-header-group; }
  .summary li, th, .d-acceptable, .d-unacceptable, .d-unacceptable-and-illegal, .d-acceptable-at-certain-times, .d-acceptable-for-nominated-users { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

/** The value for style-src: this stylesheet's hash, so the browser applies it and nothing else. */
export const PACK_STYLE_HASH = `'sha256-${createHash('sha256').update(PACK_CSS).digest('base64')}'`;

/** The policy the pack is served with: no script, no loads, only its own style. */
export const PACK_CSP = `default-src 'none'; style-src ${PACK_STYLE_HASH}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
