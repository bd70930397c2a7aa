import type { Migration } from '../migrate.ts';

// Migrations 14 (weekly reviews), 15 (incidents) and 16 (governor reports) are written on their
// own branches; the list must run 1..n, so this branch holds their numbers with empty steps until
// the merge replaces these three with the real ones. Never released: a file that ran these would
// skip the real 14-16.
const reserved = (version: number, name: string): Migration => ({ version, name: `${name} (reserved; replaced at merge)`, up: 'SELECT 1;' });
export const m014 = reserved(14, 'weekly reviews');
export const m015 = reserved(15, 'incidents');
export const m016 = reserved(16, 'governor reports');
