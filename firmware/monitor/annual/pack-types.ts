// What the annual review pack is rendered from: everything it shows, gathered beforehand
// (pack-sources.ts), so rendering is pure and timed on its own. The weekly reviews and the
// incidents come from their own modules through the two small read interfaces below; absent,
// their sections say honestly that this gateway has not recorded them.
import type { Config } from '../../config/schema.ts';
import type { AuditEntry, ChainVerdict } from '../../control/audit-chain.ts';
import type { Role } from '../../admin/roles.ts';
import type { CategoryDefinition } from '../../rules/catalogue.ts';
import type { AlertKind, AlertSeverity } from '../alerts/alert-schema.ts';
import type { ExternalTest, RunSummary } from '../selftest/selftest-schema.ts';
import type { AnnualReview, DataStatement } from './annual-schema.ts';

/** One signed (or unsigned) weekly review, as the pack shows it: who, on whose behalf, how many outcomes of each kind. */
export interface ReviewRecord {
  /** The week reviewed, as the review names it (e.g. its Monday, "2026-11-30"). */
  week: string;
  signedOffBy: string | null;
  onBehalfOf: string | null;
  signedAt: string | null;
  /** Outcome → how many alerts were given it ("no concern": 12, "spoke to the pupil": 1 …). */
  outcomes: Readonly<Record<string, number>>;
}

export interface ReviewHistorySource {
  /** The weekly reviews whose week falls from `from` to before `to`, oldest first. */
  reviews(from: Date, to: Date): readonly ReviewRecord[];
}

/** An incident with nothing that names a person or a device: when, what kind, how it ended. */
export interface AnonymisedIncident {
  openedAt: string;
  category: string;
  outcome: string | null;
  closedAt: string | null;
}

export interface IncidentHistorySource {
  /** Incidents opened from `from` to before `to`, anonymised by their own module, oldest first. */
  anonymised(from: Date, to: Date): readonly AnonymisedIncident[];
}

/** An alert with what it was about left out (no device, no name looked up): enough for statistics. */
export interface AlertSummary {
  kind: AlertKind;
  severity: AlertSeverity;
  firstAt: string;
  count: number;
  networkId: string | null;
  acknowledgedAt: string | null;
}

export interface PackAccount {
  displayName: string;
  username: string;
  roles: readonly Role[];
  disabled: boolean;
  breakGlass: boolean;
  totpEnrolled: boolean;
}

/** The school year the pack covers: from `from` to before `to` (the day after its last day). */
export interface PackPeriod {
  year: string;
  from: Date;
  to: Date;
}

export interface PackSources {
  config: Readonly<Config>;
  categories: ReadonlyMap<string, CategoryDefinition>;
  accounts: readonly PackAccount[];
  /** Self-test runs in the period, oldest first, and every external result recorded in it. */
  selftest: { runs: readonly RunSummary[]; external: readonly ExternalTest[] };
  /** Filtering and configuration changes in the period (changeAction), the period's entry count, and the whole chain's verification. */
  audit: { changes: readonly AuditEntry[]; entriesInPeriod: number; verdict: ChainVerdict };
  alerts: readonly AlertSummary[];
  /** Undefined: this gateway keeps no weekly reviews yet. */
  reviews?: readonly ReviewRecord[];
  /** Undefined: this gateway keeps no incident log yet. */
  incidents?: readonly AnonymisedIncident[];
  annual: AnnualReview | null;
  statement: DataStatement;
  generatedAt: Date;
  generatedBy: string;
}
