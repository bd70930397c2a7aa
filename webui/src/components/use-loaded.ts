// Loads one API answer for a page and, unless `refreshMs` is null, loads it again that often while
// the tab is in view (a page left open in the office should neither poll all night nor keep its
// session awake). `reload` loads it again at once, after a change the page made.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../context.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

export function useLoaded<T>(path: string, refreshMs: number | null = 60_000): Loaded<T> {
  const { api } = useApp();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const d = await api.get<T>(path);
        if (!stop) {
          setData(d);
          setError(null);
        }
      } catch (e) {
        if (!stop) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = refreshMs === null ? undefined : window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, refreshMs);
    return () => {
      stop = true;
      if (timer !== undefined) window.clearInterval(timer);
    };
  }, [path, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}
