// A page's save that mixes settings with a filtering change: a network's form holds its name and
// addressing beside the policy its devices get; the schedules form, names beside the times the AUP
// rows follow; the device groups form, names beside the policy each group gets. The whole edit is
// checked first, as one, so every problem lands beside its field and nothing is saved or asked
// for. Then what is not filtering saves at once (config-change.ts), and the filtering values
// become a change request (config-request.ts) made against the configuration as just saved, so
// the paths the approvers read are those applying will find.
import type { Config } from '../config/schema.ts';
import { validateConfig } from '../config/validate.ts';
import type { AuditLog } from '../control/audit.ts';
import { configDiff } from '../control/changes/config-diff.ts';
import { actorOf, type Signed } from './auth/authenticator.ts';
import { AuthError } from './auth/errors.ts';
import { invalidConfig, saveConfigChange, type AdminConfigAccess } from './config-change.ts';
import { requestConfigChange } from './config-request.ts';
import type { AdminControl } from './control-call.ts';

/** The reason and risk note a change request needs: the schema's least (ChangeRequestFields). */
const WHY_MIN = 10;

export interface SplitChange {
  /** The audit action of the part saved at once, and the change request's. */
  action: string;
  subject: string;
  /** The whole edit as the form asks it, filtering and not; `details` go into the audit entry. */
  change: (draft: Config) => { details: unknown };
  /** Puts the filtering values of `current` back into `draft`: what is left saves at once. */
  keepFiltering: (draft: Config, current: Readonly<Config>) => void;
  fieldOf?: (path: string) => string | undefined;
  /** Why, for the part that becomes a change request; needed only when there is one. */
  rationale?: string | undefined;
  riskNote?: string | undefined;
}

export interface SplitSaved {
  /** Whether anything that is not filtering was saved at once. */
  saved: boolean;
  /** The change request the filtering part became; null when it changed nothing that is filtered. */
  request: { id: number; summary: string[] } | null;
}

export interface SplitDeps {
  config: AdminConfigAccess;
  audit: Pick<AuditLog, 'append'>;
  control: AdminControl | undefined;
  signed: Signed | undefined;
}

const copyOf = (config: Readonly<Config>): Config => JSON.parse(JSON.stringify(config)) as Config;

/** What the form must still say when its edit changes what is filtered, by field; empty when it says enough. */
export function missingWhy(edit: Pick<SplitChange, 'rationale' | 'riskNote'>): Record<string, string> {
  const missing: Record<string, string> = {};
  if ((edit.rationale ?? '').trim().length < WHY_MIN) missing.rationale = `say why this change to what is filtered is needed, at least ${WHY_MIN} characters: the approvers read it`;
  if ((edit.riskNote ?? '').trim().length < WHY_MIN) missing.riskNote = `say who could reach what, and why that is acceptable, at least ${WHY_MIN} characters`;
  return missing;
}

export async function saveSplitChange(deps: SplitDeps, edit: SplitChange): Promise<SplitSaved> {
  const current = deps.config.current();
  const whole = copyOf(current);
  edit.change(whole);
  const checked = validateConfig(whole);
  if (!checked.ok) throw invalidConfig(checked.issues, edit.fieldOf);
  const rest = copyOf(whole);
  edit.keepFiltering(rest, current);
  const filtering = configDiff(rest, whole).length > 0;
  if (filtering) {
    const missing = missingWhy(edit);
    if (Object.keys(missing).length > 0) {
      throw new AuthError(400, 'why-needed', 'nothing was saved: this changes what is filtered, so it is sent for approval with why it is needed and what it risks', missing);
    }
  }
  let saved = false;
  if (configDiff(current, rest).length > 0) {
    await saveConfigChange({ config: deps.config, audit: deps.audit }, {
      actor: actorOf(deps.signed!.account), action: edit.action, subject: edit.subject, fieldOf: edit.fieldOf,
      change: (draft) => {
        const done = edit.change(draft);
        edit.keepFiltering(draft, current);
        return done;
      },
    });
    saved = true;
  }
  if (!filtering) return { saved, request: null };
  try {
    const asked = await requestConfigChange({ current: deps.config.current(), control: deps.control, signed: deps.signed }, {
      action: edit.action, subject: edit.subject, change: edit.change, fieldOf: edit.fieldOf,
      rationale: edit.rationale!.trim(), riskNote: edit.riskNote!.trim(),
    });
    return { saved, request: asked.request };
  } catch (error) {
    if (!saved || !(error instanceof AuthError)) throw error;
    throw new AuthError(error.status, error.code, `the other changes were saved, but the change to what is filtered was not sent: ${error.message}`, error.fields);
  }
}
