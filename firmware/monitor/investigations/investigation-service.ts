// Investigations' one way in once change control has applied one: the record of its start (in
// the apply's own transaction), ending it early, saving its evidence (on demand, at the end, at
// the expiry) and taking it out of the configuration once the evidence is kept.
//
// The evidence is every question the device asked in the window, read from logs.db through the
// query-log writer (its one owner), written as a CSV under the incident's attachments by its
// hash, then recorded on the incident's timeline and in the investigation's record in one
// transaction. Retention leaves the window's rows while the entry is in the configuration
// (investigation-rules.ts keepWindows), so the entry leaves only after its evidence is saved; a
// saving that fails leaves the entry, and the next sweep tries again.
import type { InvestigationEntry } from '../../config/investigations-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { ConfigWritten } from '../../config/store.ts';
import type { AuditLog } from '../../control/audit.ts';
import { SENIOR_ROLES, SYSTEM_ACTOR } from '../../control/changes/change-rules.ts';
import { expiryWords } from '../../control/changes/change-words.ts';
import { actorOf, type ControlCaller } from '../../control/protocol.ts';
import { permissionsOf } from '../../admin/roles.ts';
import type { Logger } from '../../log.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { IncidentRepository } from '../../state/incidents.ts';
import type { InvestigationRepository } from '../../state/investigations.ts';
import { InvestigationStateError } from '../../state/investigations.ts';
import { NotFoundError } from '../../state/values.ts';
import type { AttachmentStore } from '../incidents/attachment-store.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import { evidenceCsv } from './evidence-csv.ts';
import { windowEnd, type FoldNames } from './investigation-fold.ts';
import {
  dueEntries, endedWords, endRefusal, evidenceWords, InvestigationForbiddenError, startedWords, viewRefusal, type InvestigationCaller,
} from './investigation-rules.ts';
import type { Investigation, InvestigationEndParams, InvestigationIdParams, InvestigationListParams, InvestigationListView } from './investigation-schema.ts';

export const SYSTEM = SYSTEM_ACTOR;

export type InvestigationEvent = 'started' | 'ended' | 'expired';

export interface InvestigationServiceDeps {
  store: InvestigationRepository;
  config: { readonly current: Readonly<Config>; update(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config> };
  incidents: Pick<IncidentRepository, 'get' | 'append'>;
  attachments: Pick<AttachmentStore, 'put'>;
  queryLog: Pick<QueryLog, 'deviceWindow'>;
  audit: Pick<AuditLog, 'append'>;
  accounts: { byUsername(username: string): AccountRow | undefined };
  /** The device's name as staff know it (friendly name, else host name), or null. */
  deviceName: (mac: string) => string | null;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  /** Tells the DSL (and the head) when one starts or ends; never fails the step. */
  notify?: (event: InvestigationEvent, investigation: Investigation) => Promise<unknown>;
  logger?: Logger;
}

/** What change control hands over when it applies an investigation, inside its transaction. */
export interface StartFacts {
  entry: InvestigationEntry;
  requestedBy: string;
  approvedBy: string[];
  appliedBy: string;
  at: Date;
}

const subjectOf = (id: number): string => `investigation ${id}`;

export class InvestigationService {
  readonly #d: InvestigationServiceDeps;
  /** One saving at a time per investigation: a sweep and a button pressed at once save once each, in turn. */
  readonly #saving = new Map<number, Promise<unknown>>();

  constructor(deps: InvestigationServiceDeps) {
    this.#d = deps;
  }

  get names(): FoldNames {
    return {
      deviceName: this.#d.deviceName,
      policyName: (id) => this.#d.config.current.policies.find((p) => p.id === id)?.name,
    };
  }

  callerOf(caller: ControlCaller): InvestigationCaller {
    const actor = actorOf(caller);
    if (caller.account === undefined) return { actor, ssh: true, permissions: new Set(), senior: false };
    const account = this.#d.accounts.byUsername(caller.account);
    if (account === undefined || account.disabled) throw new InvestigationForbiddenError('this account is not in use: sign in again with an account that is');
    return { actor, ssh: false, permissions: permissionsOf(account.roles), senior: account.roles.some((r) => SENIOR_ROLES.includes(r)) };
  }

