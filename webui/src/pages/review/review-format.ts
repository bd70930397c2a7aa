// Words and times the review's pages share.
import type { DueReason } from '../../../../firmware/monitor/review/review-schema.ts';

export const DUE_TEXT: Readonly<Record<DueReason, string>> = {
  'filtering-change': 'Filtering changed',
  'firmware-update': 'Firmware updated',
  'new-network': 'Network added',
  'byod-enabled': 'Guest network switched on',
  incident: 'Incident',
};

export function when(iso: string, tz: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });
}

export function longWeek(week: string): string {
  return new Date(`${week}T12:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' });
}
