// The control methods behind the Change requests page's "Asked from the block page": the open
// access requests in words, dismissing one, and recording the change request made from one.
// Dismissing and linking are audited with who did it; when a change request made from one is
// decided, `decideAccessRequests` marks it granted or refused (called by change control's wiring),
// so it leaves the list with the request's number kept on it.
import { Type } from 'typebox';
import { CATALOGUE } from '../config/defaults.ts';
import type { Config } from '../config/schema.ts';
import type { ConfigStore } from '../config/store.ts';
import type { AuditLog } from '../control/audit.ts';
import type { ChangeRequest } from '../control/changes/change-schema.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, guardedBy, type ControlServer } from '../control/server.ts';
import type { ChangeRequestRepository } from '../state/change-requests.ts';
import type { StateDatabase } from '../state/database.ts';
import type { SiteReportRepository } from '../state/site-reports.ts';
import { InvalidInputError, NotFoundError } from '../state/values.ts';
import {
  AccessRequestIdParams, AccessRequestLinkParams, type AccessRequest, type AccessRequestLine, type OpenAccessRequests,
} from './reports-schema.ts';

export interface AccessRequestDeps {
  store: Pick<SiteReportRepository, 'openRequests' | 'linkRequest' | 'dismissRequest' | 'decideByChange'>;
  changes: Pick<ChangeRequestRepository, 'get'>;
  audit: Pick<AuditLog, 'append'>;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  config: () => Pick<Config, 'networks'>;
  deviceName: (mac: string) => string | null;
  categoryTitle: (id: string) => string | undefined;
}

const subjectOf = (id: number): string => `access request ${id}`;

const failure = (error: unknown): never => {
  if (error instanceof NotFoundError) throw new ControlFailure('not-found', error.message);
  if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  throw error;
};
const guarded = guardedBy(failure);

/** The open requests as the page lists them (pure over its sources). */
export function openAccessRequests(deps: Pick<AccessRequestDeps, 'store' | 'changes' | 'config' | 'deviceName' | 'categoryTitle'>): OpenAccessRequests {
  const networks = deps.config().networks;
  const line = (r: AccessRequest): AccessRequestLine => {
    let change: AccessRequestLine['change'] = null;
    if (r.changeRequest !== null) {
      try {
        change = { id: r.changeRequest, status: deps.changes.get(r.changeRequest).status };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return {
      ...r, networkName: networks.find((n) => n.id === r.networkId)?.name ?? r.networkId,
      deviceName: r.mac === null ? null : deps.deviceName(r.mac),
      categoryTitle: r.category === null ? null : deps.categoryTitle(r.category) ?? r.category,
      change,
    };
  };
  return { requests: deps.store.openRequests().map(line) };
}

/**
 * Marks the open access requests a decided change request was made from: granted when approved,
 * refused when declined, with the approver who decided it. Anything else leaves them open.
 */
export function decideAccessRequests(deps: Pick<AccessRequestDeps, 'store' | 'audit' | 'transaction'>, change: ChangeRequest): AccessRequest[] {
  if (change.status !== 'approved' && change.status !== 'declined') return [];
  const step = [...change.steps].reverse().find((s) => s.kind === (change.status === 'approved' ? 'approved' : 'declined'));
  if (step === undefined) return [];
  const status = change.status === 'approved' ? 'granted' : 'refused';
  return deps.transaction(() => {
    const marked = deps.store.decideByChange(change.id, status, step.by, step.at);
    for (const r of marked) {
      deps.audit.append({ actor: step.by, action: `access-request.${status}`, subject: subjectOf(r.id), details: { changeRequest: change.id, name: r.name } });
    }
    return marked;
  });
}

export function registerAccessRequestMethods(control: Pick<ControlServer, 'register'>, deps: AccessRequestDeps): void {
  control.register<Record<string, never>>('access-requests', {
    params: Type.Object({}, { additionalProperties: false }),
    handle: () => openAccessRequests(deps),
  });

  control.register<AccessRequestIdParams>('access-requests.dismiss', {
    params: AccessRequestIdParams,
    handle: (params, caller) => guarded(() => deps.transaction(() => {
      const by = actorOf(caller);
      const dismissed = deps.store.dismissRequest(params.id, by, deps.now().toISOString());
      deps.audit.append({ actor: by, action: 'access-request.dismiss', subject: subjectOf(params.id), details: { name: dismissed.name, networkId: dismissed.networkId } });
      return dismissed;
    })),
  });

  // Only the person who just made the change request records it as made from the access request.
  control.register<AccessRequestLinkParams>('access-requests.link', {
    params: AccessRequestLinkParams,
    handle: (params, caller) => guarded(() => deps.transaction(() => {
      const by = actorOf(caller);
      const change = deps.changes.get(params.changeRequest);
      if (change.requestedBy !== by) throw new InvalidInputError(`change request ${params.changeRequest} is not one you made`);
      if (change.status !== 'awaiting-approval') throw new InvalidInputError(`change request ${params.changeRequest} has been decided already`);
      const linked = deps.store.linkRequest(params.id, params.changeRequest);
      deps.audit.append({ actor: by, action: 'access-request.change', subject: subjectOf(params.id), details: { changeRequest: params.changeRequest, name: linked.name } });
      return linked;
    })),
  });
}

/** The daemon's wiring: the methods over state.db, and what change control calls on each decision. */
export function wireAccessRequests(control: Pick<ControlServer, 'register'>, o: { state: StateDatabase; config: Pick<ConfigStore, 'current'> }): { decided: (change: ChangeRequest) => void } {
  const { state } = o;
  const deps: AccessRequestDeps = {
    store: state.siteReports, changes: state.changes, audit: state.audit, transaction: (fn) => state.transaction(fn), now: () => new Date(),
    config: () => o.config.current, deviceName: (mac) => state.devices.get(mac)?.name || null,
    categoryTitle: (id) => CATALOGUE.categories.get(id)?.title,
  };
  registerAccessRequestMethods(control, deps);
  return { decided: (change) => { decideAccessRequests(deps, change); } };
}
