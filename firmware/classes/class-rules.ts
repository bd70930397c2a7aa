// The class view's rules, pure: who may watch a class, who may unlock for it, and why not, in
// words a teacher reads on the page. A class is a device group; its teachers are the accounts
// config.classes.teachers lists for it. Anyone holding monitoring.view (the head, the DSL, the
// online-safety lead) may watch every class; a teacher only their own. Unlocking is for a class's
// teachers and the headteacher, within the head's limits (config.classes.unlocks), and never for a
// category that a policy marks unacceptable and illegal or a restricted list feeds.
import type { ClassUnlock, UnlockLimit } from '../config/classes-schema.ts';
import type { Config } from '../config/schema.ts';
import { neverUnlocked } from '../dns/policy/class-unlocks.ts';
import type { ClassUnlockParams } from './class-schema.ts';

/** Who is asking, as the rules need it. */
export interface ClassCaller {
  /** account:USERNAME or ssh:USER, for the audit log and `by`. */
  actor: string;
  /** The web UI account's username; undefined over SSH. */
  username: string | undefined;
  permissions: ReadonlySet<string>;
  /** Holds the headteacher's role. */
  head: boolean;
}

/** A refusal: a code for the API's status and a sentence for the teacher. */
export class ClassRefusal extends Error {
  override name = 'ClassRefusal';
  readonly code: 'forbidden' | 'not-found' | 'invalid-input' | 'already-unlocked';

  constructor(code: ClassRefusal['code'], message: string) {
    super(message);
    this.code = code;
  }
}

type ClassConfig = Pick<Config, 'deviceGroups' | 'policies' | 'lists' | 'classes' | 'classUnlocks'>;

const ssh = (c: ClassCaller): boolean => c.username === undefined;

export function groupName(config: Pick<Config, 'deviceGroups'>, group: string): string {
  return config.deviceGroups.find((g) => g.id === group)?.name ?? group;
}

export function teachersOf(config: Pick<Config, 'classes'>, group: string): string[] {
  return config.classes?.teachers.find((t) => t.group === group)?.accounts ?? [];
}

export function teaches(config: Pick<Config, 'classes'>, caller: ClassCaller, group: string): boolean {
  return caller.username !== undefined && teachersOf(config, group).includes(caller.username);
}

/** The classes listed for the caller: every class over SSH (listing only) and with monitoring.view, else those they teach. */
export function listedGroups(config: Pick<Config, 'deviceGroups' | 'classes'>, caller: ClassCaller): string[] {
  const all = config.deviceGroups.map((g) => g.id);
  if (ssh(caller) || caller.permissions.has('monitoring.view')) return all;
  if (!caller.permissions.has('classes.view')) return [];
  return all.filter((g) => teaches(config, caller, g));
}

function knownGroup(config: Pick<Config, 'deviceGroups'>, group: string): void {
  if (!config.deviceGroups.some((g) => g.id === group)) throw new ClassRefusal('not-found', `there is no class "${group}"`);
}

/** Throws unless the caller may watch the class's lookups now. */
export function assertMayWatch(config: Pick<Config, 'deviceGroups' | 'classes'>, caller: ClassCaller, group: string): void {
  if (ssh(caller)) {
    throw new ClassRefusal('forbidden', "the class view is for a class's teachers, in the web UI: over SSH, `schoolgate classes` lists the classes and their unlocks");
  }
  knownGroup(config, group);
  if (caller.permissions.has('monitoring.view')) return;
  if (!caller.permissions.has('classes.view') || !teaches(config, caller, group)) {
    throw new ClassRefusal('forbidden', `you are not one of ${groupName(config, group)}'s teachers: ask the headteacher to add you to the class`);
  }
}

/** Whether the caller may unlock for the class (within the limits): one of its teachers, or the headteacher. */
export function mayUnlock(config: Pick<Config, 'classes'>, caller: ClassCaller, group: string): boolean {
  if (ssh(caller) || !caller.permissions.has('classes.unlock')) return false;
  return caller.head || teaches(config, caller, group);
}

/** The categories no unlock may ever open: the engine's own rule (illegal in some policy, or fed by a restricted list). */
export function neverUnlockable(config: Pick<Config, 'policies' | 'lists'>): Set<string> {
  return neverUnlocked(config.policies, config.lists);
}

