// The class view's words (pure): a lookup's result as a teacher reads it, the window's summary,
// times on the school's clocks, and the unlock form's choices. Names stay plain text everywhere:
// a flagged name is never a link or a preview.
import type { ClassLive, ClassLookup, ClassView } from '../../../../firmware/admin/api/classes-schema.ts';
import { who } from '../people.ts';

/** "10:31" on the school's clocks (with seconds for the newest lookups: "10:31:07"). */
export function clockTime(iso: string, timezone: string, seconds = false): string {
  return new Date(iso).toLocaleTimeString('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' });
}

/** When a device was last seen: its time today, the day and time before today, "not yet" for never. */
export function seenWords(iso: string | null, timezone: string, now: Date): string {
  if (iso === null) return 'not yet';
  const day = (d: Date) => d.toLocaleDateString('en-GB', { timeZone: timezone });
  const at = new Date(iso);
  if (day(at) === day(now)) return clockTime(iso, timezone);
  return at.toLocaleString('en-GB', { timeZone: timezone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** What was looked up, as the page may show it: a name on an illegal-content list never is. */
export function lookupName(l: Pick<ClassLookup, 'name' | 'restricted'>): string {
  return l.restricted || l.name === null ? 'A name on an illegal-content list (never shown)' : l.name;
}

/** "Blocked: Online gaming", "Allowed, watched: Social networking", "Allowed". */
export function resultWords(l: Pick<ClassLookup, 'blocked' | 'category' | 'restricted'>): string {
  if (l.blocked) return l.category === null ? 'Blocked' : `Blocked: ${l.category}`;
  return l.category === null ? 'Allowed' : `Allowed, watched: ${l.category}`;
}

/** "42 questions, 3 blocked, from 5 of 28 devices". */
export function summaryWords(live: Pick<ClassLive, 'devices'>): string {
  const questions = live.devices.reduce((n, d) => n + d.questions, 0);
  const blocked = live.devices.reduce((n, d) => n + d.blocked, 0);
  const active = live.devices.filter((d) => d.questions > 0).length;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${plural(questions, 'question', 'questions')}, ${blocked} blocked, from ${active} of ${plural(live.devices.length, 'device', 'devices')}`;
}

/** The lengths the unlock form offers: a quarter of an hour up to the head's longest, the longest itself last. */
export function minuteChoices(maxMinutes: number): number[] {
  const steps = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480].filter((m) => m < maxMinutes);
  return [...steps, maxMinutes];
}

/** The minutes to start with: a lesson (60), or the longest allowed when that is shorter. */
export const defaultMinutes = (maxMinutes: number): number => Math.min(60, maxMinutes);

/** The clock time an unlock of `minutes` from `now` would end: "10:35". */
export function untilWords(now: Date, minutes: number, timezone: string): string {
  return clockTime(new Date(now.getTime() + minutes * 60_000).toISOString(), timezone);
}

/** "Year 6 (28 devices)": a class in the picker. */
export function classLabel(c: Pick<ClassView, 'name' | 'devices'>): string {
  return `${c.name} (${c.devices} ${c.devices === 1 ? 'device' : 'devices'})`;
}

/** The windows the page offers, in minutes: up to the method's longest. */
export const WINDOWS = [15, 30, 60, 120, 180] as const;

/** Who made an unlock: "you" for the signed-in teacher, otherwise as every page names an actor (`names`: the API's display names). */
export const byWords = (actor: string, me: string | undefined, names: Readonly<Record<string, string>> = {}): string =>
  (me !== undefined && actor === `account:${me}` ? 'you' : who(actor, names[actor]));

/** "taught by you and Jo Smith (j.smith)": the class's teachers (usernames) by their names, the signed-in one as "you". */
export function teachersWords(usernames: readonly string[], me: string | undefined, names: Readonly<Record<string, string>> = {}): string {
  const words = [...usernames].sort((a, b) => Number(b === me) - Number(a === me)).map((u) => (u === me ? 'you' : who(`account:${u}`, names[`account:${u}`])));
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** What the unlock form may offer now: the head's limits for this class, less what is already unlocked for it. */
export const unlockableNow = (view: Pick<ClassView, 'unlockable' | 'unlocks'>): ClassView['unlockable'] =>
  view.unlockable.filter((u) => !view.unlocks.some((x) => x.category === u.category));
