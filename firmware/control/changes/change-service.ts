// Change control's one way in: a request, each approval or decline, a withdrawal, applying it here
// or recording it as sent to the filtering provider. Each step is written with its audit entry in
// one transaction; applying goes through ConfigStore.update, whose `written` hook records the step
// and the change.apply entry once the new configuration is on disk and before the services react
// (as admin/config-change.ts does). The CLI (ssh:USER) and the web UI (account:USERNAME, its roles
// looked up now) both come here, so they do exactly the same thing. An investigation request is
// shown only to its requester and safeguarding staff (change-rules.ts), and is applied here, by
// the gateway (`system`), as its second approval is recorded.
import { ConfigError } from '../../config/issues.ts';
import type { Config } from '../../config/schema.ts';
import type { ConfigWritten } from '../../config/store.ts';
import type { Logger } from '../../log.ts';
import { upstreamChangeTrigger } from '../../monitor/review/review-triggers.ts';
import type { DueReason } from '../../monitor/review/review-schema.ts';
import type { AccountRow } from '../../state/accounts.ts';
import type { ChangeRequestRepository } from '../../state/change-requests.ts';
import { InvalidInputError } from '../../state/values.ts';
import type { AuditLog } from '../audit.ts';
import { actorOf, type ControlCaller } from '../protocol.ts';
import { applyChange, type Applied } from './change-apply.ts';
import type { ChangeNotice } from './change-notifier.ts';
import {
  accountCaller, APPLIED_ON_APPROVAL, appliesOnApproval, canonicalProposal, ChangeForbiddenError, ChangeStateError, investigationRequestForbidden, listedFor, needsHeadFor, permissionRefusal,
  requestRefusal, seesAll, sshCaller, STEP_OF, stepRefusal, SYSTEM_ACTOR, viewRefusal,
  type ChangeAction, type ChangeCaller,
} from './change-rules.ts';
import type {
  ChangeDeclineParams, ChangeIdParams, ChangeListParams, DeviceGroupProposal, ChangeListView, ChangeNoteParams, ChangeRequest, ChangeRequestFields, ChangeUpstreamParams,
  ExceptionListView,
} from './change-schema.ts';
import { exceptionViews, proposalWords, type DeviceNameOf } from './change-words.ts';
import type { InvestigationEntry } from '../../config/investigations-schema.ts';
import type { StartFacts } from '../../monitor/investigations/investigation-service.ts';
import { groupWords, type DeviceFactsOf } from './device-move.ts';

export interface ChangeServiceDeps {
  changes: ChangeRequestRepository;
  /** ConfigStore: the configuration now, and its one way to change. */
  config: { readonly current: Readonly<Config>; update(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config> };
  audit: Pick<AuditLog, 'append'>;
  accounts: { byUsername(username: string): AccountRow | undefined; list(): AccountRow[] };
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  /** The catalogue's category titles, for the words of a policy edit. */
  categoryTitle: (id: string) => string | undefined;
  /** The devices table, for naming the devices an exception is for. */
  deviceName?: DeviceNameOf;
  notify?: (notice: ChangeNotice) => Promise<unknown>;
  /** Investigations: an applied one's record is made with the applied step (monitor/investigations/). */
  investigations?: InvestigationHooks;
  /** The devices table: a device moved into another group (a `device-group` request). */
  devices?: DeviceMoveHooks;
  /** The weekly review's "review due" item: a change sent upstream changes filtering without changing this configuration. */
  reviewDue?: (reason: DueReason, detail: string) => void;
  logger?: Logger;
}

/** What change control asks of investigations (InvestigationService), and what it tells them. */
export interface InvestigationHooks {
  incidentStatus(id: number): 'open' | 'closed' | undefined;
  startRefusal(incidentId: number): string | undefined;
  recordStart(facts: StartFacts): void;
  started(id: number): void;
}

/** What change control asks of the devices table, and what it tells DNS once a move is recorded. */
export interface DeviceMoveHooks {
  facts: DeviceFactsOf;
  /** Sets the device's group (inside the applying transaction). */
  setGroup(mac: string, group: string | null): void;
  /** After the commit: DNS (and shaping) follow the device's new group. */
  moved(mac: string, group: string | null): void;
}

const AUDIT_ACTION: Readonly<Record<ChangeAction, string>> = {
  approve: 'change.approve', decline: 'change.decline', withdraw: 'change.withdraw', apply: 'change.apply', upstream: 'change.upstream',
};

const subjectOf = (id: number): string => `change ${id}`;

export class ChangeService {
  readonly #d: ChangeServiceDeps;

  constructor(deps: ChangeServiceDeps) {
    this.#d = deps;
  }

