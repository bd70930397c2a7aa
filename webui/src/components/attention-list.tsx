// What needs attention (firmware/monitor/attention.ts), each with what to do and a link to the
// page that puts it right — a link only for an account that may open that page; for another
// (a head reading the health page) the page is named, and whose it is, instead.
import type { Attention } from '../../../firmware/monitor/attention-schema.ts';
import { useApp } from '../context.ts';
import { ROUTES } from '../router.ts';
import { Link } from './link.tsx';

function PageLink({ page }: { page: NonNullable<Attention['page']> }) {
  const { session } = useApp();
  const route = ROUTES.find((r) => r.path === page);
  if (route === undefined) return null;
  const may = route.needs === 'signed-in' || route.needs === 'public' || (session?.permissions.includes(route.needs) ?? false);
  if (may) return <Link href={page} class="attention-link">Open {route.title}</Link>;
  return <span class="muted">On the {route.title} page{route.needs === 'system.manage' ? ', a technician\'s' : ''}.</span>;
}

export function AttentionList({ items }: { items: readonly Attention[] }) {
  return (
    <ul class="attention">
      {items.map((a) => (
        <li key={a.id} data-attention={a.id}>
          <strong class="warn">{a.problem}</strong>
          <span class="attention-todo">{a.todo}</span>
          {a.page === null ? null : <PageLink page={a.page} />}
          {a.command === null ? null : <span class="attention-command">At the gateway: <code>{a.command}</code></span>}
        </li>
      ))}
    </ul>
  );
}
