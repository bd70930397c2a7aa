// Subject access and erasure: what the gateway holds about one device (or one unnamed address),
// gathered from state.db and logs.db into one document, and deleted from both on request. A
// school answers a subject-access request with the export, and a request to erase with the
// erasure; both are audited as who did what to which subject, never with the content.
//
// The erasure's audit entry names the MAC (or address) in clear: the school must be able to show
// later that a request was honoured (accountability), which a record of the erasure itself is
// kept for, and the entries that named the device before (a suspension, a name) stay in the
// append-only log anyway. What it never holds is what was erased: names looked up, hostnames,
// the device's name or owner; only how many records of each kind.
import { isIP } from 'node:net';
import type { AuditEntry } from '../../control/audit-chain.ts';
import type { StateDatabase } from '../../state/database.ts';
import { isSuspended } from '../../state/devices.ts';
import { normaliseMac } from '../../state/mac.ts';
import { InvalidInputError } from '../../state/values.ts';
import { guestAt, guestLabel } from '../../portal/vouchers/guest-identity.ts';
import type { QueryLog } from '../query-log/query-log.ts';
import type { EraseResult, Erased, ExportParams, SubjectExport, SubjectParams } from './subject-schema.ts';

export interface SubjectAccessDeps {
  /** `vouchers`, when given, names the visitor and sponsor behind a guest device's questions. */
  state: Pick<StateDatabase, 'devices' | 'leases' | 'networkEvents' | 'alerts' | 'audit' | 'transaction'> & Partial<Pick<StateDatabase, 'vouchers'>>;
  queryLog: Pick<QueryLog, 'subject' | 'eraseSubject'>;
  now: () => Date;
  /**
   * Why a subject's records must be kept, if they must (an open incident, when incidents exist):
   * asked before anything is deleted.
   */
  keptBecause?: (subject: string) => string | undefined;
}

/** The key the subject's records are stored under: the canonical MAC, or the address as logged. */
export function subjectKey(subject: SubjectParams): string {
  if (subject.kind === 'device') return normaliseMac(subject.value);
  const address = subject.value.trim().toLowerCase();
  if (isIP(address) === 0) throw new InvalidInputError(`${JSON.stringify(subject.value)} is not an IP address`);
  return address;
}

/** Everything kept about the subject (from `since` on, when given), oldest first. */
export async function exportSubject(deps: SubjectAccessDeps, params: ExportParams, actor: string): Promise<SubjectExport> {
  const key = subjectKey(params.subject);
  const since = params.since === undefined ? undefined : Date.parse(params.since);
  const from = (iso: string): boolean => since === undefined || Date.parse(iso) >= since;
  const logs = await deps.queryLog.subject(key);
  const { state } = deps;
  const isDevice = params.subject.kind === 'device';
  // Guest sessions are kept by MAC: an unnamed address was never signed in with a voucher.
  const sessions = isDevice ? state.vouchers?.guestSessions(key) ?? [] : [];
  const document: SubjectExport = {
    subject: { kind: params.subject.kind, value: key },
    exportedAt: deps.now().toISOString(),
    since: params.since ?? null,
    device: isDevice ? state.devices.get(key) ?? null : null,
    leases: isDevice ? state.leases.ofMac(key) : [],
    networkEvents: state.networkEvents.naming(key).filter((e) => from(e.at)),
    guestVisits: sessions.filter((v) => from(v.until)).map((v) => ({ networkId: v.networkId, from: v.from, until: v.until, visitor: guestLabel(v) })),
    queryEvents: logs.events.filter((e) => since === undefined || e.at >= since).map((e) => {
      const visitor = sessions.length === 0 ? undefined : guestAt(sessions, e.at, e.network);
      return visitor === undefined ? e : { ...e, visitor };
    }),
    // An hour or a day is kept when it ends after `since`: it holds questions from then on.
    hourlyRollups: logs.hours.filter((r) => since === undefined || Number(r.period) + 3_600_000 > since),
    dailyRollups: logs.days.filter((r) => since === undefined || String(r.period) >= new Date(since).toISOString().slice(0, 10)),
    alerts: state.alerts.about(key).filter((a) => from(a.lastAt)),
    auditEntries: state.audit.naming(key).filter((e: AuditEntry) => from(e.at)),
  };
  state.audit.append({
    actor, action: 'data.export', subject: key,
    details: {
      kind: params.subject.kind, since: params.since ?? null, device: document.device !== null, leases: document.leases.length,
      networkEvents: document.networkEvents.length, queryEvents: document.queryEvents.length, hourlyRollups: document.hourlyRollups.length,
      dailyRollups: document.dailyRollups.length, alerts: document.alerts.length, auditEntries: document.auditEntries.length,
    },
  });
  return document;
}

/**
 * Deletes the subject's records: logs.db's through its writer (one transaction there), then
 * state.db's with the audit entry that records the whole erasure (one transaction here). Records
 * made after it are new ones: a device still on the network is seen again.
 */
export async function eraseSubject(deps: SubjectAccessDeps, subject: SubjectParams, reason: string, actor: string): Promise<EraseResult> {
  const key = subjectKey(subject);
  const why = reason.trim();
  if (why.length < 3) throw new InvalidInputError('an erasure needs a reason (the request it answers)');
  const { state } = deps;
  const kept = deps.keptBecause?.(key);
  if (kept !== undefined) throw new InvalidInputError(`the records of ${key} must be kept: ${kept}`);
  const device = subject.kind === 'device' ? state.devices.get(key) : undefined;
  // The suspension is the record the firewall is enforced from: erasing it would lift a sanction unseen.
  if (device !== undefined && isSuspended(device, deps.now())) {
    throw new InvalidInputError(`${key} is suspended until ${device.suspendedUntil}: resume it (schoolgate devices resume) or wait, then erase`);
  }
  // An alert nobody has acknowledged is a concern the DSL has not seen yet (retention keeps open
  // ones whatever their age for the same reason): it is looked at first, then erased with the rest.
  const open = state.alerts.about(key).filter((a) => a.status === 'open');
  if (open.length > 0) {
    throw new InvalidInputError(`${key} has ${open.length === 1 ? 'an open alert' : `${open.length} open alerts`} (${open.map((a) => `#${a.id}`).join(', ')}) nobody has acknowledged: `
      + 'the safeguarding lead looks at them first (schoolgate alerts, then schoolgate alerts ack ID --note …), then erase');
  }
  const logs = await deps.queryLog.eraseSubject(key);
  const erased: Erased = {
    device: false, leases: 0, networkEvents: {}, queryEvents: logs.events, hourlyRollups: logs.hourlyRollups, dailyRollups: logs.dailyRollups, alerts: 0, reason: why,
  };
  try {
    const entry = state.transaction(() => {
      erased.alerts = state.alerts.eraseAbout(key);
      if (subject.kind === 'device') {
        erased.leases = state.leases.eraseMac(key);
        erased.networkEvents = state.networkEvents.eraseMac(key);
        erased.device = state.devices.erase(key);
      }
      return state.audit.append({ actor, action: 'data.erase', subject: key, details: { kind: subject.kind, ...erased } });
    });
    return { erased, auditSeq: entry.seq };
  } catch (error) {
    // logs.db's part is gone: that much is recorded even when state.db's part failed (if the
    // audit log can be written at all; the error the technician sees is the first one).
    try {
      state.audit.append({
        actor, action: 'data.erase', subject: key,
        details: { kind: subject.kind, ...erased, failed: `state.db was not changed: ${(error as Error).message}` },
      });
    } catch { /* the original error below says why */ }
    throw error;
  }
}
