// The path a settings change made in the web UI takes into the configuration: the store validates the
// whole document, writes it durably, audits the change under the account, then publishes it (the
// daemon's listeners apply it at once, exactly as after `schoolgate config reload`).
// It is for settings that are not filtering changes (networks, schedules, upstreams, the AUP
// splash, the site's settings). What is filtered (a policy's AUP rows) is not saved here: the
// policies route validates its edit the same way, then holds it as a change request for two
// approvers (routes/policies.ts, firmware/control/changes/).
import type { Config } from '../config/schema.ts';
import type { ConfigWritten } from '../config/store.ts';
import { ConfigError, type ConfigIssue } from '../config/issues.ts';
import type { AuditLog } from '../control/audit.ts';
import { AuthError } from './auth/errors.ts';

/** What the admin API may do with the configuration: read the current document, and change it through the store. */
export interface AdminConfigAccess {
  current(): Readonly<Config>;
  /** ConfigStore.update: all or nothing, rejecting with a ConfigError that lists every issue. */
  update(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config>;
}

export interface ConfigChange<T> {
  actor: string;
  /** The audit action, e.g. "policy.edit". */
  action: string;
  subject: string;
  /** Edits the draft; its result is returned, and its `details` go into the audit entry. */
  change: (draft: Config) => T & { details: unknown };
  /**
   * The form field each configuration path belongs to ("/policies/2/categories/social/schedule"
   * → "categories/social/schedule"), so the message lands beside what the person typed; paths it
   * does not claim keep their own name.
   */
  fieldOf?: (path: string) => string | undefined;
}

export async function saveConfigChange<T>(deps: { config: AdminConfigAccess; audit: Pick<AuditLog, 'append'> }, request: ConfigChange<T>): Promise<T> {
  let result: (T & { details: unknown }) | undefined;
  try {
    await deps.config.update((draft) => {
      result = request.change(draft);
    }, () => deps.audit.append({ actor: request.actor, action: request.action, subject: request.subject, details: result!.details }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw invalidConfig(error.issues, request.fieldOf);
  }
  return result!;
}

/** The 400 a page gets for a document the store would refuse: every issue beside its form field. */
export function invalidConfig(issues: readonly ConfigIssue[], fieldOf?: (path: string) => string | undefined): AuthError {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = fieldOf?.(issue.path) ?? (issue.path.replace(/^\//, '') || '(body)');
    fields[key] = fields[key] ? `${fields[key]}; ${issue.message}` : issue.message;
  }
  return new AuthError(400, 'invalid-config', `nothing was saved: ${issues.length === 1 ? 'one problem' : `${issues.length} problems`} to put right first`, fields);
}
