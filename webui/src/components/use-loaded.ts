// Loads one API answer for a page and, unless `refreshMs` is null, loads it again that often while
// the tab is in view (a page left open in the office should neither poll all night nor keep its
// session awake). `reload` loads it again at once, after a change the page made, and resolves
// when the new answer is in, so the page can say what it did over the fresh list. An answer for
// a path the page has since left (a filter changed meanwhile) is dropped.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../context.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

export function useLoaded<T>(path: string, refreshMs: number | null = 60_000): Loaded<T> {
  const { api } = useApp();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The path the page shows now; null once it is gone.
  const current = useRef<string | null>(path);
  const load = async (asked: string): Promise<void> => {
    try {
      const d = await api.get<T>(asked);
      if (current.current !== asked) return;
      setData(d);
      setError(null);
    } catch (e) {
      if (current.current === asked) setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    current.current = path;
    void load(path);
    const timer = refreshMs === null ? undefined : window.setInterval(() => {
      if (document.visibilityState === 'visible') void load(path);
    }, refreshMs);
    return () => {
      current.current = null;
      if (timer !== undefined) window.clearInterval(timer);
    };
  }, [path]);
  return { data, error, reload: () => (current.current === null ? Promise.resolve() : load(current.current)) };
}
