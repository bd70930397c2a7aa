// A tiny router over the history API: paths are the UI's addresses, so a deep link or a reload
// lands on the same page. Matching is pure (tested without a browser); navigation is the only I/O.
import type { Permission } from '../../firmware/admin/roles.ts';

/**
 * The sections of the navigation, in the order they show. A section whose only entry shares its
 * title (the dashboard, your account) shows the entry alone, without a label above it.
 */
export const NAV_GROUPS = [
  { id: 'home', title: 'Dashboard' },
  { id: 'safeguarding', title: 'Safeguarding' },
  { id: 'visitors', title: 'Visitors' },
  { id: 'network', title: 'Network' },
  { id: 'governance', title: 'Governance' },
  { id: 'system', title: 'System' },
  { id: 'account', title: 'Your account' },
] as const;
export type NavGroupId = (typeof NAV_GROUPS)[number]['id'];
export type NavGroup = (typeof NAV_GROUPS)[number];

interface RouteBase {
  path: string;
  title: string;
  /** What the account needs to see the page; 'signed-in' for any account, 'public' for none. */
  needs: Permission | 'signed-in' | 'public';
  /** The GET the page loads its data with: the browser tests check the server refuses it wherever the UI refuses the page. */
  data?: string;
  /** False: never the page an account lands on (many who may open it have nothing there, a member of staff who teaches no class). */
  home?: false;
}

/** A page in the navigation (only to accounts allowed it) names its section; any other page names none. */
export type RouteDef = RouteBase & ({ nav: true; group: NavGroupId } | { nav?: undefined; group?: undefined });

/** Every page of the UI; those in the navigation section by section, in NAV_GROUPS' order (router.test.ts checks it). */
export const ROUTES: readonly RouteDef[] = [
  { path: '/dashboard', title: 'Dashboard', needs: 'dashboard.view', nav: true, group: 'home', data: '/api/dashboard' },
  { path: '/alerts', title: 'Alerts', needs: 'monitoring.view', nav: true, group: 'safeguarding', data: '/api/alerts' },
  { path: '/review', title: 'Weekly review', needs: 'monitoring.view', nav: true, group: 'safeguarding', data: '/api/review' },
  { path: '/review/week', title: 'Weekly review record', needs: 'monitoring.view', data: '/api/review/week' },
  { path: '/incidents', title: 'Incidents', needs: 'monitoring.view', nav: true, group: 'safeguarding', data: '/api/incidents' },
  { path: '/incidents/incident', title: 'Incident', needs: 'monitoring.view' },
  { path: '/incidents/open', title: 'Open an incident', needs: 'monitoring.review' },
  // A class teacher's live view of their class (the head and the safeguarding leads see every class).
  { path: '/classes', title: 'Your classes', needs: 'classes.view', nav: true, group: 'safeguarding', data: '/api/classes', home: false },
  { path: '/visitors', title: 'Visitors', needs: 'visitors.sponsor', nav: true, group: 'visitors', data: '/api/visitors/queue' },
  { path: '/visitors/records', title: 'Visitor records', needs: 'visitors.manage', data: '/api/visitors/records' },
  { path: '/visitors/regular', title: 'Regular visitors', needs: 'visitors.sponsor', data: '/api/visitors/regular' },
  { path: '/vouchers', title: 'Vouchers', needs: 'vouchers.issue', nav: true, group: 'visitors', data: '/api/vouchers' },
  { path: '/vouchers/groups', title: 'Event vouchers', needs: 'visitors.sponsor', data: '/api/vouchers/groups' },
  { path: '/policies', title: 'Acceptable use', needs: 'policy.view', nav: true, group: 'network', data: '/api/policies' },
  { path: '/networks', title: 'Networks', needs: 'policy.view', nav: true, group: 'network', data: '/api/networks' },
  { path: '/devices', title: 'Devices', needs: 'devices.view', nav: true, group: 'network', data: '/api/devices' },
  { path: '/lists', title: 'Lists', needs: 'dashboard.view', nav: true, group: 'network', data: '/api/lists' },
  // Any member of staff asks for a filtering change and follows it; approvers and the IT provider see every request.
  { path: '/changes', title: 'Change requests', needs: 'changes.request', nav: true, group: 'governance', data: '/api/changes' },
  { path: '/changes/new', title: 'Ask for a change', needs: 'changes.request' },
  { path: '/changes/request', title: 'Change request', needs: 'changes.request' },
  { path: '/reports', title: 'Reports', needs: 'reports.anonymised', nav: true, group: 'governance', data: '/api/reports/summary' },
  { path: '/annual', title: 'Annual review', needs: 'reports.anonymised', nav: true, group: 'governance', data: '/api/annual' },
  { path: '/annual/statement', title: 'Data-processing statement', needs: 'reports.anonymised', data: '/api/annual/statement' },
  { path: '/audit', title: 'Audit log', needs: 'audit.view', nav: true, group: 'governance', data: '/api/audit' },
  { path: '/status', title: 'Status', needs: 'health.view', nav: true, group: 'system', data: '/api/status' },
  { path: '/health', title: 'Health', needs: 'health.view', nav: true, group: 'system', data: '/api/health' },
  { path: '/accounts', title: 'Accounts', needs: 'accounts.manage', nav: true, group: 'system', data: '/api/accounts' },
  { path: '/accounts/matrix', title: 'Access matrix', needs: 'accounts.manage', data: '/api/access-matrix' },
  { path: '/settings', title: 'Settings', needs: 'health.view', nav: true, group: 'system', data: '/api/settings' },
  { path: '/backups', title: 'Backups', needs: 'system.manage', nav: true, group: 'system', data: '/api/backups' },
  { path: '/upgrade', title: 'Upgrade', needs: 'system.manage', nav: true, group: 'system', data: '/api/system/upgrade' },
  { path: '/setup/continue', title: 'First-run setup', needs: 'system.manage', data: '/api/setup/continue' },
  // The IT provider's own page of incidents: it sits with the technician's other system pages.
  { path: '/incidents/tasks', title: 'IT provider tasks', needs: 'incidents.tasks', nav: true, group: 'system', data: '/api/incident-tasks' },
  { path: '/account', title: 'Your account', needs: 'signed-in', nav: true, group: 'account', data: '/api/session' },
  { path: '/account/sponsor-code', title: 'Your sponsor code', needs: 'visitors.sponsor', data: '/api/visitors/sponsor-code' },
  { path: '/account/password', title: 'Change password', needs: 'signed-in' },
  { path: '/account/two-factor', title: 'Two-factor sign-in', needs: 'signed-in' },
  { path: '/sign-out', title: 'Signing out', needs: 'signed-in' },
  { path: '/sign-in', title: 'Sign in', needs: 'public' },
  { path: '/setup', title: 'First-run setup', needs: 'public' },
];

