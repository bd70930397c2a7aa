// The incident log's one way in: opening (from an alert, a block-page report, by hand, or by itself
// for a critical restricted-list or upstream-provider alert) and every later entry, each written
// with its audit entry in one transaction. The CLI (over the control socket, ssh:USER) and the web
// UI (in-process, account:USERNAME) both come here, so they do exactly the same thing.
import { createHash } from 'node:crypto';
import type { AuditLog } from '../../control/audit.ts';
import type { Logger } from '../../log.ts';
import type { AlertRepository } from '../../state/alerts.ts';
import { IncidentStateError, type IncidentRepository } from '../../state/incidents.ts';
import type { SiteReportRepository } from '../../state/site-reports.ts';
import { InvalidInputError } from '../../state/values.ts';
import type { Alert } from '../alerts/alert-schema.ts';
import { sealExport, type SealOptions } from '../reports/export-seal.ts';
import { auditHeadNow } from '../reports/records-export.ts';
import { checkAttachment, type AttachmentMediaType } from './attachment-check.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { linkedAlert, opensIncident } from './incident-fold.ts';
import { exportIncident, type IncidentExportFormat } from './incident-export.ts';
import type { EntryBodies, EntryKind, Incident, IncidentOutcome } from './incident-schema.ts';

export const SYSTEM = 'system';

/** A sealed incident export: the envelope's bytes, and what the audit entry recorded of it. */
export interface SealedIncidentExport {
  fileName: string;
  mediaType: string;
  body: Buffer;
  contentSha256: string;
  encrypted: boolean;
  entries: number;
}

export interface IncidentServiceDeps {
  incidents: IncidentRepository;
  alerts: Pick<AlertRepository, 'get'>;
  reports: Pick<SiteReportRepository, 'get'>;
  attachments: Pick<AttachmentStore, 'put' | 'get'>;
  audit: Pick<AuditLog, 'append' | 'verify' | 'count' | 'list'>;
  transaction: <T>(fn: () => T) => T;
  now: () => Date;
  logger?: Logger;
  /** The school's name and time zone, for exports. */
  site: () => { name: string; timezone: string };
  /** Tests pass cheaper scrypt parameters for encrypted exports. */
  scrypt?: SealOptions['scrypt'];
  /** Why the incident may not be signed off yet beyond its own timeline (an investigation still running), or undefined. */
  signOffBlockedBy?: (id: number) => string | undefined;
  /** The weekly review's "review due" item: an incident is one of its triggers (DfE standard 2). */
  reviewDue?: (reason: 'incident', detail: string) => void;
}

/** What a person may say when opening; from an alert or a report the rest is copied from it. */
export interface OpenDetails {
  what?: string;
  people?: string;
  reportedBy?: string;
  occurredAt?: string;
}

export class IncidentService {
  readonly #d: IncidentServiceDeps;

  constructor(deps: IncidentServiceDeps) {
    this.#d = deps;
  }

  get store(): IncidentRepository {
    return this.#d.incidents;
  }