  list(caller: ControlCaller, params: InvestigationListParams = {}): InvestigationListView {
    this.#permit(viewRefusal(this.callerOf(caller)));
    const investigations = this.#d.store.list(this.#d.now(), this.names, params);
    return { investigations, timezone: this.#d.config.current.site.timezone };
  }

  show(caller: ControlCaller, params: InvestigationIdParams): Investigation {
    this.#permit(viewRefusal(this.callerOf(caller)));
    return this.#get(params.id);
  }

  /**
   * Records the start: its fact, and an action entry on the incident naming the approvers, the
   * policy and the end. Called by change control inside the transaction that records applying
   * the request, so the configuration's entry and its record are made together.
   */
  recordStart(facts: StartFacts): void {
    const { entry } = facts;
    this.#d.store.record(entry.id, 'started', {
      incidentId: entry.incidentId, device: entry.device, policy: entry.policy, from: entry.from, until: entry.until,
      requestedBy: facts.requestedBy, approvedBy: facts.approvedBy,
    }, facts.appliedBy, facts.at);
    const zone = this.#d.config.current.site.timezone;
    const what = startedWords(entry.id, {
      device: this.#deviceWords(entry.device), policy: this.names.policyName(entry.policy) ?? entry.policy, until: expiryWords(entry.until, zone, 'long'),
    }, facts.approvedBy);
    this.#d.incidents.append(entry.incidentId, 'action', { what, by: facts.appliedBy, at: entry.from, itProvider: false }, SYSTEM, facts.at);
  }

