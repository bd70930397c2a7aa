// The main navigation, in the sections router.ts gives each page (Safeguarding, Visitors,
// Network, Governance, System): a headteacher has eighteen entries, which in one row wrapped into
// three ragged lines. From a tablet's width up they stand in a column at the left, each section
// a labelled list, so the page's place in the school's work shows at a glance. Narrower, the
// column would leave too little for the page, so a Menu button (a disclosure: aria-expanded,
// aria-controls) shows the same sections on demand: Escape or moving to another page closes it
// and, after Escape, focus goes back to the button, where the keyboard user left off.
import { useEffect, useRef, useState } from 'preact/hooks';
import { currentEntry, type NavSection } from '../router.ts';
import { Link } from './link.tsx';
import { useMedia } from './use-media.ts';

/** Below this the navigation sits behind the Menu button; at it and above, in the side column (layout.css: 48rem). */
export const MENU_WIDTH = '(max-width: 47.99rem)';

export function SiteNav({ sections, path, waiting }: { sections: readonly NavSection[]; path: string; waiting: number }) {
  const narrow = useMedia(MENU_WIDTH);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setOpen(false), [path, narrow]);
  const current = currentEntry(path, sections.flatMap((s) => s.routes));
  const collapsed = narrow && !open;
  return (
    <nav class={`site-nav${narrow ? ' site-nav-menu' : ' site-nav-side'}`} aria-label="Main"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !narrow || !open) return;
        e.preventDefault();
        setOpen(false);
        button.current?.focus();
      }}>
      {narrow ? (
        <button ref={button} type="button" class="menu-button" aria-expanded={open ? 'true' : 'false'} aria-controls="site-nav-list"
          onClick={() => setOpen((o) => !o)}>
          <span class="menu-icon" aria-hidden="true">{open ? '✕' : '☰'}</span> Menu
          {current !== undefined ? <span class="menu-current">: {current.title}</span> : null}
          {waiting > 0 ? <span class="nav-count"> ({waiting} visitors waiting)</span> : null}
        </button>
      ) : null}
      <div id="site-nav-list" class="nav-sections" hidden={collapsed}>
        {sections.map((s) => (
          <div key={s.group.id} class="nav-section">
            {s.labelled ? <span class="nav-section-title" id={`nav-${s.group.id}`}>{s.group.title}</span> : null}
            <ul aria-labelledby={s.labelled ? `nav-${s.group.id}` : undefined}>
              {s.routes.map((r) => (
                <li key={r.path}>
                  <Link href={r.path} current={r === current}>
                    {r.title}{r.path === '/visitors' && waiting > 0 ? <span class="nav-count"> ({waiting} waiting)</span> : null}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </nav>
  );
}