/** The head's limits that apply to a class: those naming it, or naming no class; never an unlockable-never category. */
export function limitsFor(config: ClassConfig, group: string): UnlockLimit[] {
  const never = neverUnlockable(config);
  return (config.classes?.unlocks ?? []).filter((l) => !never.has(l.category) && (l.groups === undefined || l.groups.includes(group)));
}

export const inForce = (u: Pick<ClassUnlock, 'from' | 'until'>, now: number): boolean => Date.parse(u.from) <= now && now < Date.parse(u.until);

/** Unlocks in force now for the class (or every class), soonest ending first. */
export function unlocksInForce(config: Pick<Config, 'classUnlocks'>, now: number, group?: string): ClassUnlock[] {
  return (config.classUnlocks ?? []).filter((u) => (group === undefined || u.group === group) && inForce(u, now))
    .sort((a, b) => Date.parse(a.until) - Date.parse(b.until));
}

/** "10:37" on the school's clock. */
export function clockTime(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/**
 * Throws the refusal a teacher reads when this unlock may not be made now; returns the limit it
 * falls within. `titleOf` names categories as the page does.
 */
export function checkUnlock(config: ClassConfig & Pick<Config, 'site'>, caller: ClassCaller, p: ClassUnlockParams, now: number,
  titleOf: (category: string) => string): UnlockLimit {
  knownGroup(config, p.group);
  const cls = groupName(config, p.group);
  const what = titleOf(p.category);
  if (!mayUnlock(config, caller, p.group)) {
    throw new ClassRefusal('forbidden', ssh(caller)
      ? 'an unlock is made by a class\'s teacher or the headteacher in the web UI, not over SSH'
      : `only ${cls}'s teachers or the headteacher can unlock for ${cls}`);
  }
  if (neverUnlockable(config).has(p.category)) {
    throw new ClassRefusal('invalid-input', `${what} can never be unlocked: it is illegal content, blocked for everyone`);
  }
  const limit = (config.classes?.unlocks ?? []).find((l) => l.category === p.category);
  if (!limit) throw new ClassRefusal('invalid-input', `${what} is not on the headteacher's list of what teachers may unlock`);
  if (limit.groups !== undefined && !limit.groups.includes(p.group)) {
    const names = limit.groups.map((g) => groupName(config, g)).join(', ');
    throw new ClassRefusal('invalid-input', `the headteacher allows ${what} to be unlocked for ${names} only, not ${cls}`);
  }
  if (p.minutes > limit.maxMinutes) {
    throw new ClassRefusal('invalid-input', `${what} can be unlocked for at most ${limit.maxMinutes} minutes at a time`);
  }
  if (p.reason.trim().length < 3) throw new ClassRefusal('invalid-input', 'say what the lesson needs it for');
  const running = unlocksInForce(config, now, p.group).find((u) => u.category === p.category);
  if (running) {
    throw new ClassRefusal('already-unlocked', `${what} is already unlocked for ${cls} until ${clockTime(Date.parse(running.until), config.site.timezone)}`);
  }
  return limit;
}

/** Who may end an unlock early: whoever may unlock for its class, anyone holding monitoring.view, and the technician over SSH. */
export function assertMayEnd(config: Pick<Config, 'classes' | 'deviceGroups'>, caller: ClassCaller, unlock: ClassUnlock): void {
  if (ssh(caller) || caller.permissions.has('monitoring.view') || mayUnlock(config, caller, unlock.group)) return;
  const cls = groupName(config, unlock.group);
  throw new ClassRefusal('forbidden', `only ${cls}'s teachers, the headteacher or the safeguarding lead can end ${cls}'s unlock`);
}

/** The next id: one past the highest `unlock-<n>` in the configuration or ever recorded (`highest`). */
export function nextUnlockId(unlocks: readonly Pick<ClassUnlock, 'id'>[], highest: number): string {
  let n = highest;
  for (const u of unlocks) n = Math.max(n, unlockNumber(u.id));
  return `unlock-${n + 1}`;
}

export function unlockNumber(id: string): number {
  const m = /^unlock-(\d+)$/.exec(id);
  return m ? Number(m[1]) : 0;
}

/** The unlocks a write keeps: those not yet over (ended ones stay in the audit log). */
export function pruneEnded(unlocks: readonly ClassUnlock[], now: number): ClassUnlock[] {
  return unlocks.filter((u) => Date.parse(u.until) > now);
}
