// The few pieces the pack's HTML is built from: escaping (every value from a store or the
// configuration is text, never markup), tables, and dates in the school's time zone.

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/g;

export function esc(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!);
}

/** Already-escaped markup, so a cell can hold a class or a line break. */
export interface Html { html: string }
export const raw = (html: string): Html => ({ html });
const cell = (value: unknown): string => (typeof value === 'object' && value !== null && 'html' in value ? (value as Html).html : esc(value));

export interface Column<T> {
  label: string;
  value: (row: T) => unknown;
  num?: boolean;
  nowrap?: boolean;
}

export function table<T>(caption: string, columns: readonly Column<T>[], rows: readonly T[]): string {
  const head = columns.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  const classes = columns.map((c) => [c.num ? 'num' : '', c.nowrap ? 'nowrap' : ''].filter(Boolean).join(' '));
  const body: string[] = [];
  for (const row of rows) {
    let tr = '<tr>';
    for (let i = 0; i < columns.length; i++) tr += classes[i] ? `<td class="${classes[i]}">${cell(columns[i]!.value(row))}</td>` : `<td>${cell(columns[i]!.value(row))}</td>`;
    body.push(`${tr}</tr>`);
  }
  // The box scrolls a wide table on a phone instead of the page; a keyboard reaches it (tabindex).
  return `<div class="table-box" role="region" tabindex="0" aria-label="${esc(caption)}"><table><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

export const none = (text: string): string => `<p class="none">${esc(text)}</p>`;

export interface Dates {
  /** "7 Dec 2026" */
  day: (iso: string | Date) => string;
  /** "7 Dec 2026, 11:48" */
  time: (iso: string | Date) => string;
  /** "Dec 2026" */
  month: (iso: string | Date) => string;
  /** "2026-12" in the school's time zone, for grouping. */
  monthKey: (iso: string | Date) => string;
}

/** Formatters made once per document: building an Intl formatter costs more than formatting. */
export function datesIn(timezone: string): Dates {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric' });
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const month = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, month: 'short', year: 'numeric' });
  const key = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit' });
  const asDate = (v: string | Date): Date => (typeof v === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T12:00:00Z` : v) : v);
  return {
    day: (v) => day.format(asDate(v)),
    time: (v) => time.format(asDate(v)),
    month: (v) => month.format(asDate(v)),
    monthKey: (v) => key.format(asDate(v)).slice(0, 7),
  };
}

export const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${Math.floor((part / whole) * 1000) / 10}%`);
