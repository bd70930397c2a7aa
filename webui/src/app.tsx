// The application: finds out who is signed in (or whether the box still needs setting up), then
// shows the page the address names, or sends to sign-in, to a page the account must finish first,
// or to the refused/not-found page.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionView, SetupState } from '../../firmware/admin/api/session-schema.ts';
import type { Permission } from '../../firmware/admin/roles.ts';
import { ApiClient, ApiRequestError } from './api.ts';
import { Layout } from './components/layout.tsx';
import { lazyPage } from './components/lazy-page.tsx';
import { Link } from './components/link.tsx';
import { Ctx, type AppContext, type Flash } from './context.ts';
import { AccountPage } from './pages/account.tsx';
import { AccessMatrixPage } from './pages/accounts/access-matrix.tsx';
import { AccountsPage } from './pages/accounts/accounts.tsx';
import { AuditPage } from './pages/audit/audit.tsx';
import { StatementPage } from './pages/annual/statement-page.tsx';
import { DevicesPage } from './pages/devices/devices.tsx';
import { ListsPage } from './pages/lists/lists.tsx';
import { AlertsPage } from './pages/alerts/alerts.tsx';
import { ChangeRequestPageView } from './pages/changes/change-request.tsx';
import { ChangesPage } from './pages/changes/changes-list.tsx';
import { ClassesPage } from './pages/classes/classes-page.tsx';
import { NewChangePage } from './pages/changes/new-change.tsx';
import { IncidentPage } from './pages/incidents/incident.tsx';
import { IncidentsPage } from './pages/incidents/incidents.tsx';
import { OpenIncidentPage } from './pages/incidents/open-incident.tsx';
import { IncidentTasksPage } from './pages/incidents/tasks.tsx';
import { DashboardPage } from './pages/dashboard/dashboard.tsx';
import { HealthPage } from './pages/health/health.tsx';
import { ChangePasswordPage } from './pages/change-password.tsx';
import { NetworksPage } from './pages/networks/networks-page.tsx';
import { PoliciesPage } from './pages/policies/policies-page.tsx';
import { ReportsPage } from './pages/reports/reports.tsx';
import { ReviewListPage } from './pages/review/review-list.tsx';
import { accountsWereMade, SetupContinuePage, setupContinues } from './pages/setup-continue.tsx';
import { SettingsPage } from './pages/settings/settings-page.tsx';
import { SetupPage } from './pages/setup.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SignOutPage } from './pages/sign-out.tsx';
import { StatusPage } from './pages/status.tsx';
import { TwoFactorPage } from './pages/two-factor.tsx';
import { VisitorQueuePage } from './pages/visitors/queue.tsx';
import { VisitorRecordsPage } from './pages/visitors/records.tsx';
import { SponsorCodePage } from './pages/visitors/sponsor-code.tsx';
import { GroupVouchersPage } from './pages/vouchers/groups.tsx';
import { OfficeVouchersPage } from './pages/vouchers/office.tsx';
import { RegularVisitorsPage } from './pages/vouchers/regular.tsx';

// The largest pages few people open, fetched when first opened (components/lazy-page.tsx).
const AnnualPage = lazyPage(() => import('./pages/annual/annual-page.tsx').then((m) => m.AnnualPage));
const BackupsPage = lazyPage(() => import('./pages/backups/backups.tsx').then((m) => m.BackupsPage));
const ReviewWeekPage = lazyPage(() => import('./pages/review/review-week.tsx').then((m) => m.ReviewWeekPage));
const UpgradePage = lazyPage(() => import('./pages/system/upgrade-page.tsx').then((m) => m.UpgradePage));
import { forcedPage, resolve } from './router.ts';

type Boot = { state: 'loading' } | { state: 'ready' };

const location = () => `${window.location.pathname}${window.location.search}`;

