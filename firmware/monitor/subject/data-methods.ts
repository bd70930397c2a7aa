// The control-socket methods behind `schoolgate data export` and `schoolgate data erase`
// (subject-access.ts): a technician answers a subject-access or erasure request over SSH, and the
// audit log records who did it.
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../control/server.ts';
import { MacAddressError } from '../../state/mac.ts';
import { InvalidInputError } from '../../state/values.ts';
import { eraseSubject, exportSubject, type SubjectAccessDeps } from './subject-access.ts';
import { EraseParams, ExportParams, type EraseResult, type SubjectExport } from './subject-schema.ts';

function asControlFailure(error: unknown): never {
  if (error instanceof MacAddressError || error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  throw error;
}

export function registerDataMethods(control: Pick<ControlServer, 'register'>, deps: SubjectAccessDeps): void {
  control.register<ExportParams>('data.export', {
    params: ExportParams,
    handle: async (params, caller): Promise<SubjectExport> => exportSubject(deps, params, actorOf(caller)).catch(asControlFailure),
  });
  control.register<EraseParams>('data.erase', {
    params: EraseParams,
    handle: async (params, caller): Promise<EraseResult> => eraseSubject(deps, params.subject, params.reason, actorOf(caller)).catch(asControlFailure),
  });
}
