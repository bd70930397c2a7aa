// An in-app link: a real <a href> (so it opens in a new tab, and reads as a link), moved through
// the history API on a plain click.
import type { ComponentChildren } from 'preact';
import { useApp } from '../context.ts';

export function Link({ href, children, class: cls, current }: { href: string; children: ComponentChildren; class?: string; current?: boolean }) {
  const { navigate } = useApp();
  return (
    <a
      href={href}
      class={cls}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
