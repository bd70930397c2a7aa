// The UI's router decides what each address shows for whom: signed out, signed in with some
// permissions, owing a password change or two-factor. Pure, so every case is checked here.
import { describe, expect, it } from 'vitest';
import { permissionsOf, type Permission } from '../../../firmware/admin/roles.ts';
import { currentEntry, forcedPage, homeFor, NAV_GROUPS, navFor, navSectionsFor, nextFrom, normalisePath, resolve, ROUTES } from '../../../webui/src/router.ts';

const headteacher = permissionsOf(['headteacher']);
const staff = permissionsOf(['staff']);

describe('resolve', () => {
  it('sends a signed-out visitor to sign-in, remembering a deep link, and shows only the public pages', () => {
    expect(resolve('/', null)).toEqual({ kind: 'redirect', to: '/sign-in' });
    expect(resolve('/status', null)).toEqual({ kind: 'redirect', to: '/sign-in?next=%2Fstatus' });
    expect(resolve('/no-such-page', null)).toEqual({ kind: 'redirect', to: '/sign-in?next=%2Fno-such-page' });
    expect(resolve('/sign-in?next=%2Fstatus', null)).toMatchObject({ kind: 'page', route: { path: '/sign-in' } });
    expect(resolve('/setup', null)).toMatchObject({ kind: 'page', route: { path: '/setup' } });
  });

  it('opens a deep link for an account allowed it, whatever trailing slash or query it carries', () => {
    expect(resolve('/status', headteacher)).toMatchObject({ kind: 'page', route: { path: '/status' } });
    expect(resolve('/status/', headteacher)).toMatchObject({ kind: 'page', route: { path: '/status' } });
    expect(resolve('/account/two-factor?x=1#top', staff)).toMatchObject({ kind: 'page', route: { path: '/account/two-factor' } });
  });

  it('refuses a page the account\'s roles do not carry (403), and says 404 for an unknown one', () => {
    expect(resolve('/status', staff)).toMatchObject({ kind: 'forbidden', route: { path: '/status' } });
    expect(resolve('/nowhere', staff)).toEqual({ kind: 'not-found', path: '/nowhere' });
  });

  it('sends a signed-in account away from sign-in and setup to its own start page', () => {
    expect(resolve('/', headteacher)).toEqual({ kind: 'redirect', to: '/dashboard' });
    expect(resolve('/sign-in', staff)).toEqual({ kind: 'redirect', to: '/visitors' });
    expect(resolve('/setup', headteacher)).toEqual({ kind: 'redirect', to: '/dashboard' });
  });
});

describe('navFor', () => {
  it('lists only pages the permissions allow, in order', () => {
    expect(navFor(headteacher).map((r) => r.path)).toEqual(['/dashboard', '/alerts', '/review', '/incidents', '/classes', '/visitors', '/policies', '/networks', '/devices', '/lists', '/changes', '/reports', '/annual', '/audit', '/status', '/health', '/accounts', '/settings', '/incidents/tasks', '/account']);
    // A class teacher's own classes, under safeguarding.
    expect(navFor(staff).map((r) => r.path)).toEqual(['/classes', '/visitors', '/policies', '/networks', '/changes', '/account']);
    // The office issues vouchers from its own page; group vouchers and regular visitors are reached from Visitors.
    expect(navFor(permissionsOf(['office'])).map((r) => r.path)).toEqual(['/visitors', '/vouchers', '/policies', '/networks', '/account']);
    // The access matrix is reached from the accounts page, not the navigation.
    expect(navFor(headteacher).some((r) => r.path === '/accounts/matrix')).toBe(false);
    // The technician sees the dashboard and health, never the alerts or the incident log (monitoring.view), only
    // the IT provider's tasks from incidents (incidents.tasks), the backups and the upgrade page (system.manage).
    expect(navFor(permissionsOf(['technician'])).map((r) => r.path)).toEqual(['/dashboard', '/policies', '/networks', '/devices', '/lists', '/changes', '/audit', '/status', '/health', '/accounts', '/settings', '/backups', '/upgrade', '/incidents/tasks', '/account']);
    // Governors see the anonymised reports beside the AUP table.
    expect(navFor(permissionsOf(['governor'])).map((r) => r.path)).toEqual(['/policies', '/networks', '/reports', '/annual', '/account']);
  });

  it('lists the navigation section by section, so the flat list and the sections read in the same order', () => {
    const order = NAV_GROUPS.map((g) => g.id);
    const groups = ROUTES.filter((r) => r.nav === true).map((r) => order.indexOf(r.group!));
    expect(groups.every((g) => g >= 0)).toBe(true);
    expect(groups).toEqual([...groups].sort((a, b) => a - b));
    for (const role of ['technician', 'headteacher', 'dsl', 'online-safety-lead', 'office', 'staff', 'governor'] as const) {
      const p = permissionsOf([role]);
      expect(navSectionsFor(p).flatMap((s) => s.routes), role).toEqual(navFor(p));
    }
  });

  it('groups a headteacher\'s twenty entries into labelled sections, and shows an entry alone where its section says the same', () => {
    const sections = navSectionsFor(headteacher).map((s) => ({ title: s.labelled ? s.group.title : null, pages: s.routes.map((r) => r.title) }));
    expect(sections).toEqual([
      { title: null, pages: ['Dashboard'] },
      { title: 'Safeguarding', pages: ['Alerts', 'Weekly review', 'Incidents', 'Your classes'] },
      { title: null, pages: ['Visitors'] },
      { title: 'Network', pages: ['Acceptable use', 'Networks', 'Devices', 'Lists'] },
      { title: 'Governance', pages: ['Change requests', 'Reports', 'Annual review', 'Audit log'] },
      { title: 'System', pages: ['Status', 'Health', 'Accounts', 'Settings', 'IT provider tasks'] },
      { title: null, pages: ['Your account'] },
    ]);
    // A section none of whose pages the account may open is left out, not shown empty.
    expect(navSectionsFor(permissionsOf(['governor'])).map((s) => s.group.id)).toEqual(['network', 'governance', 'account']);
    expect(navSectionsFor(permissionsOf(['office'])).map((s) => [s.group.id, s.labelled])).toEqual([['visitors', true], ['network', true], ['account', false]]);
    expect(navSectionsFor(new Set())).toEqual([{ group: NAV_GROUPS.at(-1), routes: [expect.objectContaining({ path: '/account' })], labelled: false }]);
  });

  it('marks the entry a page belongs to, the longest that matches, and none for a page outside the navigation', () => {
    const nav = navFor(headteacher);
    expect(currentEntry('/incidents/tasks', nav)?.path).toBe('/incidents/tasks');
    expect(currentEntry('/incidents/incident?id=3', nav)?.path).toBe('/incidents');
    expect(currentEntry('/review/week/', nav)?.path).toBe('/review');
    expect(currentEntry('/account/two-factor', nav)?.path).toBe('/account');
    // "/audit-x" is not under "/audit".
    expect(currentEntry('/audit-x', nav)).toBeUndefined();
    expect(currentEntry('/setup/continue', nav)).toBeUndefined();
  });

  it('never lists a page that resolve would refuse', () => {
    for (const role of ['technician', 'headteacher', 'dsl', 'online-safety-lead', 'office', 'staff', 'governor'] as const) {
      const p = permissionsOf([role]);
      for (const r of navFor(p)) expect(resolve(r.path, p).kind).toBe('page');
    }
  });
});

