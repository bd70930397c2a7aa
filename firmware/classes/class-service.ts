// The teacher's class view on the main thread: lists the caller's classes, reads a lesson's
// lookups from the query log, and makes and ends unlocks. An unlock is a configuration write
// (config.classUnlocks) through ConfigStore.update, decided against the draft inside the write, so
// two teachers pressing at once cannot both open the same category; its audit entry is written in
// the `written` hook, once the document is on disk and before DNS hears of it. It is the head's
// pre-approved change, within limits set through change control, not a change request.
import type { ClassUnlock } from '../config/classes-schema.ts';
import type { Config } from '../config/schema.ts';
import type { ConfigStore } from '../config/store.ts';
import type { AuditLog } from '../control/audit.ts';
import { actorOf, type ControlCaller } from '../control/protocol.ts';
import type { QueryLog } from '../monitor/query-log/query-log.ts';
import { DEVICE_EVENTS_MAX } from '../monitor/query-log/device-events.ts';
import { permissionsOf } from '../admin/roles.ts';
import type { AccountRepository } from '../state/accounts.ts';
import type { DeviceRepository } from '../state/devices.ts';
import { classLive } from './class-live.ts';
import {
  assertMayEnd, assertMayWatch, checkUnlock, ClassRefusal, clockTime, groupName, limitsFor, listedGroups, mayUnlock, nextUnlockId,
  pruneEnded, teachersOf, unlockNumber, unlocksInForce, type ClassCaller,
} from './class-rules.ts';
import type { ClassEndUnlockParams, ClassListView, ClassLive, ClassLiveParams, ClassUnlockParams, ClassView, UnlockView } from './class-schema.ts';

export const LIVE_MINUTES_DEFAULT = 60;
const MINUTE_MS = 60_000;