  /** Opens (or returns, with created false) the incident of an alert, with the alert's facts copied in. */
  openFromAlert(alertId: number, actor: string, details: OpenDetails = {}): { incident: Incident; created: boolean } {
    const existing = this.#d.incidents.byAlert(alertId);
    if (existing) return { incident: existing, created: false };
    const alert = this.#d.alerts.get(alertId);
    const reportId = typeof alert.details.reportId === 'number' ? alert.details.reportId : undefined;
    const report = reportId === undefined ? undefined : this.#reportFacts(reportId);
    return this.#open({
      source: 'alert', alertId, ...(report ? { reportId } : {}),
      opened: {
        occurredAt: details.occurredAt ?? alert.firstAt,
        what: nonEmpty(details.what) ?? alert.reason,
        people: details.people?.trim() ?? '',
        reportedBy: nonEmpty(details.reportedBy) ?? actor,
        alert: linkedAlert(alert),
        ...(report ? { report } : {}),
      },
    }, actor);
  }

  openFromReport(reportId: number, actor: string, details: OpenDetails = {}): { incident: Incident; created: boolean } {
    const report = this.#reportFacts(reportId);
    const says = report.kind === 'should-be-blocked' ? 'should be blocked' : 'should not be blocked';
    return this.#open({
      source: 'report', reportId,
      opened: {
        occurredAt: details.occurredAt ?? report.blockedAt,
        what: nonEmpty(details.what) ?? `Reported from the block page: ${report.name ?? 'an address on a restricted list'} ${says}.${report.comment ? ` "${report.comment}"` : ''}`,
        people: details.people?.trim() ?? '',
        reportedBy: nonEmpty(details.reportedBy) ?? actor,
        report,
      },
    }, actor);
  }

  openByHand(actor: string, details: OpenDetails & { what: string }): Incident {
    return this.#open({
      source: 'hand',
      opened: {
        occurredAt: details.occurredAt ?? this.#d.now().toISOString(),
        what: details.what.trim(),
        people: details.people?.trim() ?? '',
        reportedBy: nonEmpty(details.reportedBy) ?? actor,
      },
    }, actor).incident;
  }

  /**
   * The alert service's callback for each new alert: a critical restricted-list or upstream-provider
   * alert opens its incident, reported by "system". Never throws: the alert is stored whatever
   * happens here, and a failure is logged for the technician.
   */
  alertStored(alert: Alert): void {
    if (!opensIncident(alert)) return;
    try {
      this.openFromAlert(alert.id, SYSTEM, { reportedBy: SYSTEM });
    } catch (error) {
      this.#d.logger?.error({ err: error, alert: alert.id }, 'a critical alert could not open its incident; open it by hand from the alerts page');
    }
  }

  note(id: number, actor: string, text: string): Incident {
    return this.#append(id, 'note', { text: text.trim() }, actor);
  }

  action(id: number, actor: string, action: { what: string; by: string; at?: string; itProvider?: boolean }): Incident {
    return this.#append(id, 'action', { what: action.what.trim(), by: action.by.trim(), at: action.at ?? this.#d.now().toISOString(), itProvider: action.itProvider === true }, actor);
  }

  /** Marks an IT-provider task done; the entry records who closed it. */
  done(id: number, actionEntry: number, actor: string, note = ''): Incident {
    return this.#append(id, 'task-done', { action: actionEntry, note: note.trim() }, actor);
  }

  outcome(id: number, actor: string, outcome: IncidentOutcome, note = ''): Incident {
    return this.#append(id, 'outcome', { outcome, note: note.trim() }, actor);
  }

  signOff(id: number, actor: string, note = ''): Incident {
    const blocked = this.#d.signOffBlockedBy?.(id);
    if (blocked !== undefined) throw new IncidentStateError(blocked);
    return this.#append(id, 'sign-off', { note: note.trim() }, actor);
  }

  correct(id: number, actor: string, correction: EntryBodies['correction']): Incident {
    return this.#append(id, 'correction', { ...correction, text: correction.text.trim(), reason: correction.reason.trim() }, actor);
  }

  /**
   * Attaches a screenshot: checked (PNG/JPEG by its bytes, size), written under the data directory
   * by its hash, then recorded with that hash. A refused file changes nothing; a file written for
   * an entry that was then refused is unreferenced, not wrong (the next identical upload reuses it).
   */
  async attach(id: number, actor: string, upload: { description: string; fileName: string; data: Uint8Array }): Promise<Incident> {
    const checked = checkAttachment(upload.data, upload.fileName);
    const description = upload.description.trim();
    if (description === '') throw new InvalidInputError('say what the attachment shows');
    // The incident's state is checked before the file is written, so a signed-off incident stores nothing.
    this.#d.incidents.get(id);
    await this.#d.attachments.put(upload.data, checked);
    return this.#append(id, 'attachment', { description, ...checked }, actor);
  }

  /** An attachment's bytes, by the entry that recorded it. */
  async attachment(id: number, entry: number): Promise<{ fileName: string; mediaType: AttachmentMediaType; data: Buffer; sha256: string }> {
    const found = this.#d.incidents.get(id).attachments.find((a) => a.entry === entry);
    if (!found) throw new InvalidInputError(`incident ${id} has no attachment ${entry}`);
    return { fileName: found.fileName, mediaType: found.mediaType, sha256: found.sha256, data: await this.#d.attachments.get(found.sha256, found.mediaType) };
  }

  /**
   * One incident as a document for someone outside the school, in the envelope every export leaves
   * in (reports/export-seal.ts): the audit chain's head at that moment, the content's SHA-256, and
   * with a passphrase encrypted. The audit entry records the same hash, so the file and the log
   * vouch for each other. The passphrase is used and forgotten.
   */
  async export(id: number, format: IncidentExportFormat, actor: string, passphrase?: string): Promise<SealedIncidentExport> {
    const incident = this.#d.incidents.get(id);
    const images = new Map<number, Uint8Array>();
    if (format === 'html') {
      for (const a of incident.attachments) {
        if (!a.mediaType.startsWith('image/')) continue;
        const data = await this.#d.attachments.get(a.sha256, a.mediaType).catch(() => undefined);
        if (data) images.set(a.entry, data);
      }
    }
    const site = this.#d.site();
    const at = this.#d.now();
    const made = exportIncident(incident, format, { school: site.name, timezone: site.timezone, exportedBy: actor, exportedAt: at, images });
    const body = Buffer.from(made.body, 'utf8');
    const auditHead = auditHeadNow(this.#d.audit);
    const sealed = sealExport({ fileName: made.fileName, mediaType: made.mediaType, body },
      { auditHead, actor, at, passphrase, ...(this.#d.scrypt ? { scrypt: this.#d.scrypt } : {}) });
    const contentSha256 = createHash('sha256').update(body).digest('hex');
    const encrypted = passphrase !== undefined;
    this.#d.audit.append({
      actor, action: 'incident.export', subject: `incident ${id}`,
      details: { format, entries: incident.timeline.length, attachments: incident.attachments.length, fileName: made.fileName, contentSha256, encrypted, sealedAtSeq: auditHead.seq },
    });
    return { fileName: sealed.fileName, mediaType: sealed.mediaType, body: sealed.body, contentSha256, encrypted, entries: incident.timeline.length };
  }

  #reportFacts(reportId: number) {
    const r = this.#d.reports.get(reportId);
    return { id: r.id, at: r.at, blockedAt: r.blockedAt, networkId: r.networkId, mac: r.mac, address: r.address, name: r.name, category: r.category, kind: r.kind, comment: r.comment };
  }

  #open(incident: Parameters<IncidentRepository['open']>[0], actor: string): { incident: Incident; created: boolean } {
    const result = this.#d.transaction(() => {
      const opened = this.#d.incidents.open(incident, actor, this.#d.now());
      if (opened.created) {
        this.#d.audit.append({
          actor, action: 'incident.open', subject: `incident ${opened.incident.id}`,
          details: { source: incident.source, ...(incident.alertId !== undefined ? { alert: incident.alertId } : {}), ...(incident.reportId !== undefined ? { report: incident.reportId } : {}) },
        });
      }
      return opened;
    });
    if (result.created) {
      try {
        this.#d.reviewDue?.('incident', `incident ${result.incident.id} opened (${result.incident.source === 'hand' ? 'by hand' : `from ${result.incident.source} ${result.incident.source === 'alert' ? result.incident.alertId : result.incident.reportId}`})`);
      } catch (error) {
        this.#d.logger?.error({ err: error, incident: result.incident.id }, 'the incident could not make its "review due" item');
      }
    }
    return result;
  }

  #append<K extends Exclude<EntryKind, 'opened'>>(id: number, kind: K, body: EntryBodies[K], actor: string): Incident {
    return this.#d.transaction(() => {
      const incident = this.#d.incidents.append(id, kind, body, actor, this.#d.now());
      const entry = incident.timeline.at(-1)!;
      // The audit entry says what kind of entry was added, never its text: the audit log is read
      // more widely (technicians) than the incident log, whose text may name a pupil.
      const details: Record<string, unknown> = { entry: entry.id, kind };
      if (kind === 'outcome') details.outcome = (body as EntryBodies['outcome']).outcome;
      if (kind === 'task-done') details.action = (body as EntryBodies['task-done']).action;
      if (kind === 'correction') details.corrects = (body as EntryBodies['correction']).corrects;
      if (kind === 'attachment') details.sha256 = (body as EntryBodies['attachment']).sha256;
      this.#d.audit.append({ actor, action: `incident.${kind}`, subject: `incident ${id}`, details });
      return incident;
    });
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
