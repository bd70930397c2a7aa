// The frame of every page: a skip link, the school's name, the navigation the account may use,
// who is signed in, and the page's own heading inside <main>. Signed out, only the name shows.
// With a navigation, it and <main> share .shell: a side column beside the page on a wide screen.
import type { ComponentChildren } from 'preact';
import { useApp } from '../context.ts';
import { navSectionsFor } from '../router.ts';
import { usePendingVisitors } from '../pages/visitors/pending-count.ts';
import { Link } from './link.tsx';
import { Notice } from './notice.tsx';
import { SchoolLogo } from './school-logo.tsx';
import { SiteNav } from './site-nav.tsx';

export function Layout({ title, path, children, minimal = false }: { title: string; path: string; children: ComponentChildren; minimal?: boolean }) {
  const { session, flash } = useApp();
  const permissions = new Set(session?.permissions ?? []);
  const sections = session === null || minimal ? [] : navSectionsFor(permissions);
  const waiting = usePendingVisitors(path);
  return (
    <>
      <a href="#main" class="skip-link">Skip to the page's content</a>
      <header class="site-header">
        <div class="brand">
          <SchoolLogo />
          <span class="product">Schoolgate</span>
          {session !== null ? <span class="school">{session.site.name}</span> : null}
        </div>
        {session !== null ? (
          <div class="who">
            <span>Signed in as <strong>{session.account.displayName}</strong></span>
            <Link href="/sign-out" class="sign-out-link">Sign out</Link>
          </div>
        ) : null}
      </header>
      <div class={sections.length > 0 ? 'shell shell-with-nav' : 'shell'}>
        {sections.length > 0 ? <SiteNav sections={sections} path={path} waiting={waiting} /> : null}
        <main id="main" tabIndex={-1}>
          <h1>{title}</h1>
          <Notice kind={flash?.kind ?? 'info'}>{flash?.text}</Notice>
          {children}
        </main>
      </div>
    </>
  );
}