export function App() {
  const [path, setPath] = useState(location());
  const [session, setSessionState] = useState<SessionView | null>(null);
  const [setup, setSetup] = useState<SetupState | null>(null);
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const [flash, setFlash] = useState<Flash | null>(null);

  const api = useMemo(() => new ApiClient({
    onSessionEnded: () => setSessionState((s) => {
      if (s !== null) setFlash({ kind: 'warning', text: 'Your session ended: please sign in again.' });
      return null;
    }),
  }), []);

  const setSession = (s: SessionView | null) => {
    api.setCsrfToken(s?.csrfToken ?? null);
    setSessionState(s);
  };

  const refreshSession = async (): Promise<SessionView | null> => {
    try {
      const s = await api.get<SessionView>('/api/session');
      setSession(s);
      return s;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) {
        setSession(null);
        return null;
      }
      throw e;
    }
  };

  const navigate: AppContext['navigate'] = (to, options) => {
    if (options?.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
    setFlash(options?.flash ?? null);
    setPath(location());
  };

  useEffect(() => {
    const onPop = () => {
      setFlash(null);
      setPath(location());
    };
    window.addEventListener('popstate', onPop);
    void (async () => {
      // Signed out and never set up: the first page anyone sees is setup. Either call failing
      // (the API unreachable) still leaves the sign-in page usable, with the reason shown.
      try {
        const s = await refreshSession();
        if (s === null) setSetup(await api.get<SetupState>('/api/setup').catch(() => null));
      } catch (e) {
        setFlash({ kind: 'error', text: `Could not find out whether you are signed in: ${e instanceof Error ? e.message : String(e)}` });
      }
      setBoot({ state: 'ready' });
    })();
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const ctx: AppContext = { api, session, setSession, refreshSession, navigate, flash };
  const permissions: ReadonlySet<Permission> | null = session === null ? null : new Set(session.permissions);
  const pathname = path.replace(/[?#].*$/, '');

  // Where the address must change before anything renders.
  let redirect: string | null = null;
  let match = resolve(path, permissions);
  if (boot.state === 'ready') {
    if (session === null && setup?.needed === true && !accountsWereMade() && pathname !== '/setup') redirect = '/setup';
    else if (session !== null) {
      const forced = forcedPage(session.account);
      if (forced !== null && pathname !== forced && pathname !== '/sign-out') redirect = forced;
      // The steps after the accounts are the technician's: another role signing in first goes to its own pages.
      else if (forced === null && setupContinues() && permissions?.has('system.manage') === true && pathname !== '/setup/continue' && pathname !== '/sign-out') redirect = '/setup/continue';
    }
    if (redirect === null && match.kind === 'redirect') redirect = match.to;
  }
  useEffect(() => {
    if (redirect !== null) navigate(redirect, { replace: true, flash: flash ?? undefined });
  }, [redirect]);
  const [moves, setMoves] = useState(0);
  useEffect(() => {
    if (match.kind === 'page') document.title = `${match.route.title} — Schoolgate${session ? ` — ${session.site.name}` : ''}`;
    // After a move inside the app (not on the first load, where the skip link comes first), focus
    // the page's main region so a screen reader starts reading the new page.
    if (boot.state !== 'ready') return;
    if (moves > 0) document.getElementById('main')?.focus({ preventScroll: true });
    setMoves((n) => n + 1);
  }, [path, boot.state]);

  let page;
  if (boot.state === 'loading' || redirect !== null || match.kind === 'redirect') {
    page = <Layout title="Schoolgate" path={pathname} minimal><p class="loading" role="status">Loading…</p></Layout>;
  } else if (match.kind === 'not-found') {
    page = (
      <Layout title="Page not found" path={pathname}>
        <p>There is no page at <code>{match.path}</code>. It may have moved, or the link may be mistyped.</p>
        <p><Link href="/">Go to the start page</Link></p>
      </Layout>
    );
  } else if (match.kind === 'forbidden') {
    page = (
      <Layout title="Not allowed" path={pathname}>
        <p>Your account's roles do not include “{match.route.title}”. If you need it, ask the school's technician or headteacher to add the role to your account.</p>
        <p><Link href="/">Go to the start page</Link></p>
      </Layout>
    );
  } else {
    const route = match.route;
    const forced = session === null ? null : forcedPage(session.account);
    const content = (() => {
      switch (route.path) {
        case '/sign-in': return <SignInPage search={path.slice(pathname.length)} />;
        case '/setup': return <SetupPage state={setup} onDone={() => setSetup((s) => (s === null ? s : { ...s, needed: false }))} />;
        case '/sign-out': return <SignOutPage />;
        case '/status': return <StatusPage />;
        case '/dashboard': return <DashboardPage />;
        case '/alerts': return <AlertsPage />;
        case '/incidents': return <IncidentsPage />;
        case '/incidents/incident': return <IncidentPage search={path.slice(pathname.length)} />;
        case '/incidents/open': return <OpenIncidentPage search={path.slice(pathname.length)} />;
        case '/incidents/tasks': return <IncidentTasksPage />;
        case '/classes': return <ClassesPage search={path.slice(pathname.length)} />;
        case '/changes': return <ChangesPage />;
        case '/changes/new': return <NewChangePage search={path.slice(pathname.length)} />;
        case '/changes/request': return <ChangeRequestPageView search={path.slice(pathname.length)} />;
        case '/review': return <ReviewListPage />;
        case '/review/week': return <ReviewWeekPage />;
        case '/health': return <HealthPage />;
        case '/upgrade': return <UpgradePage />;
        case '/policies': return <PoliciesPage />;
        case '/networks': return <NetworksPage />;
        case '/setup/continue': return <SetupContinuePage />;
        case '/visitors': return <VisitorQueuePage />;
        case '/visitors/records': return <VisitorRecordsPage />;
        case '/visitors/regular': return <RegularVisitorsPage />;
        case '/vouchers': return <OfficeVouchersPage />;
        case '/vouchers/groups': return <GroupVouchersPage />;
        case '/account/sponsor-code': return <SponsorCodePage />;
        case '/account': return <AccountPage />;
        case '/devices': return <DevicesPage />;
        case '/lists': return <ListsPage />;
        case '/accounts': return <AccountsPage />;
        case '/accounts/matrix': return <AccessMatrixPage />;
        case '/audit': return <AuditPage />;
        case '/reports': return <ReportsPage />;
        case '/annual': return <AnnualPage />;
        case '/annual/statement': return <StatementPage />;
        case '/settings': return <SettingsPage />;
        case '/backups': return <BackupsPage />;
        case '/account/password': return <ChangePasswordPage forced={forced === '/account/password'} />;
        case '/account/two-factor': return <TwoFactorPage forced={forced === '/account/two-factor'} />;
        default: return <p>This page is still to be built.</p>;
      }
    })();
    page = <Layout title={route.title} path={pathname} minimal={forced !== null}>{content}</Layout>;
  }
  return <Ctx.Provider value={ctx}>{page}</Ctx.Provider>;
}
