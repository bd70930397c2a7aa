// Site reports and access requests from the block page, in state.db. Every value is checked
// against its schema before it is written, so a bad one is refused and nothing is half-stored.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  AccessRequest, NewAccessRequest, NewSiteReport, SiteReport,
} from '../portal/reports-schema.ts';
import { checkValue, NotFoundError } from './values.ts';

type Row = Record<string, SQLOutputValue>;

const text = (v: SQLOutputValue | undefined): string => String(v);
const maybe = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

function toReport(r: Row): SiteReport {
  return {
    id: Number(r.id), at: text(r.at), blockedAt: text(r.blocked_at), networkId: text(r.network_id), mac: maybe(r.mac),
    address: text(r.address), name: maybe(r.name), category: maybe(r.category), verdict: text(r.verdict) as SiteReport['verdict'],
    kind: text(r.kind) as SiteReport['kind'], comment: text(r.comment), status: text(r.status) as SiteReport['status'],
  };
}

function toRequest(r: Row): AccessRequest {
  return {
    id: Number(r.id), at: text(r.at), networkId: text(r.network_id), mac: maybe(r.mac), address: text(r.address),
    name: text(r.name), category: maybe(r.category), reason: text(r.reason), status: text(r.status) as AccessRequest['status'],
  };
}

export class SiteReportRepository {
  readonly #db: DatabaseSync;
  readonly #insertReport: StatementSync;
  readonly #insertRequest: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insertReport = db.prepare(`INSERT INTO site_reports (at, blocked_at, network_id, mac, address, name, category, verdict, kind, comment)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`);
    this.#insertRequest = db.prepare(`INSERT INTO access_requests (at, network_id, mac, address, name, category, reason)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`);
  }

  addReport(report: NewSiteReport): SiteReport {
    checkValue(NewSiteReport, report, 'site report');
    // Belt and braces beside the table's CHECK: a restricted entry never reaches the file.
    const name = report.verdict === 'restricted' ? null : report.name;
    const row = this.#insertReport.get(report.at, report.blockedAt, report.networkId, report.mac, report.address, name,
      report.category, report.verdict, report.kind, report.comment);
    return toReport(row!);
  }

  addRequest(request: NewAccessRequest): AccessRequest {
    checkValue(NewAccessRequest, request, 'access request');
    const row = this.#insertRequest.get(request.at, request.networkId, request.mac, request.address, request.name, request.category, request.reason);
    return toRequest(row!);
  }

  get(id: number): SiteReport {
    const row = this.#db.prepare('SELECT * FROM site_reports WHERE id = ?').get(id);
    if (row === undefined) throw new NotFoundError(`there is no site report ${id}`);
    return toReport(row);
  }

  /** Newest first. */
  reports(limit = 1000): SiteReport[] {
    return this.#db.prepare('SELECT * FROM site_reports ORDER BY id DESC LIMIT ?').all(limit).map(toReport);
  }

  /** Reports made in [from, to) (ISO instants), oldest first (the weekly review). */
  reportsIn(from: string, to: string, limit = 5000): SiteReport[] {
    return this.#db.prepare('SELECT * FROM site_reports WHERE at >= ? AND at < ? ORDER BY at, id LIMIT ?').all(from, to, limit).map(toReport);
  }

  /** Newest first. */
  requests(limit = 1000): AccessRequest[] {
    return this.#db.prepare('SELECT * FROM access_requests ORDER BY id DESC LIMIT ?').all(limit).map(toRequest);
  }
}
