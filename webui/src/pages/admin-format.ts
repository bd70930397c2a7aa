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

/** Seconds from a number and a unit the person chose ("3" "days"). */
export const DURATION_UNITS = [
  { value: '3600', label: 'hours' },
  { value: '86400', label: 'days' },
  { value: '604800', label: 'weeks' },
] as const;
