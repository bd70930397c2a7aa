// Site reports and access requests from the block page, in state.db. Every value is checked
// against its schema before it is written, so a bad one is refused and nothing is half-stored.
import type { DatabaseSync, SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  AccessRequest, NewAccessRequest, NewSiteReport, SiteReport,
} from '../portal/reports-schema.ts';
import { checkValue, InvalidInputError, NotFoundError } from './values.ts';

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
    changeRequest: r.change_request === null || r.change_request === undefined ? null : Number(r.change_request),
    decidedBy: maybe(r.decided_by), decidedAt: maybe(r.decided_at),
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

  /** The requests still waiting for someone, oldest first (the order they were asked in). */
  openRequests(limit = 1000): AccessRequest[] {
    return this.#db.prepare("SELECT * FROM access_requests WHERE status = 'open' ORDER BY id LIMIT ?").all(limit).map(toRequest);
  }

  request(id: number): AccessRequest {
    const row = this.#db.prepare('SELECT * FROM access_requests WHERE id = ?').get(id);
    if (row === undefined) throw new NotFoundError(`there is no access request ${id}`);
    return toRequest(row);
  }

  /** Records the change request made from an open request (a later one replaces a withdrawn one's). */
  linkRequest(id: number, changeRequest: number): AccessRequest {
    const row = this.#db.prepare("UPDATE access_requests SET change_request = ? WHERE id = ? AND status = 'open' RETURNING *").get(changeRequest, id);
    if (row === undefined) throw this.#notOpen(id);
    return toRequest(row);
  }

  /** Someone who reads them has seen it and will not ask for a change. */
  dismissRequest(id: number, by: string, at: string): AccessRequest {
    const row = this.#db.prepare("UPDATE access_requests SET status = 'dismissed', decided_by = ?, decided_at = ? WHERE id = ? AND status = 'open' RETURNING *").get(by, at, id);
    if (row === undefined) throw this.#notOpen(id);
    return toRequest(row);
  }

  /** The open requests a change request was made from, granted or refused with its decision; returns those it marked. */
  decideByChange(changeRequest: number, status: 'granted' | 'refused', by: string, at: string): AccessRequest[] {
    return this.#db.prepare("UPDATE access_requests SET status = ?, decided_by = ?, decided_at = ? WHERE change_request = ? AND status = 'open' RETURNING *")
      .all(status, by, at, changeRequest).map(toRequest);
  }

  #notOpen(id: number): Error {
    const found = this.request(id);
    return new InvalidInputError(`access request ${id} is no longer open: it was ${found.status}${found.decidedBy ? ` by ${found.decidedBy}` : ''}`);
  }
}
