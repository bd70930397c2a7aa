// Loading the networks view and saving one part of it, shared by the Networks page and the setup
// wizard's later steps: every failure keeps what was typed and returns the messages by field.
import { useEffect, useState } from 'preact/hooks';
import type { FilteringSaved, NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { requestSentWords } from '../../components/request-sent.tsx';
import { useApp } from '../../context.ts';

export interface SaveOutcome {
  ok: boolean;
  message: string;
  fields: Record<string, string>;
  /** The change request the filtering part of the save became, when it did. */
  request?: number | null;
}

export type SaveNetworks = (method: 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, done: string) => Promise<SaveOutcome>;

export function useNetworks() {
  const { api } = useApp();
  const [view, setView] = useState<NetworksView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => api.get<NetworksView>('/api/networks').then(setView, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  useEffect(() => { void reload(); }, []);

  const save: SaveNetworks = async (method, path, body, done) => {
    try {
      // A save holding a filtering change answers what it saved at once and the request the rest became.
      const answer = await api.request<Partial<FilteringSaved> | undefined>(method, path, body);
      await reload();
      const request = answer?.request?.id ?? null;
      if (request === null) return { ok: true, message: done, fields: {} };
      return { ok: true, message: `${requestSentWords(request)}${answer?.saved === true ? ' Everything else on the form is saved.' : ''}`, fields: {}, request };
    } catch (e) {
      if (e instanceof ApiRequestError) return { ok: false, message: `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`, fields: e.fields };
      return { ok: false, message: String(e), fields: {} };
    }
  };
  return { view, error, save };
}
