// Who may do what in the web UI and its API: roles as the schools' policies name them, and the
// permissions each carries. Data, not code: every route declares the permission it needs, the
// server checks it on every request, the UI only hides what would be refused, and the printable
// access matrix (the annual access review) is rendered from this same table.
//
// Roles are held by accounts, several per account (in a small school the head is also the DSL and
// the online-safety lead). "Two approvers" for a change always means two different accounts.
import { Type, type Static } from 'typebox';

export const ROLES = ['technician', 'headteacher', 'dsl', 'online-safety-lead', 'office', 'staff', 'governor'] as const;
export const Role = Type.Enum(ROLES, { description: 'a role an account holds; an account may hold several' });
export type Role = Static<typeof Role>;

export const PERMISSIONS = [
  'dashboard.view',      // the dashboard: counts, health, events needing attention
  'policy.view',         // the AUP table of each network (any signed-in member of staff)
  'policy.edit',         // networks, policies, schedules, groups (through change control when it lands)
  'lists.manage',        // lists: import, update, remove
  'devices.view',
  'devices.manage',      // name, group, reserve, suspend, caps
  'logs.view',           // the query log for troubleshooting
  'monitoring.view',     // alerts, rollups, the weekly review's data, named devices
  'monitoring.review',   // acknowledge alerts, record outcomes, sign off the weekly review, send the governor report now
  'changes.request',     // ask for a filtering change (change control)
  'changes.approve',     // approve or decline a change (change control; never one's own)
  'changes.apply',       // apply an approved change here, or record it as sent to the upstream filtering provider (the IT provider)
  'visitors.sponsor',    // sponsor a visitor, approve a visitor sponsored to oneself
  'visitors.manage',     // every visitor's record, withdraw access (DSL)
  'vouchers.issue',      // issue and record single-use vouchers (the office)
  'accounts.manage',     // create, disable, reset accounts and their roles
  'system.manage',       // settings, upstreams, certificates, backups, health actions
  'health.view',
  'audit.view',          // the audit log and its verification
  'reports.anonymised',  // the governors' anonymised reports
  'incidents.tasks',     // the IT provider's tasks from incidents: see them, mark them done (not the incident log itself)
  'classes.view',        // the teacher's class view: the classes one teaches (every class with monitoring.view), live
  'classes.unlock',      // open a category the head allows for one's class, for a lesson (within the head's limits)
] as const;
export const Permission = Type.Enum(PERMISSIONS, { description: 'something a route needs; roles carry permissions' });
export type Permission = Static<typeof Permission>;

/** What each role may do. A change here changes the printed access matrix with it. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  technician: ['dashboard.view', 'policy.view', 'policy.edit', 'lists.manage', 'devices.view', 'devices.manage', 'logs.view', 'changes.request', 'changes.apply', 'accounts.manage', 'system.manage', 'health.view', 'audit.view', 'incidents.tasks'],
  headteacher: ['dashboard.view', 'policy.view', 'devices.view', 'monitoring.view', 'monitoring.review', 'changes.request', 'changes.approve', 'visitors.sponsor', 'visitors.manage', 'accounts.manage', 'health.view', 'audit.view', 'reports.anonymised', 'incidents.tasks', 'classes.view', 'classes.unlock'],
  dsl: ['dashboard.view', 'policy.view', 'devices.view', 'devices.manage', 'monitoring.view', 'monitoring.review', 'changes.request', 'changes.approve', 'visitors.sponsor', 'visitors.manage', 'audit.view', 'reports.anonymised', 'incidents.tasks', 'classes.view'],
  'online-safety-lead': ['dashboard.view', 'policy.view', 'devices.view', 'monitoring.view', 'monitoring.review', 'changes.request', 'changes.approve', 'visitors.sponsor', 'audit.view', 'reports.anonymised', 'incidents.tasks', 'classes.view'],
  office: ['policy.view', 'vouchers.issue', 'visitors.sponsor'],
  staff: ['policy.view', 'changes.request', 'visitors.sponsor', 'classes.view', 'classes.unlock'],
  governor: ['policy.view', 'reports.anonymised'],
};

/** Roles whose holders must use TOTP two-factor (the schools' policies: administrators). */
export const TOTP_REQUIRED_ROLES: readonly Role[] = ['technician', 'headteacher', 'dsl'];

/** Roles whose holders count as approvers: setup needs two accounts holding one of them. */
export const APPROVER_ROLES: readonly Role[] = ['headteacher', 'dsl', 'online-safety-lead'];

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
}
