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

/** The form's own problems, in words for the person at the screen (the configuration checks the networks). */
export function aupSettingsIssues(body: AupSettingsBody): Record<string, string> {
  const fields: Record<string, string> = {};
  const version = body.version.trim();
  if (version === '') fields.version = 'give the version, for example 2026-27';
  else if (!/^[A-Za-z0-9._-]{1,32}$/.test(version)) fields.version = 'use up to 32 letters, digits, dots, dashes and underscores (2026-27, not 2026/27)';
  if (body.text.trim() === '') fields.text = 'write the acceptable use policy the splash shows';
  return fields;
}

/** Puts the section in the draft as given (no pupilText: the built-in pupils' rules). */
export function applyAupSettings(draft: Config, body: AupSettingsBody): AupSettingsChange {
  const before = draft.aup;
  const pupilText = body.pupilText?.trim() ? body.pupilText : undefined;
  const next: NonNullable<Config['aup']> = { version: body.version.trim(), text: body.text, ...(pupilText !== undefined ? { pupilText } : {}), splashOn: [...body.splashOn] };
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