  /** Who is calling, with the permissions their account holds now (an account disabled since signing in holds none). */
  callerOf(caller: ControlCaller): ChangeCaller {
    if (caller.account === undefined) return sshCaller(actorOf(caller));
    const account = this.#d.accounts.byUsername(caller.account);
    if (account === undefined || account.disabled) throw new ChangeForbiddenError('this account is not in use: sign in again with an account that is');
    return accountCaller(account.username, account.roles);
  }

  list(caller: ControlCaller, params: ChangeListParams = {}): ChangeListView {
    const who = this.callerOf(caller);
    const own = params.mine === true || !seesAll(who);
    const changes = this.#d.changes.list({ ...(params.status ? { status: params.status } : {}), ...(own ? { requestedBy: who.actor } : {}) });
    return { changes: changes.map((line) => listedFor(who, line)), approvers: this.#approvers().length };
  }

  show(caller: ControlCaller, params: ChangeIdParams): ChangeRequest {
    const who = this.callerOf(caller);
    const change = this.#d.changes.get(params.id);
    const refused = viewRefusal(who, change);
    if (refused !== undefined) throw new ChangeForbiddenError(refused);
    return change;
  }

  /** Whether the requester held the headteacher role when asking (the pages' buttons need it with the request). */
  requestedByHead(id: number): boolean {
    return this.#d.changes.stored(id).header.requestedByHead;
  }

  exceptions(): ExceptionListView {
    const config = this.#d.config.current;
    return { exceptions: exceptionViews(config, this.#d.now(), this.#d.deviceName), timezone: config.site.timezone };
  }

  request(caller: ControlCaller, asked: ChangeRequestFields): ChangeRequest {
    const who = this.callerOf(caller);
    if (!who.permissions.has('changes.request')) throw new ChangeForbiddenError('your account cannot ask for filtering changes');
    if (asked.proposal.kind === 'investigation') {
      const forbidden = investigationRequestForbidden(who);
      if (forbidden !== undefined) throw new ChangeForbiddenError(forbidden);
      if (this.#d.investigations === undefined) throw new ChangeStateError('investigations are not available on this gateway');
    }
    const config = this.#d.config.current;
    const hooks = this.#d.investigations;
    const devices = this.#d.devices?.facts;
    const refused = requestRefusal(asked, config, this.#d.now(), {
      incidentStatus: (id) => hooks?.incidentStatus(id),
      ...(devices ? { device: devices } : {}),
    });
    if (refused !== undefined) throw new InvalidInputError(refused);
    const fields: ChangeRequestFields = { ...asked, proposal: canonicalProposal(asked.proposal) };
    const words = proposalWords(fields.proposal, { config, categoryTitle: this.#d.categoryTitle, ...(this.#d.deviceName ? { deviceName: this.#d.deviceName } : {}) });
    const needsHead = needsHeadFor(fields.proposal, config, devices);
    const change = this.#d.transaction(() => {
      const made = this.#d.changes.create({ fields, title: words.title, summary: words.lines, needsHead, requestedByHead: who.head }, who.actor, this.#d.now());
      this.#d.audit.append({
        actor: who.actor, action: 'change.request', subject: subjectOf(made.id),
        details: { proposal: fields.proposal, title: words.title, needsHead, ...(fields.fromAlert !== undefined ? { fromAlert: fields.fromAlert } : {}) },
      });
      return made;
    });
    this.#notify('requested', change, words.title, who.head);
    return change;
  }

  /**
   * Records an approval. An investigation is applied by the gateway right after the approval that
   * makes it approved; the approval stands if that fails (an apply-failed step, retried by a
   * senior account with "apply"), so the approver gets the request back either way.
   */
  async approve(caller: ControlCaller, params: ChangeNoteParams): Promise<ChangeRequest> {
    const change = this.#step(caller, 'approve', params.id, { note: params.note });
    if (!appliesOnApproval(change)) {
      this.#notify(change.status === 'approved' ? 'approved' : 'first-approval', change);
      return change;
    }
    const system: ChangeCaller = { actor: SYSTEM_ACTOR, ssh: false, permissions: new Set(), head: false, senior: false };
    try {
      return await this.#apply(system, params.id, APPLIED_ON_APPROVAL);
    } catch (error) {
      if (!(error instanceof ChangeStateError)) throw error;
      // Recorded as apply-failed: the requester (who may retry) hears it is approved but not yet applied.
      const now = this.#d.changes.get(params.id);
      this.#notify('approved', now);
      return now;
    }
  }

  decline(caller: ControlCaller, params: ChangeDeclineParams): ChangeRequest {
    const change = this.#step(caller, 'decline', params.id, { note: params.note });
    this.#notify('declined', change);
    return change;
  }

  withdraw(caller: ControlCaller, params: ChangeNoteParams): ChangeRequest {
    return this.#step(caller, 'withdraw', params.id, { note: params.note });
  }

  upstream(caller: ControlCaller, params: ChangeUpstreamParams): ChangeRequest {
    const change = this.#step(caller, 'upstream', params.id, { note: params.note, reference: params.reference });
    const { title } = this.#d.changes.stored(change.id).header;
    try {
      const trigger = upstreamChangeTrigger(change.id, title, params.reference.trim());
      this.#d.reviewDue?.(trigger.reason, trigger.detail);
    } catch (err) {
      this.#d.logger?.error({ err, change: change.id }, 'the change could not make its "review due" item');
    }
    this.#notify('sent-upstream', change);
    return change;
  }

  /**
   * Applies an approved request to the configuration. Refused (with an apply-failed step and its
   * audit entry, the request staying approved) when the configuration has changed under it or
   * the result would not be valid; nothing in the configuration changes then.
   */
  async apply(caller: ControlCaller, params: ChangeIdParams): Promise<ChangeRequest> {
    const who = this.callerOf(caller);
    this.#permit(who, 'apply', this.#d.changes.get(params.id));
    return this.#apply(who, params.id);
  }

  /** Applies it as `who` (a caller already permitted, or the gateway on approval); `note` goes on the applied step. */
  async #apply(who: ChangeCaller, id: number, note?: string): Promise<ChangeRequest> {
    const { change: before, header } = this.#d.changes.stored(id);
    if (header.proposal.kind === 'device-group') return this.#applyMove(who, header.id, header.proposal, header.title, header.requestedByHead);
    const requester = this.#d.accounts.byUsername(before.requestedBy.replace(/^account:/, ''));
    const requestedByName = before.requestedBy.startsWith('account:') && requester ? requester.displayName || requester.username : before.requestedBy;
    let applied: Applied | undefined;
    let result: ChangeRequest | undefined;
    try {
      await this.#d.config.update((draft) => {
        // Checked again here, in the store's queue: of two applies at once, the second finds it applied.
        const refused = stepRefusal(this.#d.changes.get(id), { kind: 'applied', by: who.actor, head: who.head }, header.requestedByHead);
        if (refused !== undefined) throw new ChangeStateError(refused);
        applied = applyChange(draft, { id: header.id, proposal: header.proposal, rationale: header.rationale, requestedByName, now: this.#d.now() });
        if (header.proposal.kind === 'investigation') {
          const blocked = this.#d.investigations === undefined ? 'investigations are not available on this gateway' : this.#d.investigations.startRefusal(header.proposal.incidentId);
          if (blocked !== undefined) throw new ChangeStateError(blocked);
        }
      }, () => {
        result = this.#d.transaction(() => {
          let done: ChangeRequest;
          try {
            done = this.#d.changes.append(id, { kind: 'applied', by: who.actor, head: who.head, note, reference: applied!.reference ?? undefined }, this.#d.now());
          } catch (error) {
            // Withdrawn or sent upstream while the file was being written: the configuration has
            // changed all the same, so the audit entry below still records it.
            if (!(error instanceof ChangeStateError)) throw error;
            this.#d.logger?.error({ change: id, reason: error.message }, 'a change request was applied while another step was being recorded');
            done = this.#d.changes.get(id);
          }
          this.#d.audit.append({ actor: who.actor, action: 'change.apply', subject: subjectOf(id), details: { ...applied!.details, title: header.title } });
          if (header.proposal.kind === 'investigation') {
            this.#d.investigations!.recordStart({
              entry: applied!.details.investigation as InvestigationEntry, requestedBy: done.requestedBy,
              approvedBy: done.approvals.map((a) => a.by), appliedBy: who.actor, at: this.#d.now(),
            });
          }
          return done;
        });
      });
    } catch (error) {
      const reason = error instanceof ConfigError
        ? `the configuration would not be valid with this change: ${error.issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`
        : error instanceof ChangeStateError ? error.message : undefined;
      if (reason === undefined) throw error;
      this.#recordFailure(who, id, reason);
      throw new ChangeStateError(reason);
    }
    this.#notify('applied', result!);
    if (header.proposal.kind === 'investigation') this.#d.investigations?.started(id);
    return result!;
  }

  /**
   * A device moved into another group, in the devices table: the move, the applied step, the
   * change.apply entry and the device's own device.group entry in one transaction, and only while
   * the device is still where the approvers saw it; DNS follows after the commit.
   */
  #applyMove(who: ChangeCaller, id: number, p: DeviceGroupProposal, title: string, requestedByHead: boolean): ChangeRequest {
    const devices = this.#d.devices;
    let result: ChangeRequest;
    try {
      result = this.#d.transaction(() => {
        const refused = stepRefusal(this.#d.changes.get(id), { kind: 'applied', by: who.actor, head: who.head }, requestedByHead);
        if (refused !== undefined) throw new ChangeStateError(refused);
        if (devices === undefined) throw new ChangeStateError('devices cannot be moved between groups on this gateway');
        const device = devices.facts(p.mac);
        if (device === undefined) throw new ChangeStateError(`the device ${p.mac} is no longer in the devices table`);
        if (device.groupId !== p.from) throw new ChangeStateError(`the device has been moved since this was requested (it is in ${groupWords(this.#d.config.current, device.groupId)} now): withdraw it and request again`);
        if (p.to !== null && !this.#d.config.current.deviceGroups.some((g) => g.id === p.to)) throw new ChangeStateError(`the device group "${p.to}" is no longer in the configuration`);
        devices.setGroup(p.mac, p.to);
        const done = this.#d.changes.append(id, { kind: 'applied', by: who.actor, head: who.head, reference: p.mac }, this.#d.now());
        this.#d.audit.append({ actor: who.actor, action: 'change.apply', subject: subjectOf(id), details: { proposal: p, title } });
        this.#d.audit.append({ actor: who.actor, action: 'device.group', subject: p.mac, details: { from: p.from, to: p.to, changeRequest: id } });
        return done;
      });
    } catch (error) {
      if (!(error instanceof ChangeStateError)) throw error;
      this.#recordFailure(who, id, error.message);
      throw error;
    }
    devices!.moved(p.mac, p.to);
    this.#notify('applied', result);
    return result;
  }

  #recordFailure(who: ChangeCaller, id: number, reason: string): void {
    try {
      this.#d.transaction(() => {
        this.#d.changes.append(id, { kind: 'apply-failed', by: who.actor, head: who.head, note: reason.slice(0, 2000) }, this.#d.now());
        this.#d.audit.append({ actor: who.actor, action: 'change.apply-failed', subject: subjectOf(id), details: { reason } });
      });
    } catch (error) {
      // A request no longer approved (applied by someone else meanwhile) takes no apply-failed step.
      if (!(error instanceof ChangeStateError)) throw error;
    }
  }

  #permit(who: ChangeCaller, action: ChangeAction, change: ChangeRequest): void {
    const refused = permissionRefusal(who, action, change);
    if (refused !== undefined) throw new ChangeForbiddenError(refused);
  }

  #step(caller: ControlCaller, action: Exclude<ChangeAction, 'apply'>, id: number, extra: { note?: string | undefined; reference?: string | undefined }): ChangeRequest {
    const who = this.callerOf(caller);
    this.#permit(who, action, this.#d.changes.get(id));
    return this.#d.transaction(() => {
      const change = this.#d.changes.append(id, { kind: STEP_OF[action], by: who.actor, head: who.head, senior: who.senior, ...extra }, this.#d.now());
      const step = change.steps.at(-1)!;
      const details: Record<string, unknown> = { step: step.id, status: change.status };
      // An investigation's notes may speak of the concern: they stay on the request, which only
      // safeguarding staff see; the audit log, which the IT provider reads, says one was given.
      if (step.note !== null) details.note = change.proposal.kind === 'investigation' ? '(kept with the request)' : step.note;
      if (step.reference !== null) details.reference = step.reference;
      if (action === 'approve') Object.assign(details, { approvals: change.approvals.length, head: who.head });
      if (action === 'upstream') details.proposal = change.proposal;
      this.#d.audit.append({ actor: who.actor, action: AUDIT_ACTION[action], subject: subjectOf(id), details });
      return change;
    });
  }

  /** Enabled accounts that may approve (the break-glass recovery account holds no roles). */
  #approvers(): AccountRow[] {
    return this.#d.accounts.list().filter((a) => !a.disabled && !a.breakGlass && accountCaller(a.username, a.roles).permissions.has('changes.approve'));
  }

  #notify(event: ChangeNotice['event'], change: ChangeRequest, title?: string, requestedByHead?: boolean): void {
    if (!this.#d.notify) return;
    let notice: ChangeNotice;
    try {
      const { header } = this.#d.changes.stored(change.id);
      notice = { event, change, title: title ?? header.title, requestedByHead: requestedByHead ?? header.requestedByHead };
    } catch (err) {
      this.#d.logger?.error({ err, change: change.id }, 'change request notice could not be made');
      return;
    }
    this.#d.notify(notice).catch((err: unknown) => this.#d.logger?.error({ err, change: change.id, event }, 'change request notice failed'));
  }
}
