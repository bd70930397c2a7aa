// What every CLI command has: its help, its options, and how it runs. Shared helpers for the
// options most commands take.
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { CONTROL_SOCKET_NAME } from '../control/protocol.ts';

/** Exit codes a script on the technician's side can rely on. */
// rolledBack: an upgrade's release was rolled back and the previous one answers again (upgrade.ts).
export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3, invalidInput: 4, rolledBack: 5 } as const;

export const DEFAULT_DATA_DIR = '/var/lib/schoolgate';

export class UsageError extends Error {}

// A string[] for an option declared `multiple` (given once per value, e.g. --device A --device B).
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command takes positional arguments (others refuse them). */
  positionals?: boolean;
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

export const dataDirOption = { 'data-dir': { type: 'string' as const, short: 'd' } };
export const dataDirHelp = `  -d, --data-dir DIR   the daemon's data directory (default: $SCHOOLGATE_DATA_DIR or ${DEFAULT_DATA_DIR})`;

export function dataDirOf(values: Record<string, unknown>): string {
  const given = values['data-dir'];
  return resolve(typeof given === 'string' ? given : process.env.SCHOOLGATE_DATA_DIR ?? DEFAULT_DATA_DIR);
}

export function socketOf(values: Record<string, unknown>): string {
  return resolve(dataDirOf(values), CONTROL_SOCKET_NAME);
}

/** A command's result: the JSON with --json (for scripts), the human text otherwise. */
export function printResult(values: OptionValues, json: unknown, human: string): void {
  process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : human);
}

/** A record's number as typed ("12" or "#12"); `what` names it in the usage error ("an incident"). */
export function recordNumber(text: string | undefined, what: string): number {
  const n = Number((text ?? '').replace(/^#/, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${text ?? ''}" is not ${what} number`);
  return n;
}

/** Every value of an option declared `multiple`, in the order given (none when it was not given). */
export function stringsOption(values: OptionValues, option: string): string[] {
  const value = values[option];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** A string option's value, or undefined when it was not given. */
export function stringOption(values: OptionValues, option: string): string | undefined {
  const value = values[option];
  return typeof value === 'string' ? value : undefined;
}
