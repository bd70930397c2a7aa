// A page whose code is fetched the first time it is opened: for large pages few people open (the
// annual review, a review week), so the first load stays small. Until its code arrives it shows
// the same "Loading…" the page itself shows while its data loads, so nothing flashes empty; a
// failed fetch (the gateway restarted with new firmware) says so and offers a reload.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  return function LazyPage(props: P) {
    const [, setReady] = useState(loaded !== null);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded !== null) return undefined;
      let live = true;
      pending ??= load();
      pending.then((page) => {
        loaded = page;
        if (live) setReady(true);
      }, () => {
        pending = null;
        if (live) setFailed(true);
      });
      return () => { live = false; };
    }, []);
    if (loaded !== null) {
      const Page = loaded;
      return <Page {...props} />;
    }
    return failed
      ? <p role="alert">This page could not be loaded. <a href={location.href}>Reload it</a>.</p>
      : <p role="status">Loading…</p>;
  };
}
