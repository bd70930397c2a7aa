// The Networks page's filtering changes in words (pure): which policy a network or a device group
// uses, and when a schedule a policy's row follows is open. A schedule's edits arrive one value
// each (".../windows/0/from"), but an approver reads the schedule as a whole ("Schedule Breaks:
// Mon–Fri 10:30–10:45 → Mon–Fri 10:30–11:00"), so they are folded onto the schedule as it is now.
// Also a network's P2P and hotspot blocks switched off (widening.ts: loosenedBlocks).
import type { Config as FullConfig, Schedule } from '../../config/schema.ts';
import { P2P_BLOCKED_KINDS } from '../../net/reach.ts';
import type { ConfigEdit } from './change-schema.ts';

type Config = Pick<FullConfig, 'networks' | 'deviceGroups' | 'policies' | 'schedules'>;

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_WORDS: Readonly<Record<string, string>> = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

const unescapePointer = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');
const partsOf = (path: string): string[] => path.split('/').slice(1).map(unescapePointer);

/** "Mon–Fri", "Mon, Wed and Fri": three or more days in a row are a span. */
export function daysWords(days: readonly string[]): string {
  const sorted = DAYS.filter((d) => days.includes(d));
  const runs: string[][] = [];
  for (const day of sorted) {
    const run = runs.at(-1);
    if (run !== undefined && DAYS.indexOf(run.at(-1) as typeof DAYS[number]) + 1 === DAYS.indexOf(day)) run.push(day);
    else runs.push([day]);
  }
  const words = runs.flatMap((run) => (run.length >= 3 ? [`${DAY_WORDS[run[0]!]}–${DAY_WORDS[run.at(-1)!]}`] : run.map((d) => DAY_WORDS[d]!)));
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** "Mon–Fri 10:30–10:45; Sat 09:00–12:00 (term time only)". */
export function scheduleTimesWords(schedule: Pick<Schedule, 'windows' | 'termTimeOnly'> | undefined): string {
  if (schedule === undefined) return 'not set';
  const windows = schedule.windows.map((w) => `${daysWords(w.days)} ${w.from}–${w.to}`).join('; ');
  return schedule.termTimeOnly === true ? `${windows} (term time only)` : windows;
}

const policyName = (config: Config, id: unknown): string =>
  (typeof id !== 'string' ? "the network's policy" : config.policies.find((p) => p.id === id)?.name ?? id);

/** A schedule's index when the path is one of its values ("/schedules/2/windows/0/from"), else undefined. */
export function scheduleIndexOf(path: string): number | undefined {
  const parts = partsOf(path);
  return parts[0] === 'schedules' && /^\d+$/.test(parts[1] ?? '') && parts.length > 2 ? Number(parts[1]) : undefined;
}

/** Sets (or removes, for undefined) the value at `keys` under `root`, making the containers on the way. */
function setWithin(root: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let here: Record<string, unknown> | unknown[] = root;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    if (Array.isArray(here)) {
      const index = Number(key);
      if (last) {
        if (value === undefined) here.splice(index, 1);
        else here[index] = value;
        return;
      }
      here[index] ??= /^\d+$/.test(keys[i + 1]!) ? [] : {};
      here = here[index] as Record<string, unknown> | unknown[];
    } else {
      if (last) {
        if (value === undefined) delete here[key];
        else here[key] = value;
        return;
      }
      here[key] ??= /^\d+$/.test(keys[i + 1]!) ? [] : {};
      here = here[key] as Record<string, unknown> | unknown[];
    }
  }
}

/** One schedule's edits as one line: the schedule as it is now, then as the edits leave it. */
export function scheduleLine(index: number, edits: readonly ConfigEdit[], config: Config): string {
  const before = config.schedules[index];
  const after = structuredClone(before ?? { id: '', name: '', windows: [] }) as unknown as Record<string, unknown>;
  for (const edit of edits) setWithin(after, partsOf(edit.path).slice(2), edit.after === undefined ? undefined : structuredClone(edit.after));
  const name = before?.name ?? `number ${index + 1}`;
  return `Schedule ${name}: ${scheduleTimesWords(before)} → ${scheduleTimesWords(after as unknown as Schedule)}`;
}

const BLOCK_FIELDS: Readonly<Record<string, string>> = { p2p: 'peer-to-peer file sharing', tethering: 'hotspots (a device sharing its connection)' };

/** A block's value as the network applies it (absent: its kind's default). */
function blockWords(field: string, value: unknown, kind: string | undefined): string {
  if (field === 'p2p') {
    const mode = value ?? (kind !== undefined && (P2P_BLOCKED_KINDS as readonly string[]).includes(kind) ? 'block' : 'allow');
    return mode === 'block' ? 'blocked' : 'allowed';
  }
  const mode = value ?? 'monitor';
  return mode === 'block' ? 'blocked (the device is suspended)' : mode === 'monitor' ? 'recorded, not blocked' : 'not looked for';
}

/** A network's or a device group's policy, or a network's P2P or hotspot block, in words; undefined for any other edit. */
export function settingEditWords(edit: Pick<ConfigEdit, 'path' | 'before' | 'after'>, config: Config): string | undefined {
  const parts = partsOf(edit.path);
  if (parts.length === 3 && parts[0] === 'networks' && /^\d+$/.test(parts[1] ?? '') && BLOCK_FIELDS[parts[2]!] !== undefined) {
    const network = config.networks[Number(parts[1])];
    const field = parts[2]!;
    return `The ${network?.name ?? `network number ${Number(parts[1]) + 1}`} network: ${BLOCK_FIELDS[field]} ${blockWords(field, edit.before, network?.kind)} → ${blockWords(field, edit.after, network?.kind)}`;
  }
  if (parts.length !== 3 || parts[2] !== 'policy' || !/^\d+$/.test(parts[1] ?? '')) return undefined;
  const index = Number(parts[1]);
  if (parts[0] === 'networks') {
    const network = config.networks[index];
    return `The ${network?.name ?? `network number ${index + 1}`} network: policy ${policyName(config, edit.before)} → ${policyName(config, edit.after)}`;
  }
  if (parts[0] === 'deviceGroups') {
    const group = config.deviceGroups[index];
    return `Device group ${group?.name ?? `number ${index + 1}`}: policy ${policyName(config, edit.before)} → ${policyName(config, edit.after)}`;
  }
  return undefined;
}

/**
 * The request's title when every edit is one of these ("Change the Pupils network's policy",
 * "Change when Breaks is open"), else undefined.
 */
export function settingTitle(edits: readonly ConfigEdit[], config: Config): string | undefined {
  const subjects: string[] = [];
  const add = (subject: string) => { if (!subjects.includes(subject)) subjects.push(subject); };
  for (const edit of edits) {
    const schedule = scheduleIndexOf(edit.path);
    if (schedule !== undefined) {
      add(`when ${config.schedules[schedule]?.name ?? 'a schedule'} is open`);
      continue;
    }
    if (settingEditWords(edit, config) === undefined) return undefined;
    const [section, at, field] = partsOf(edit.path);
    const network = config.networks[Number(at)]?.name ?? 'network';
    add(section !== 'networks' ? `device group ${config.deviceGroups[Number(at)]?.name ?? at}'s policy`
      : field === 'policy' ? `the ${network} network's policy` : `the ${network} network's ${field === 'p2p' ? 'P2P' : 'hotspot'} blocking`);
  }
  if (subjects.length === 0) return undefined;
  const listed = subjects.length === 1 ? subjects[0]! : `${subjects.slice(0, -1).join(', ')} and ${subjects.at(-1)}`;
  return `Change ${listed}`;
}
