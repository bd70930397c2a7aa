// The count of visitors waiting for the signed-in sponsor, for the navigation's "Visitors" link:
// fetched when the page changes, so a sponsor sees a new request without opening the queue.
import { useEffect, useState } from 'preact/hooks';
import type { VisitorQueue } from '../../../../firmware/admin/api/visitors-schema.ts';
import { useApp } from '../../context.ts';

export function usePendingVisitors(path: string): number {
  const { api, session } = useApp();
  const [count, setCount] = useState(0);
  const sponsor = session?.permissions.includes('visitors.sponsor') ?? false;
  useEffect(() => {
    if (!sponsor) return;
    api.get<VisitorQueue>('/api/visitors/queue').then((q) => setCount(q.pending), () => setCount(0));
  }, [path, sponsor]);
  return count;
}
