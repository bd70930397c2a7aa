// What every page reads: the API client, the signed-in session (null when signed out), a way to
// move to another page, and a flash message carried across that move.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionView } from '../../firmware/admin/api/session-schema.ts';
import type { ApiClient } from './api.ts';
import type { NoticeKind } from './components/notice.tsx';

export interface Flash {
  kind: NoticeKind;
  text: string;
}

export interface AppContext {
  api: ApiClient;
  session: SessionView | null;
  /** Replaces the session (after signing in, changing the password, enrolling two-factor). */
  setSession: (session: SessionView | null) => void;
  /** Asks the API for the session again. */
  refreshSession: () => Promise<SessionView | null>;
  navigate: (path: string, options?: { replace?: boolean; flash?: Flash }) => void;
  flash: Flash | null;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (ctx === null) throw new Error('useApp outside <App>');
  return ctx;
}
