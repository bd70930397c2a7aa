// The main navigation. On a desktop every entry shows in a row, as before. On a phone the row
// would wrap into four lines above every page, so a Menu button (a disclosure: aria-expanded,
// aria-controls) shows it on demand, in two columns: Escape or moving to another page closes it
// and, after Escape, focus goes back to the button, where the keyboard user left off.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RouteDef } from '../router.ts';
import { Link } from './link.tsx';
import { useMedia } from './use-media.ts';

/** The width at which the layout turns to one column (layout.css uses the same). */
export const PHONE_WIDTH = '(max-width: 40rem)';

export function SiteNav({ nav, path, waiting }: { nav: readonly RouteDef[]; path: string; waiting: number }) {
  const phone = useMedia(PHONE_WIDTH);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setOpen(false), [path, phone]);
  const current = nav.find((r) => path === r.path || path.startsWith(`${r.path}/`));
  const collapsed = phone && !open;
  return (
    <nav class={`site-nav${phone ? ' site-nav-phone' : ''}`} aria-label="Main"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !phone || !open) return;
        e.preventDefault();
        setOpen(false);
        button.current?.focus();
      }}>
      {phone ? (
        <button ref={button} type="button" class="menu-button" aria-expanded={open ? 'true' : 'false'} aria-controls="site-nav-list"
          onClick={() => setOpen((o) => !o)}>
          <span class="menu-icon" aria-hidden="true">{open ? '✕' : '☰'}</span> Menu
          {current !== undefined ? <span class="menu-current">: {current.title}</span> : null}
          {waiting > 0 ? <span class="nav-count"> ({waiting} visitors waiting)</span> : null}
        </button>
      ) : null}
      <ul id="site-nav-list" hidden={collapsed}>
        {nav.map((r) => (
          <li key={r.path}><Link href={r.path} current={path === r.path || path.startsWith(`${r.path}/`)}>{r.title}{r.path === '/visitors' && waiting > 0 ? <span class="nav-count"> ({waiting} waiting)</span> : null}</Link></li>
        ))}
      </ul>
    </nav>
  );
}