  /** An incident's status for change control's request check, undefined when there is none. */
  incidentStatus(id: number): 'open' | 'closed' | undefined {
    try {
      return this.#d.incidents.get(id).status;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Why an approved investigation cannot start now (checked as the configuration is edited), or undefined. */
  startRefusal(incidentId: number): string | undefined {
    const status = this.incidentStatus(incidentId);
    if (status === undefined) return `there is no incident ${incidentId}`;
    return status === 'open' ? undefined : `incident ${incidentId} has been signed off since this was asked for: ask again for an open incident`;
  }

  /** After the apply is committed: the DSL hears of it. */
  started(id: number): void {
    this.#tell('started', id);
  }

  /**
   * Ends an investigation early: the entry's end is brought to now (the DNS engine drops the
   * override at once), the end is recorded and audited, then the evidence is saved and the entry
   * removed. Ending only narrows what the device reaches: no approval is needed.
   */
  async end(caller: ControlCaller, params: InvestigationEndParams): Promise<Investigation> {
    const who = this.callerOf(caller);
    this.#permit(endRefusal(who, 'end'));
    const view = this.#get(params.id);
    if (view.status !== 'in-force') throw new InvestigationStateError(`investigation ${params.id} has already ${view.status === 'ended' ? `been ended (by ${view.endedBy})` : 'expired'}`);
    const note = params.note?.trim() || null;
    const at = this.#d.now();
    await this.#d.config.update((draft) => {
      const entry = (draft.investigations ?? []).find((i) => i.id === params.id);
      if (entry === undefined) throw new InvestigationStateError(`investigation ${params.id} is no longer in the configuration`);
      if (!(Date.parse(entry.until) > at.getTime())) throw new InvestigationStateError(`investigation ${params.id} has already expired`);
      entry.until = at.toISOString();
    }, () => {
      this.#d.transaction(() => {
        this.#d.store.record(params.id, 'ended', { note }, who.actor, at);
        this.#d.incidents.append(view.incidentId, 'action', { what: endedWords(params.id, 'ended', who.actor, note), by: who.actor, at: at.toISOString(), itProvider: false }, SYSTEM, at);
        this.#d.audit.append({ actor: who.actor, action: 'investigation.end', subject: subjectOf(params.id), details: { incident: view.incidentId, device: view.device, until: view.until, ...(note ? { note } : {}) } });
      });
    });
    this.#tell('ended', params.id);
    try {
      // Saved by the person who ended it: the incident's attachment and the record name them, not the gateway.
      await this.#finish(params.id, who.actor);
    } catch (err) {
      // It has ended all the same; the entry stays (past its end, so the engine ignores it) and the sweep saves the evidence.
      this.#d.logger?.error({ err, investigation: params.id }, 'an ended investigation\'s evidence could not be saved yet: tried again in a minute');
    }
    return this.#get(params.id);
  }

  /** Saves the evidence so far, while the investigation is in force (or ended with its evidence not yet saved). */
  async saveEvidence(caller: ControlCaller, params: InvestigationIdParams): Promise<Investigation> {
    const who = this.callerOf(caller);
    this.#permit(endRefusal(who, 'save the evidence of'));
    const view = this.#get(params.id);
    // Once closed, its evidence was saved as it ended, and retention may since have taken the rows: a later saving would say less.
    if (!(this.#d.config.current.investigations ?? []).some((i) => i.id === params.id)) {
      const last = view.evidence.at(-1);
      throw new InvestigationStateError(`investigation ${params.id} has ${view.status === 'ended' ? 'ended' : 'expired'}${last ? `; its evidence was saved as incident ${view.incidentId}'s attachment ${last.attachmentId}` : ''}`);
    }
    await this.#exclusive(params.id, () => this.#save(params.id, who.actor));
    return this.#get(params.id);
  }

  /**
   * Every entry past its end: records the expiry (unless it was ended early), saves the evidence
   * and removes the entry. Run every minute and at start; a failure is logged and tried again.
   */
  async sweep(): Promise<number> {
    let done = 0;
    for (const entry of dueEntries(this.#d.config.current, this.#d.now())) {
      try {
        const view = this.#d.store.events(entry.id).length === 0 ? undefined : this.#get(entry.id);
        if (view === undefined) {
          // An entry with no record (a hand edit): nothing to save it for, and the engine ignores it past its end.
          await this.#remove(entry.id);
          continue;
        }
        if (!this.#d.store.events(entry.id).some((e) => e.kind === 'ended' || e.kind === 'expired')) {
          const at = this.#d.now();
          this.#d.transaction(() => {
            this.#d.store.record(entry.id, 'expired', {}, SYSTEM, at);
            this.#d.incidents.append(view.incidentId, 'action', { what: endedWords(entry.id, 'expired', SYSTEM, null), by: SYSTEM, at: view.until, itProvider: false }, SYSTEM, at);
            this.#d.audit.append({ actor: SYSTEM, action: 'investigation.expire', subject: subjectOf(entry.id), details: { incident: view.incidentId, device: view.device, until: view.until } });
          });
          this.#tell('expired', entry.id);
        }
        await this.#finish(entry.id);
        done++;
      } catch (err) {
        this.#d.logger?.error({ err, investigation: entry.id }, 'an ended investigation could not be closed: tried again in a minute');
      }
    }
    return done;
  }

  /** Saves the final evidence unless it already covers the whole window (as `actor`: who ended it, or the gateway), then removes the entry. */
  async #finish(id: number, actor: string = SYSTEM): Promise<void> {
    await this.#exclusive(id, async () => {
      const view = this.#get(id);
      const end = windowEnd(view);
      if (!view.evidence.some((e) => e.upTo === end)) await this.#save(id, actor);
      await this.#remove(id);
    });
  }

  async #save(id: number, actor: string): Promise<void> {
    const view = this.#get(id);
    const now = this.#d.now();
    const end = Math.min(Date.parse(windowEnd(view)), now.getTime());
    const from = Date.parse(view.from);
    const events = await this.#d.queryLog.deviceWindow(view.device, from, end);
    const file = evidenceCsv(events);
    const upTo = new Date(end).toISOString();
    const fileName = `investigation-${id}-evidence-${upTo.slice(0, 16).replace(/[:T]/g, '-')}.csv`;
    await this.#d.attachments.put(file.data, { fileName, mediaType: 'text/csv', bytes: file.data.length, sha256: file.sha256 });
    this.#d.transaction(() => {
      const description = evidenceWords(id, file.lookups, this.#deviceWords(view.device), view.from, upTo, file.sha256);
      const incident = this.#d.incidents.append(view.incidentId, 'attachment', { description, fileName, mediaType: 'text/csv', bytes: file.data.length, sha256: file.sha256 }, actor, now);
      const attachmentId = incident.timeline.at(-1)!.id;
      this.#d.store.record(id, 'evidence', { attachmentId, upTo, lookups: file.lookups, sha256: file.sha256 }, actor, now);
      this.#d.audit.append({ actor, action: 'investigation.evidence', subject: subjectOf(id), details: { incident: view.incidentId, entry: attachmentId, lookups: file.lookups, sha256: file.sha256, upTo } });
    });
  }

  async #remove(id: number): Promise<void> {
    if (!(this.#d.config.current.investigations ?? []).some((i) => i.id === id)) return;
    await this.#d.config.update((draft) => {
      draft.investigations = (draft.investigations ?? []).filter((i) => i.id !== id);
    });
  }

  async #exclusive<T>(id: number, fn: () => Promise<T>): Promise<T> {
    const before = this.#saving.get(id) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    const settled = run.catch(() => undefined);
    this.#saving.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.#saving.get(id) === settled) this.#saving.delete(id);
    }
  }

  #get(id: number): Investigation {
    return this.#d.store.get(id, this.#d.now(), this.names);
  }

  #deviceWords(mac: string): string {
    const name = this.#d.deviceName(mac);
    return name ? `${name} (${mac})` : mac;
  }

  #permit(refused: string | undefined): void {
    if (refused !== undefined) throw new InvestigationForbiddenError(refused);
  }

  #tell(event: InvestigationEvent, id: number): void {
    if (!this.#d.notify) return;
    let view: Investigation;
    try {
      view = this.#get(id);
    } catch (err) {
      if (!(err instanceof NotFoundError)) this.#d.logger?.error({ err, investigation: id }, 'investigation notice could not be made');
      return;
    }
    this.#d.notify(event, view).catch((err: unknown) => this.#d.logger?.error({ err, investigation: id, event }, 'investigation notice failed'));
  }
}
