// The AUP splash's settings as the Acceptable use page reads and changes them (pure): the `aup`
// section, the networks it may be turned on for, and the change applied to a draft configuration
// for saveConfigChange, which validates the whole document (a guest or unknown network refused
// beside the list of networks).
import type { Config } from '../config/schema.ts';
import type { AupSettingsBody, AupSettingsView } from './api/aup-schema.ts';

export function aupSettingsView(config: Readonly<Config>, editable: boolean): AupSettingsView {
  return {
    aup: config.aup ? structuredClone(config.aup) : null,
    networks: config.networks.filter((n) => n.kind !== 'guest').map((n) => ({ id: n.id, name: n.name, kind: n.kind })),
    editable,
  };
}

const FIELDS = ['version', 'text', 'pupilText', 'splashOn'] as const;

export interface AupSettingsChange {
  changed: string[];
  versionChanged: boolean;
  details: { changed: string[]; version: string; previousVersion: string | null };
}

/** Puts the section in the draft as given (no pupilText: the built-in pupils' rules). */
export function applyAupSettings(draft: Config, body: AupSettingsBody): AupSettingsChange {
  const before = draft.aup;
  const next: NonNullable<Config['aup']> = { version: body.version, text: body.text, ...(body.pupilText !== undefined ? { pupilText: body.pupilText } : {}), splashOn: [...body.splashOn] };
  const changed = FIELDS.filter((f) => JSON.stringify(before?.[f]) !== JSON.stringify(next[f]));
  draft.aup = next;
  const previousVersion = before?.version ?? null;
  return { changed, versionChanged: previousVersion !== null && previousVersion !== next.version, details: { changed, version: next.version, previousVersion } };
}

/** "/aup/splashOn/2" → "splashOn": each problem beside the form's field. */
export function aupSettingsField(path: string): string | undefined {
  const m = /^\/aup\/(version|text|pupilText|splashOn)(?:\/|$)/.exec(path);
  return m ? m[1] : undefined;
}