export interface ClassServiceDeps {
  config: Pick<ConfigStore, 'current' | 'update'>;
  devices: Pick<DeviceRepository, 'list'>;
  accounts: Pick<AccountRepository, 'byUsername'>;
  audit: Pick<AuditLog, 'append' | 'list'>;
  queryLog: Pick<QueryLog, 'forDevices'>;
  /** A category's title as the pages name it (the catalogue's). */
  titleOf: (category: string) => string;
  now: () => Date;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class ClassService {
  readonly #d: ClassServiceDeps;
  /** The highest unlock number the audit log records, read once: ids are never used twice, though ended unlocks leave the configuration. */
  #highest: number | undefined;

  constructor(deps: ClassServiceDeps) {
    this.#d = deps;
  }

  /** Who is calling, with the permissions their account holds now (a disabled account holds none). */
  callerOf(caller: ControlCaller): ClassCaller {
    const actor = actorOf(caller);
    if (caller.account === undefined) return { actor, username: undefined, permissions: new Set(), head: false };
    const account = this.#d.accounts.byUsername(caller.account);
    if (account === undefined || account.disabled) throw new ClassRefusal('forbidden', 'this account is not in use: sign in again with an account that is');
    return { actor, username: account.username, permissions: permissionsOf(account.roles), head: account.roles.includes('headteacher') };
  }

  list(caller: ControlCaller): ClassListView {
    const who = this.callerOf(caller);
    const config = this.#d.config.current;
    const now = this.#d.now().getTime();
    return { classes: listedGroups(config, who).map((group) => this.#view(config, who, group, now)) };
  }

  async live(caller: ControlCaller, params: ClassLiveParams): Promise<ClassLive> {
    const who = this.callerOf(caller);
    const config = this.#d.config.current;
    assertMayWatch(config, who, params.group);
    const to = this.#d.now().getTime();
    const from = to - (params.minutes ?? LIVE_MINUTES_DEFAULT) * MINUTE_MS;
    const devices = this.#d.devices.list({ groupId: params.group });
    const log = await this.#d.queryLog.forDevices({ macs: devices.map((d) => d.mac), since: from, until: to + 1, limit: DEVICE_EVENTS_MAX });
    return classLive({ group: params.group, name: groupName(config, params.group), from, to, devices, log, titleOf: this.#d.titleOf });
  }

  async unlock(caller: ControlCaller, params: ClassUnlockParams): Promise<UnlockView> {
    const who = this.callerOf(caller);
    const highest = this.#highestRecorded();
    let made: ClassUnlock | undefined;
    await this.#d.config.update((draft) => {
      const now = this.#d.now().getTime();
      checkUnlock(draft, who, params, now, this.#d.titleOf);
      made = {
        id: nextUnlockId(draft.classUnlocks ?? [], highest), group: params.group, category: params.category,
        from: iso(now), until: iso(now + params.minutes * MINUTE_MS), by: who.actor, reason: params.reason.trim(),
      };
      draft.classUnlocks = [...pruneEnded(draft.classUnlocks ?? [], now), made];
    }, () => {
      const u = made!;
      this.#highest = Math.max(this.#highest ?? 0, unlockNumber(u.id));
      this.#d.audit.append({
        actor: who.actor, action: 'class.unlock', subject: u.group,
        details: { id: u.id, category: u.category, minutes: params.minutes, from: u.from, until: u.until, reason: u.reason },
      });
    });
    return this.#unlockView(made!);
  }

  async endUnlock(caller: ControlCaller, params: ClassEndUnlockParams): Promise<{ ended: true }> {
    const who = this.callerOf(caller);
    let ended: ClassUnlock | undefined;
    let at = 0;
    await this.#d.config.update((draft) => {
      at = this.#d.now().getTime();
      const unlock = (draft.classUnlocks ?? []).find((u) => u.id === params.id);
      if (!unlock || Date.parse(unlock.until) <= at) {
        throw new ClassRefusal('not-found', unlock
          ? `${params.id} has already ended (at ${clockTime(Date.parse(unlock.until), draft.site.timezone)})`
          : `there is no unlock ${params.id} in force`);
      }
      assertMayEnd(draft, who, unlock);
      ended = unlock;
      draft.classUnlocks = pruneEnded(draft.classUnlocks ?? [], at).filter((u) => u.id !== params.id);
    }, () => {
      const u = ended!;
      this.#d.audit.append({
        actor: who.actor, action: 'class.unlock-end', subject: u.group,
        details: { id: u.id, category: u.category, until: u.until, endedAt: iso(at), minutesEarly: Math.round((Date.parse(u.until) - at) / MINUTE_MS) },
      });
    });
    return { ended: true };
  }

  #view(config: Readonly<Config>, who: ClassCaller, group: string, now: number): ClassView {
    return {
      group,
      name: groupName(config, group),
      teachers: teachersOf(config, group),
      devices: this.#d.devices.list({ groupId: group }).length,
      mayUnlock: mayUnlock(config, who, group),
      unlockable: limitsFor(config, group).map((l) => ({ category: l.category, title: this.#d.titleOf(l.category), maxMinutes: l.maxMinutes })),
      unlocks: unlocksInForce(config, now, group).map((u) => this.#unlockView(u)),
    };
  }

  #unlockView(u: ClassUnlock): UnlockView {
    return { id: u.id, group: u.group, category: u.category, categoryTitle: this.#d.titleOf(u.category), from: u.from, until: u.until, by: u.by, reason: u.reason };
  }

  #highestRecorded(): number {
    if (this.#highest !== undefined) return this.#highest;
    let highest = 0;
    for (let after = 0; ;) {
      const page = this.#d.audit.list({ action: 'class.unlock', after, limit: 1000 });
      for (const entry of page) {
        const id = (entry.details as { id?: unknown } | null)?.id;
        if (typeof id === 'string') highest = Math.max(highest, unlockNumber(id));
      }
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    this.#highest = highest;
    return highest;
  }
}
