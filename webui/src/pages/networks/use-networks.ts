// Loading the networks view and saving one part of it, shared by the Networks page and the setup
// wizard's later steps: every failure keeps what was typed and returns the messages by field.
import { useEffect, useState } from 'preact/hooks';
import type { NetworksView } from '../../../../firmware/admin/api/networks-schema.ts';
import { ApiRequestError } from '../../api.ts';
import { useApp } from '../../context.ts';

export interface SaveOutcome {
  ok: boolean;
  message: string;
  fields: Record<string, string>;
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
      await api.request(method, path, body);
      await reload();
      return { ok: true, message: done, fields: {} };
    } catch (e) {
      if (e instanceof ApiRequestError) return { ok: false, message: `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`, fields: e.fields };
      return { ok: false, message: String(e), fields: {} };
    }
  };
  return { view, error, save };
}
