// The one owner of state.db. Other modules get repositories from here, never the handle, so every
// query against the file is in this folder (or the audit log it constructs).
import type { DatabaseSync } from 'node:sqlite';
import { AuditLog } from '../control/audit.ts';
import { AlertRepository } from './alerts.ts';
import { AnnualReviewRepository } from './annual-reviews.ts';
import { AupAcceptanceRepository } from './aup-acceptances.ts';
import type { Logger } from '../log.ts';
import { AccountRepository } from './accounts.ts';
import { ChangeRequestRepository } from './change-requests.ts';
import { DeviceRepository } from './devices.ts';
import { IncidentRepository } from './incidents.ts';
import { InvestigationRepository } from './investigations.ts';
import { LeaseRepository } from './leases.ts';
import { NetworkEventRepository } from './network-events.ts';
import { SelftestRepository } from './selftest.ts';
import { ReviewRepository } from './reviews.ts';
import { SiteReportRepository } from './site-reports.ts';
import { STATE_MIGRATIONS } from './migrations.ts';
import { VisitorRequestRepository } from './visitor-requests.ts';
import { VoucherRepository } from './vouchers.ts';
import { closeSqliteFile, openSqliteFile, SqliteFileError } from './sqlite-file.ts';
import { atomically } from './values.ts';

export interface StateDatabaseOptions {
  logger?: Logger;
  now?: () => Date;
}

const NAME = 'state.db';

export class StateDatabaseError extends Error {
  override name = 'StateDatabaseError';
}

export class StateDatabase {
  readonly devices: DeviceRepository;
  readonly audit: AuditLog;
  readonly leases: LeaseRepository;
  readonly networkEvents: NetworkEventRepository;
  readonly selftest: SelftestRepository;
  readonly alerts: AlertRepository;
  readonly siteReports: SiteReportRepository;
  readonly accounts: AccountRepository;
  readonly vouchers: VoucherRepository;
  readonly visitorRequests: VisitorRequestRepository;
  readonly aupAcceptances: AupAcceptanceRepository;
  readonly incidents: IncidentRepository;
  readonly investigations: InvestigationRepository;
  readonly annualReviews: AnnualReviewRepository;
  readonly reviews: ReviewRepository;
  readonly changes: ChangeRequestRepository;
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync, now: () => Date) {
    this.#db = db;
    this.devices = new DeviceRepository(db, now);
    this.audit = new AuditLog(db, now);
    this.leases = new LeaseRepository(db, this.devices);
    this.networkEvents = new NetworkEventRepository(db);
    this.selftest = new SelftestRepository(db);
    this.alerts = new AlertRepository(db);
    this.siteReports = new SiteReportRepository(db);
    this.accounts = new AccountRepository(db);
    this.vouchers = new VoucherRepository(db);
    this.visitorRequests = new VisitorRequestRepository(db, this.vouchers);
    this.aupAcceptances = new AupAcceptanceRepository(db);
    this.incidents = new IncidentRepository(db);
    this.investigations = new InvestigationRepository(db);
    this.annualReviews = new AnnualReviewRepository(db);
    this.reviews = new ReviewRepository(db);
    this.changes = new ChangeRequestRepository(db);
  }

  /**
   * Opens (creating with mode 0600 if missing) and migrates. A file from a newer build, or one
   * that is not a SQLite database, is refused before anything is written to it.
   * ":memory:" gives a private in-memory database for tests.
   */
  static open(file: string, options: StateDatabaseOptions = {}): StateDatabase {
    const now = options.now ?? (() => new Date());
    try {
      return new StateDatabase(openSqliteFile(file, { name: NAME, migrations: STATE_MIGRATIONS, now, logger: options.logger }), now);
    } catch (error) {
      if (error instanceof SqliteFileError) throw new StateDatabaseError(error.message, { cause: error.cause });
      throw error;
    }
  }

  get schemaVersion(): number {
    return Number(this.#db.prepare('PRAGMA user_version').get()?.user_version);
  }

  /**
   * Runs fn in one transaction (a savepoint if one is open), so a change and the audit entry
   * that records it are committed together or not at all.
   */
  transaction<T>(fn: () => T): T {
    return atomically(this.#db, fn);
  }

  /**
   * A consistent copy of the whole database at this instant, written to `file` (which must not
   * exist): VACUUM INTO on this connection, so it reads one snapshot while the daemon keeps
   * writing, and the copy is compact and needs no -wal file beside it. For backups.
   */
  snapshotTo(file: string): void {
    this.#db.exec(`VACUUM INTO '${file.replaceAll("'", "''")}'`);
  }

  close(): void {
    closeSqliteFile(this.#db);
  }
}
