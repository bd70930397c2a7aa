// The control methods behind `schoolgate classes` and the class pages (called in-process as
// account:USERNAME): `classes` lists the caller's classes, `classes.live` a lesson's lookups,
// `classes.unlock` and `classes.end-unlock` write an unlock or end one, audited by the service.
// A refusal is a ControlFailure the page shows beside the form: 403 not theirs, 404 no such
// class or unlock, 400 outside the head's limits, 409 already unlocked.
import { ControlFailure, type ControlServer } from '../control/server.ts';
import { ClassRefusal } from './class-rules.ts';
import { ClassEndUnlockParams, ClassLiveParams, ClassUnlockParams } from './class-schema.ts';
import type { ClassService } from './class-service.ts';

function failure(error: unknown): never {
  if (error instanceof ClassRefusal) throw new ControlFailure(error.code, error.message);
  throw error;
}

const guarded = async <T>(fn: () => T | Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    return failure(error);
  }
};

export function registerClassMethods(control: Pick<ControlServer, 'register'>, service: ClassService): void {
  control.register('classes', { handle: (_p, caller) => guarded(() => service.list(caller)) });
  control.register<ClassLiveParams>('classes.live', { params: ClassLiveParams, handle: (p, caller) => guarded(() => service.live(caller, p)) });
  control.register<ClassUnlockParams>('classes.unlock', { params: ClassUnlockParams, handle: (p, caller) => guarded(() => service.unlock(caller, p)) });
  control.register<ClassEndUnlockParams>('classes.end-unlock', { params: ClassEndUnlockParams, handle: (p, caller) => guarded(() => service.endUnlock(caller, p)) });
}