describe('forcedPage, homeFor, nextFrom, normalisePath', () => {
  it('owes the password change before two-factor, and nothing once both are done', () => {
    expect(forcedPage({ mustChangePassword: true, totpRequired: true, totpEnrolled: false })).toBe('/account/password');
    expect(forcedPage({ mustChangePassword: false, totpRequired: true, totpEnrolled: false })).toBe('/account/two-factor');
    expect(forcedPage({ mustChangePassword: false, totpRequired: true, totpEnrolled: true })).toBeNull();
    expect(forcedPage({ mustChangePassword: false, totpRequired: false, totpEnrolled: false })).toBeNull();
  });

  it('lands each role where it has something to see', () => {
    // The dashboard for whoever may see it; otherwise the first page of their navigation.
    expect(homeFor(permissionsOf(['technician']))).toBe('/dashboard');
    expect(homeFor(permissionsOf(['headteacher']))).toBe('/dashboard');
    // Not "Your classes", first in their navigation: a member of staff who teaches no class would land on nothing.
    expect(homeFor(permissionsOf(['staff']))).toBe('/visitors');
    expect(resolve('/classes', staff)).toMatchObject({ kind: 'page', route: { path: '/classes', title: 'Your classes', group: 'safeguarding' } });
    expect(resolve('/classes', permissionsOf(['governor']))).toMatchObject({ kind: 'forbidden' });
    expect(resolve('/classes', permissionsOf(['technician']))).toMatchObject({ kind: 'forbidden' });
    expect(homeFor(permissionsOf(['governor']))).toBe('/policies');
    // Every landing is a page resolve shows, never a refusal.
    for (const role of ['technician', 'headteacher', 'dsl', 'online-safety-lead', 'office', 'staff', 'governor'] as const) {
      const p = permissionsOf([role]);
      expect(resolve(homeFor(p), p).kind).toBe('page');
    }
    // Nothing in the navigation open to it: its own account.
    expect(homeFor(new Set())).toBe('/account');
  });

  it('follows only a local path after sign-in, never another site', () => {
    expect(nextFrom('?next=%2Fstatus')).toBe('/status');
    expect(nextFrom('?next=%2F%2Fevil.example%2F')).toBeNull();
    expect(nextFrom('?next=https%3A%2F%2Fevil.example')).toBeNull();
    expect(nextFrom('')).toBeNull();
  });

  it('normalises paths', () => {
    expect(normalisePath('')).toBe('/');
    expect(normalisePath('/?a=1')).toBe('/');
    expect(normalisePath('/account//')).toBe('/account');
  });

  it('has one route per path', () => {
    expect(new Set(ROUTES.map((r) => r.path)).size).toBe(ROUTES.length);
  });
});
