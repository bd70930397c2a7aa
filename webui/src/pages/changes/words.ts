// Change control's words on the pages, pure. The statuses' words are the ones every surface shows
// (change-schema.ts's STATUS_LABELS); they are repeated as a Record over the status type because
// the UI imports only types from the firmware, so a new status fails the type check until named.
import type { ChangeStatus, ChangeStep, ConfigEdit, Proposal } from '../../../../firmware/admin/api/changes-schema.ts';

export const STATUS_WORDS: Readonly<Record<ChangeStatus, string>> = {
  'awaiting-approval': 'Awaiting approval',
  approved: 'Approved: to be applied',
  applied: 'Applied here',
  'sent-upstream': 'Sent to the filtering provider',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
};

export const STEP_WORDS: Readonly<Record<ChangeStep['kind'], string>> = {
  approved: 'Approved',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  applied: 'Applied here',
  'sent-upstream': 'Sent to the filtering provider',
  'apply-failed': 'Applying was refused',
};

/**
 * A step's reference as the page names it: the exception an applied request made ("exception
 * ex-12"), the investigation it started ("investigation 7": the gateway's reference is
 * "investigation-7"), or the filtering provider's own ("reference ABC-1").
 */
export function referenceWords(step: Pick<ChangeStep, 'kind' | 'reference'>, kind: Proposal['kind']): { what: string; reference: string } {
  const reference = step.reference ?? '';
  if (step.kind !== 'applied') return { what: 'reference', reference };
  return kind === 'investigation' ? { what: 'investigation', reference: reference.replace(/^investigation-/, '') } : { what: 'exception', reference };
}

/** A request still to be decided or applied. */
export const isOpen = (status: ChangeStatus): boolean => status === 'awaiting-approval' || status === 'approved';

/** "2 days 3 hours", "45 minutes", "under a minute": the time from a request to its decision. */
export function duration(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const units: [number, string][] = [[86_400, 'day'], [3600, 'hour'], [60, 'minute']];
  const parts: string[] = [];
  let left = seconds;
  for (const [size, name] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    else if (parts.length > 0) break;
  }
  return parts.join(' ');
}

/** A configuration value as an edit shows it: JSON, "nothing" where the value is absent. */
export function editValue(value: ConfigEdit['before']): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}

/**
 * The instant a day ends in the school's time zone ("2026-12-19" in Europe/London → 23:59:59 that
 * day there), the expiry an exception "until 19 December" means wherever the browser is.
 */
export function endOfDay(date: string, timezone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (m === null) throw new RangeError(`not a date: ${date}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  // The zone's offset from UTC at about that time; asked twice so a clock change that day lands right.
  const offsetAt = (instant: number): number => {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
    return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - instant;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first)).toISOString();
}

/** The value of a query parameter of the page's address. */
export function param(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}

/** Every value of a query parameter given more than once (?device=A&device=B). */
export function params(search: string, name: string): string[] {
  return new URLSearchParams(search).getAll(name);
}

/**
 * The server's messages keyed by the request's JSON paths ("proposal/domain") turned into the
 * form's field names ("domain"); anything else keeps its own name.
 */
export function formErrors(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const name = path.replace(/^proposal\//, '').replace(/^expires$/, 'until').replace(/\/\d+$/, '');
    out[name] = out[name] ? `${out[name]}; ${message}` : message;
  }
  return out;
}