export type Match =
  | { kind: 'page'; route: RouteDef }
  | { kind: 'redirect'; to: string }
  | { kind: 'forbidden'; route: RouteDef }
  | { kind: 'not-found'; path: string };

/** A path without a trailing slash, query or fragment: "/status/" and "/status?x" are "/status". */
export function normalisePath(path: string): string {
  const bare = path.replace(/[?#].*$/, '');
  const trimmed = bare.length > 1 ? bare.replace(/\/+$/, '') : bare;
  return trimmed === '' ? '/' : trimmed;
}

/**
 * The first page an account lands on: the dashboard if it may see it, otherwise the first page of
 * the navigation it may open (a member of staff their visitors, a governor the AUP table), and
 * its own account only when nothing else is open to it.
 */
export function homeFor(permissions: ReadonlySet<Permission>, routes: readonly RouteDef[] = ROUTES): string {
  if (permissions.has('dashboard.view')) return '/dashboard';
  return navFor(permissions, routes).find((r) => r.home !== false)?.path ?? '/account';
}

function allowed(route: RouteDef, permissions: ReadonlySet<Permission>): boolean {
  if (route.needs === 'public' || route.needs === 'signed-in') return true;
  // The status page is the gateway's health and the dashboard's counts: either permission shows it.
  if (route.path === '/status') return permissions.has('health.view') || permissions.has('dashboard.view');
  return permissions.has(route.needs);
}

/**
 * What to show at `path` for a signed-in account with `permissions` (null when signed out, when
 * every page but the public ones sends to sign-in, remembering where the person was going).
 */
export function resolve(path: string, permissions: ReadonlySet<Permission> | null, routes: readonly RouteDef[] = ROUTES): Match {
  const p = normalisePath(path);
  if (p === '/') return { kind: 'redirect', to: permissions === null ? '/sign-in' : homeFor(permissions) };
  const route = routes.find((r) => r.path === p);
  if (permissions === null) {
    if (route?.needs === 'public') return { kind: 'page', route };
    return { kind: 'redirect', to: `/sign-in?next=${encodeURIComponent(p)}` };
  }
  if (route === undefined) return { kind: 'not-found', path: p };
  if (route.path === '/sign-in' || route.path === '/setup') return { kind: 'redirect', to: homeFor(permissions) };
  return allowed(route, permissions) ? { kind: 'page', route } : { kind: 'forbidden', route };
}

/** The navigation for an account: only what it may open (the server refuses the rest anyway). */
export function navFor(permissions: ReadonlySet<Permission>, routes: readonly RouteDef[] = ROUTES): RouteDef[] {
  return routes.filter((r) => r.nav === true && allowed(r, permissions));
}

export interface NavSection {
  group: NavGroup;
  routes: RouteDef[];
  /** Whether the section shows its title above its entries: not when its one entry says the same. */
  labelled: boolean;
}

/** The navigation in its sections, only those with an entry the account may open, in NAV_GROUPS' order. */
export function navSectionsFor(permissions: ReadonlySet<Permission>, routes: readonly RouteDef[] = ROUTES): NavSection[] {
  const open = navFor(permissions, routes);
  return NAV_GROUPS.flatMap((group) => {
    const inGroup = open.filter((r) => r.group === group.id);
    if (inGroup.length === 0) return [];
    return [{ group, routes: inGroup, labelled: !(inGroup.length === 1 && inGroup[0]!.title === group.title) }];
  });
}

/** The navigation entry a path belongs to: itself, or the entry whose path it continues ("/review/week" is the review's). */
export function currentEntry(path: string, nav: readonly RouteDef[]): RouteDef | undefined {
  const p = normalisePath(path);
  // The longest match wins: "/incidents/tasks" is its own entry, not the incident log's.
  return nav.filter((r) => p === r.path || p.startsWith(`${r.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
}

/** Where to go after signing in: the `next` a deep link carried, if it is one of our own paths. */
export function nextFrom(search: string): string | null {
  const next = new URLSearchParams(search).get('next');
  // Only a local path: "//evil.example" or "https://…" would send the person elsewhere.
  return next !== null && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

/**
 * The page an account must finish before anything else: a temporary password is changed first,
 * then two-factor is enrolled where one of its roles requires it. Null when nothing is owed.
 */
export function forcedPage(account: { mustChangePassword: boolean; totpRequired: boolean; totpEnrolled: boolean }): string | null {
  if (account.mustChangePassword) return '/account/password';
  if (account.totpRequired && !account.totpEnrolled) return '/account/two-factor';
  return null;
}
