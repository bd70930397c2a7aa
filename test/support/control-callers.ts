// Calling a control server's methods in-process as the web UI (an account) or a technician over
// SSH would, and catching a refusal: what the service tests of change control, classes and
// investigations each need beside their own stores.
import { expect } from 'vitest';
import type { ControlCaller } from '../../firmware/control/protocol.ts';
import { ControlFailure, type ControlServer } from '../../firmware/control/server.ts';

export function controlCallers(control: Pick<ControlServer, 'invoke'>) {
  const as = (account: string): ControlCaller => ({ user: account, account });
  const ssh: ControlCaller = { user: 'tess', sudoUser: 'tess' };
  const call = <T>(method: string, params: unknown, caller: ControlCaller): Promise<T> => control.invoke(method, params, caller) as Promise<T>;
  const failure = async (method: string, params: unknown, caller: ControlCaller): Promise<ControlFailure> => {
    const error = await control.invoke(method, params, caller).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ControlFailure);
    return error as ControlFailure;
  };
  return { as, ssh, call, failure };
}
