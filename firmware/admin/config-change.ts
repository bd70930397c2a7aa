// The one path a change made in the web UI takes into the configuration: the store validates the
// whole document, writes it durably, audits the change under the account, then publishes it (the
// daemon's listeners apply it at once, exactly as after `schoolgate config reload`).
// Change control (a proposal that two approvers sign) will replace saveConfigChange with a
// function of the same signature that stores a proposal instead: the routes do not change.
import type { Config } from '../config/schema.ts';
import type { ConfigWritten } from '../config/store.ts';
import { ConfigError } from '../config/issues.ts';
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
    const fields: Record<string, string> = {};
    for (const issue of error.issues) {
      const key = request.fieldOf?.(issue.path) ?? (issue.path.replace(/^\//, '') || '(body)');
      fields[key] = fields[key] ? `${fields[key]}; ${issue.message}` : issue.message;
    }
    throw new AuthError(400, 'invalid-config', `nothing was saved: ${error.issues.length === 1 ? 'one problem' : `${error.issues.length} problems`} to put right first`, fields);
  }
  return result!;
}
