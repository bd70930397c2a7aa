// The control-socket methods behind `schoolgate changes` and the change request pages (called
// in-process as account:USERNAME, whose roles are looked up on every call). Listing and showing
// change nothing and are not audited; every other method adds one step and its audit entry
// through the change service. Parameters and results are change-schema.ts's shapes.
import { ControlFailure, guardedBy, type ControlServer } from '../server.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { ChangeForbiddenError, ChangeStateError } from './change-rules.ts';
import {
  ChangeDeclineParams, ChangeIdParams, ChangeListParams, ChangeNoteParams, ChangeRequestFields, ChangeUpstreamParams,
} from './change-schema.ts';
import type { ChangeService } from './change-service.ts';

/** Control failures the pages and the CLI show: the rules (409), who is asking (403), unknown numbers (404), bad input (400). */
function failure(error: unknown): never {
  if (error instanceof ChangeStateError) throw new ControlFailure('change-state', error.message);
  if (error instanceof ChangeForbiddenError) throw new ControlFailure('forbidden', error.message);
  if (error instanceof NotFoundError) throw new ControlFailure('not-found', error.message);
  if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  throw error;
}

const guarded = guardedBy(failure);

export function registerChangeMethods(control: Pick<ControlServer, 'register'>, service: ChangeService): void {
  control.register<ChangeListParams>('changes', { params: ChangeListParams, handle: (p, c) => guarded(() => service.list(c, p)) });
  control.register<ChangeIdParams>('changes.show', { params: ChangeIdParams, handle: (p, c) => guarded(() => service.show(c, p)) });
  control.register<ChangeRequestFields>('changes.request', { params: ChangeRequestFields, handle: (p, c) => guarded(() => service.request(c, p)) });
  control.register<ChangeNoteParams>('changes.approve', { params: ChangeNoteParams, handle: (p, c) => guarded(() => service.approve(c, p)) });
  control.register<ChangeDeclineParams>('changes.decline', { params: ChangeDeclineParams, handle: (p, c) => guarded(() => service.decline(c, p)) });
  control.register<ChangeNoteParams>('changes.withdraw', { params: ChangeNoteParams, handle: (p, c) => guarded(() => service.withdraw(c, p)) });
  control.register<ChangeIdParams>('changes.apply', { params: ChangeIdParams, handle: (p, c) => guarded(() => service.apply(c, p)) });
  control.register<ChangeUpstreamParams>('changes.upstream', { params: ChangeUpstreamParams, handle: (p, c) => guarded(() => service.upstream(c, p)) });
  control.register('changes.exceptions', { handle: () => guarded(() => service.exceptions()) });
}
