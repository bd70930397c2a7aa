// The control-socket methods behind `schoolgate investigations` and the investigation pages
// (called in-process as account:USERNAME, whose roles are looked up on every call): listing and
// showing change nothing; ending one and saving its evidence are audited by the service.
// Asking for one is a change request (`changes.request` with an investigation proposal).
import { ControlFailure, guardedBy, type ControlServer } from '../../control/server.ts';
import { ConfigError } from '../../config/validate.ts';
import { InvestigationStateError } from '../../state/investigations.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { InvestigationForbiddenError } from './investigation-rules.ts';
import { InvestigationEndParams, InvestigationIdParams, InvestigationListParams } from './investigation-schema.ts';
import type { InvestigationService } from './investigation-service.ts';

/** Control failures the pages and the CLI show: who is asking (403), unknown numbers (404), bad input (400), the record's state (409). */
function failure(error: unknown): never {
  if (error instanceof InvestigationForbiddenError) throw new ControlFailure('forbidden', error.message);
  if (error instanceof NotFoundError) throw new ControlFailure('not-found', error.message);
  if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  if (error instanceof InvestigationStateError) throw new ControlFailure('investigation-state', error.message);
  if (error instanceof ConfigError) throw new ControlFailure('investigation-state', `the configuration would not be valid: ${error.message}`);
  throw error;
}

const guarded = guardedBy(failure);

export function registerInvestigationMethods(control: Pick<ControlServer, 'register'>, service: InvestigationService): void {
  control.register<InvestigationListParams>('investigations', { params: InvestigationListParams, handle: (p, c) => guarded(() => service.list(c, p)) });
  control.register<InvestigationIdParams>('investigations.show', { params: InvestigationIdParams, handle: (p, c) => guarded(() => service.show(c, p)) });
  control.register<InvestigationEndParams>('investigations.end', { params: InvestigationEndParams, handle: (p, c) => guarded(() => service.end(c, p)) });
  control.register<InvestigationIdParams>('investigations.save-evidence', { params: InvestigationIdParams, handle: (p, c) => guarded(() => service.saveEvidence(c, p)) });
}
