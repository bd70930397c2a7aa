// Formats the devices, lists, accounts and audit pages share (pure).
import { ApiRequestError } from '../api.ts';

/** An instant in the school's time zone, to the minute; a dash for none. */
export function when(iso: string | null | undefined, timezone: string): string {
  if (iso === null || iso === undefined) return '—';
  return new Date(iso).toLocaleString('en-GB', { timeZone: timezone, dateStyle: 'medium', timeStyle: 'short' });
}

/** The server's message per field, and the rest as one message for the notice. */
export function errorsOf(error: unknown): { fields: Record<string, string>; message: string } {
  if (error instanceof ApiRequestError) return { fields: error.fields, message: error.message };
  return { fields: {}, message: error instanceof Error ? error.message : String(error) };
}

/** The server's message ("nothing was saved: …") as a sentence for a notice: capital first, full stop last. */
export function asSentence(message: string): string {
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

/** Seconds from a number and a unit the person chose ("3" "days"). */
export const DURATION_UNITS = [
  { value: '3600', label: 'hours' },
  { value: '86400', label: 'days' },
  { value: '604800', label: 'weeks' },
] as const;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/**
 * An audit entry's details as "key: value" lines, for the printed log: nested keys joined with
 * dots ("window.from: 12:00"), a list of plain values on one line, a list of objects numbered
 * from 1, an instant in the school's time zone, an empty text as "(empty)". Long values are cut,
 * saying so; the screen keeps the JSON, which the CLI prints too.
 */
export function detailLines(value: unknown, options: { max?: number; timezone?: string } = {}): string[] {
  const max = options.max ?? 120;
  const lines: string[] = [];
  const text = (v: unknown): string => {
    const s = typeof v === 'string'
      ? (v === '' ? '(empty)' : options.timezone !== undefined && INSTANT.test(v) ? when(v, options.timezone) : v)
      : v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const plain = (v: unknown) => v === null || typeof v !== 'object';
  const walk = (v: unknown, key: string): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) lines.push(`${key}: none`);
      else if (v.every(plain)) lines.push(`${key}: ${text(v.map((x) => text(x)).join(', '))}`);
      else v.forEach((x, i) => walk(x, `${key} ${i + 1}`));
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 0 && key !== '') lines.push(`${key}: none`);
      for (const [k, x] of entries) walk(x, key === '' ? k : `${key}.${k}`);
    } else {
      lines.push(key === '' ? text(v) : `${key}: ${text(v)}`);
    }
  };
  if (value !== null && value !== undefined) walk(value, '');
  return lines;
}
