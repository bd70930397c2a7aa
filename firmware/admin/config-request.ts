// The path a filtering change made on a page takes: never saved by the page, it is made on a copy
// of the configuration, validated as the store would validate it (every problem answered beside
// its form field, nothing asked for), and the values it changes become a change request (kind
// config) that two approvers decide and the IT provider applies. A policy's AUP rows and the
// head's limits on class unlocks both go this way; settings that are not filtering changes go
// through config-change.ts's saveConfigChange instead.
import type { Config } from '../config/schema.ts';
import { validateConfig } from '../config/validate.ts';
import type { ChangeRequest } from '../control/changes/change-schema.ts';
import { configDiff } from '../control/changes/config-diff.ts';
import type { Signed } from './auth/authenticator.ts';
import { invalidConfig } from './config-change.ts';
import { callControl, type AdminControl } from './control-call.ts';

export interface ConfigRequest<T> {
  /** The audit action once applied, e.g. "policy.edit". */
  action: string;
  /** What it edits, e.g. the policy's id. */
  subject: string;
  /** Edits the draft (a copy: nothing is saved); may throw a 400 of its own for what the schema cannot say. */
  change: (draft: Config) => T;
  /** The form field each configuration path belongs to (see ConfigChange.fieldOf). */
  fieldOf?: (path: string) => string | undefined;
  rationale: string;
  riskNote: string;
}

export interface ConfigRequested<T> {
  /** What `change` returned. */
  result: T;
  /** The request it became; null when the draft equals the configuration (nothing is asked for). */
  request: { id: number; summary: string[] } | null;
}

export async function requestConfigChange<T>(
  deps: { current: Readonly<Config>; control: AdminControl | undefined; signed: Signed | undefined },
  ask: ConfigRequest<T>,
): Promise<ConfigRequested<T>> {
  // The same copy the store makes for an update (a JSON round trip: no sharing with the snapshot).
  const draft = JSON.parse(JSON.stringify(deps.current)) as Config;
  const result = ask.change(draft);
  const checked = validateConfig(draft);
  if (!checked.ok) throw invalidConfig(checked.issues, ask.fieldOf);
  const edits = configDiff(deps.current, draft);
  if (edits.length === 0) return { result, request: null };
  const made = await callControl<ChangeRequest>(deps.control, deps.signed, 'changes.request', {
    proposal: { kind: 'config', action: ask.action, subject: ask.subject, edits },
    rationale: ask.rationale,
    riskNote: ask.riskNote,
  });
  return { result, request: { id: made.id, summary: made.summary } };
}
