// The data-processing statement, generated: what the gateway holds, why, where, for how long and
// who can see it, for the school's information asset register and DPIA. Pure: from the
// configuration's retention settings and the roles table, so the statement changes when they do
// and never says what the box does not do. Every state.db and logs.db table is named by one item
// (a unit test holds the stores to that).
import type { Config } from '../../config/schema.ts';
import { ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '../../admin/roles.ts';
import { DEFAULT_ALERTS_DAYS, DEFAULT_HOURLY_ROLLUPS_DAYS, DEFAULT_NETWORK_EVENTS_DAYS } from '../retention.ts';
import type { DataStatement, StatementItem } from './annual-schema.ts';

/** The roles as the school's staff name them (the access matrix's words). */
export const ROLE_TITLES: Readonly<Record<Role, string>> = {
  technician: 'Technician (IT provider)',
  headteacher: 'Headteacher',
  dsl: 'Designated safeguarding lead',
  'online-safety-lead': 'Online-safety lead',
  office: 'School office',
  staff: 'Staff',
  governor: 'Governor or trust reviewer',
};

/** Roles holding any of the permissions, in the roles table's order. */
export function rolesWith(permissions: readonly Permission[]): string[] {
  return ROLES.filter((r) => ROLE_PERMISSIONS[r].some((p) => permissions.includes(p))).map((r) => ROLE_TITLES[r]);
}

const days = (n: number): string => {
  if (n % 365 === 0) return n === 365 ? '1 year' : `${n / 365} years`;
  if (n >= 60 && n % 30 === 0) return `${n / 30} months (${n} days)`;
  if (n % 7 === 0 && n < 60) return n === 7 ? '1 week' : `${n / 7} weeks (${n} days)`;
  return n === 1 ? '1 day' : `${n} days`;
};

const SSH = 'the technician at the gateway (SSH)';
const KEPT_FOR_GOOD = 'Kept for good: never deleted, because it is the record the school answers for; a correction is a new entry';

interface Options {
  /** How exported reports are protected; the sealed exports add their own line. */
  exports?: readonly string[];
  /** Where the data directory is on this gateway (the CLI's --data-dir). */
  dataDir?: string;
}

export function dataStatement(config: Readonly<Pick<Config, 'site' | 'retention'> & Partial<Pick<Config, 'web'>>>, at: Date, options: Options = {}): DataStatement {
  const r = config.retention;
  const item = (i: Omit<StatementItem, 'whoCanSee'> & { see: readonly Permission[]; alsoSee?: string }): StatementItem => {
    const { see, alsoSee, ...rest } = i;
    return { ...rest, whoCanSee: [...rolesWith(see), ...(alsoSee ? [alsoSee] : [])] };
  };
  const items: StatementItem[] = [
    item({
      id: 'query-log', what: 'DNS query log',
      holds: 'each name a device on a school network looked up: the time, the network, the device (its hardware (MAC) address and IP address), the answer (allowed, blocked and why, the category and list)',
      personal: true, why: 'monitoring, as Keeping Children Safe in Education asks: alerts, the weekly review, investigating a safeguarding concern, answering a subject-access request',
      where: 'logs.db on the gateway', tables: ['query_events'], setting: 'retention.queryEventsDays',
      kept: `${days(r.queryEventsDays)}, then deleted by the gateway every hour`, see: ['logs.view'], alsoSee: `${SSH}, for a subject-access request (schoolgate data export)`,
    }),
    item({
      id: 'hourly-rollups', what: 'Hourly counts per device', holds: 'how many questions and blocks each device had in each hour, by category', personal: true,
      why: 'the dashboard and the weekly review\'s trends, tracing a concern by the hour', where: 'logs.db on the gateway', tables: ['rollup_hours', 'rollup_mark'],
      setting: 'retention.hourlyRollupsDays', kept: `${days(r.hourlyRollupsDays ?? DEFAULT_HOURLY_ROLLUPS_DAYS)}, then deleted`, see: ['dashboard.view', 'monitoring.view'],
    }),
    item({
      id: 'daily-rollups', what: 'Daily counts per device', holds: 'how many questions and blocks each device had each day, by category', personal: true,
      why: 'trends over the year and the annual review, once the detail has gone', where: 'logs.db on the gateway', tables: ['rollup_days'],
      setting: 'retention.rollupsDays', kept: `${days(r.rollupsDays)}, then deleted`, see: ['dashboard.view', 'monitoring.view'],
    }),
    item({
      id: 'devices', what: 'Device records', holds: 'each device that took an address: hardware address, the name staff gave it, its host name, group, owner (a person, "school" or a class), first and last seen, a suspension and its reason',
      personal: true, why: 'giving each device the right filtering, knowing which device a concern is about, suspending a device', where: 'state.db on the gateway', tables: ['devices'],
      setting: null, kept: 'While the device is in use; erased on request with its leases, events and logs (schoolgate data erase)', see: ['devices.view'],
    }),
    item({
      id: 'leases', what: 'DHCP leases', holds: 'which device holds which address on which network, and until when', personal: true,
      why: 'giving out addresses, and naming the device behind an address in the logs', where: 'state.db on the gateway', tables: ['leases'],
      setting: null, kept: 'One row per device and network, replaced as its address changes; erased with the device', see: ['devices.view'],
    }),
    item({
      id: 'network-events', what: 'Network events', holds: 'tethering, bypass and peer-to-peer attempts, a school device on the guest network: each names a device', personal: true,
      why: 'alerts and the weekly review', where: 'state.db on the gateway', tables: ['network_events'], setting: 'retention.networkEventsDays',
      kept: `${days(r.networkEventsDays ?? DEFAULT_NETWORK_EVENTS_DAYS)}, then deleted`, see: ['monitoring.view'],
    }),
    item({
      id: 'visitors', what: 'Visitors and vouchers', holds: 'a visitor\'s name and details as they registered, their sponsor, the vouchers issued (never their codes, only a keyed hash), the devices signed in with each, failed code attempts',
      personal: true, why: 'the sponsor\'s endorsement the school\'s policy requires, and withdrawing access', where: 'state.db on the gateway',
      tables: ['visitors', 'visitor_requests', 'vouchers', 'voucher_devices', 'voucher_groups', 'sponsor_codes', 'code_attempts'], setting: 'retention.visitorRecordsDays',
      kept: `${days(r.visitorRecordsDays)} after the visitor's last voucher ends, then deleted`, see: ['visitors.manage', 'vouchers.issue'],
      alsoSee: 'a sponsor, the visitors they sponsored',
    }),
    item({
      id: 'aup', what: 'Acceptable-use acceptances', holds: 'which device accepted which version of the acceptable use policy, on which network and when', personal: true,
      why: 'showing that users accepted the policy, renewed with each version', where: 'state.db on the gateway', tables: ['aup_acceptances'], setting: null,
      kept: 'No time limit is set yet: kept until the device is erased', see: ['devices.view'],
    }),
    item({
      id: 'alerts', what: 'Alerts', holds: 'what raised each alert (a device and the name it looked up, or what happened), when, how often, and who acknowledged it with what note', personal: true,
      why: 'prompt safeguarding action and the weekly review', where: 'state.db on the gateway', tables: ['alerts'], setting: 'retention.alertsDays',
      kept: `Open alerts until acknowledged; acknowledged ones ${days(r.alertsDays ?? DEFAULT_ALERTS_DAYS)} after their last occurrence, then deleted`, see: ['monitoring.view'],
    }),
    item({
      id: 'site-reports', what: 'Site reports and access requests', holds: 'sites reported from the block page and staff requests for access, with the device and the time', personal: true,
      why: 'correcting the filter, as the school\'s policy lets anyone ask', where: 'state.db on the gateway', tables: ['site_reports', 'access_requests'], setting: null,
      kept: 'No time limit is set yet: kept until erased with the device', see: ['monitoring.view'], alsoSee: SSH,
    }),
    item({
      id: 'reviews', what: 'Weekly reviews', holds: 'each week\'s review: the outcome and note recorded for each alert, who reviewed and on whose behalf, the sign-off; the reasons a review fell due, the reminders and overdue notices sent, and each firmware version\'s first start', personal: true,
      why: 'the formal weekly monitoring the school\'s policy requires, and its evidence', where: 'state.db on the gateway', tables: ['review_outcomes', 'review_signoffs', 'review_due', 'review_notices', 'firmware_starts'], setting: null,
      kept: KEPT_FOR_GOOD, see: ['monitoring.view'], alsoSee: 'governors, anonymised',
    }),
    item({
      id: 'incidents', what: 'Incident log', holds: 'the paper log\'s fields: what happened, people involved, investigation, actions and by whom, outcome, attachments', personal: true,
      why: 'safeguarding records and the evidence an investigation must keep', where: 'state.db on the gateway', tables: ['incidents', 'incident_entries'], setting: null,
      kept: KEPT_FOR_GOOD, see: ['monitoring.view'], alsoSee: 'governors, anonymised (no names, no devices)',
    }),
    item({
      id: 'investigations', what: 'Investigations of a device', holds: 'each investigation of one device for an incident: the device, the policy it had meanwhile, from when until when, who asked, the two senior accounts that approved it, who ended it, and each saving of its evidence (every name the device looked up in that time, kept as a file attached to the incident, with its SHA-256)', personal: true,
      why: 'a safeguarding concern looked into with senior staff involved, and the evidence it must keep', where: 'state.db and the incident attachments on the gateway', tables: ['investigation_events'], setting: null,
      kept: KEPT_FOR_GOOD, see: ['monitoring.review'], alsoSee: SSH,
    }),
    item({
      id: 'change-requests', what: 'Filtering change requests', holds: 'each request to change filtering: what, the reason and risk note, who asked, who approved, declined or withdrew it, and how it ended (applied here or sent to the filtering provider, with its reference). An investigation request\'s details (the device, the incident, the reason) are seen only by the person who asked and those who review monitoring; the others listed see that it exists and its status', personal: true,
      why: 'the school\'s policy: any change to filtering is asked for in writing and agreed by two people, and every request and outcome is audited each year', where: 'state.db on the gateway',
      tables: ['change_requests', 'change_steps'], setting: null, kept: KEPT_FOR_GOOD, see: ['changes.approve', 'changes.apply', 'audit.view'], alsoSee: `the member of staff who asked (their own requests); ${SSH}`,
    }),
    item({
      id: 'annual-review', what: 'Annual reviews', holds: 'each year\'s review: its participants\' names and parts, their sign-offs and comments; external filter test results (tester, tool, result)', personal: true,
      why: 'showing governors each year that filtering and monitoring work', where: 'state.db on the gateway',
      tables: ['annual_reviews', 'annual_participants', 'annual_signoffs', 'selftest_external'], setting: null, kept: KEPT_FOR_GOOD, see: ['reports.anonymised'],
    }),
    item({
      id: 'selftest', what: 'Filter self-test history', holds: 'the names tested, what each network should get and what it got; no device or person', personal: false,
      why: 'proving each day that filtering works', where: 'state.db on the gateway', tables: ['selftest_runs', 'selftest_networks', 'selftest_checks'], setting: null,
      kept: 'Kept for good (not personal data)', see: ['reports.anonymised', 'health.view'], alsoSee: SSH,
    }),
    item({
      id: 'audit', what: 'Audit log', holds: 'every sign-in and every change: who (an account or SSH user), when, what, and the device or account it was about', personal: true,
      why: 'accountability: no one, the headteacher included, can change filtering unseen; evidence that records were not altered (a hash chain)', where: 'state.db on the gateway', tables: ['audit_log'],
      setting: null, kept: 'Kept for good: entries cannot be changed or deleted (an erasure keeps only who erased which device and why)', see: ['audit.view'], alsoSee: SSH,
    }),
    item({
      id: 'accounts', what: 'Staff accounts and sessions', holds: 'each account\'s name, user name, e-mail, roles, password hash (argon2id), two-factor secret, last sign-in; each session\'s address and times', personal: true,
      why: 'signing in, and knowing who did what', where: 'state.db on the gateway', tables: ['accounts', 'account_roles', 'sessions'], setting: null,
      kept: 'Accounts are disabled, never deleted, so the audit log still names someone; a session ends after its idle or absolute time', see: ['accounts.manage'],
    }),
    item({
      id: 'configuration', what: 'Configuration', holds: 'networks, policies and lists; names of staff who asked for an exception; alert contacts\' names and e-mail addresses', personal: true,
      why: 'running the gateway as the school decided', where: 'config.json on the gateway (earlier versions kept beside it as .bak files); passwords and keys in secrets/', tables: ['config.json'], setting: null,
      kept: 'Until changed', see: ['policy.view', 'system.manage'],
    }),
  ];
  return {
    site: config.site.name,
    at: at.toISOString(),
    location: `Everything above is on the gateway itself${options.dataDir ? ` (${options.dataDir})` : ''}, in the school, on its own storage; none of it is sent to Schoolgate's makers or any cloud service. What leaves the box is listed below.`,
    items,
    exports: [
      'Alerts are sent to the contacts the school configured (e-mail, or a webhook signed with the school\'s key): each names the device and what it looked up.',
      config.web?.https
        ? 'The web UI is served over HTTPS on the staff and management networks only, to signed-in accounts, each page to the roles above; a session ends after its idle minutes.'
        : 'The web UI is not yet served over HTTPS (web.https is not set): it must stay on the gateway\'s own loopback address until it is. Each page is shown only to signed-in accounts whose roles allow it.',
      'A subject-access export (schoolgate data export) is made at the gateway by the technician over SSH and recorded in the audit log: who, which device, how many records.',
      'This annual pack names no pupil device: its incidents are anonymised, and its audit section shows filtering and configuration changes only, with the audit chain\'s verification.',
      ...(options.exports ?? []),
    ],
  };
}
