// The technician's CLI talks to the running daemon over a Unix socket in the data directory:
// one JSON object per line each way. Access is the socket's file mode (root and the schoolgate
// group), so a change made over SSH is live and recorded under that SSH user's name.
import { Type, type Static } from 'typebox';

export const CONTROL_SOCKET_NAME = 'control.sock';

export const ControlRequest = Type.Object({
  id: Type.Integer({ minimum: 0 }),
  method: Type.String({ minLength: 1, maxLength: 64 }),
  params: Type.Optional(Type.Unknown()),
  caller: Type.Object({
    user: Type.String({ minLength: 1, maxLength: 64 }),
    sudoUser: Type.Optional(Type.String({ maxLength: 64 })),
  }, { additionalProperties: false }),
}, { additionalProperties: false });
export type ControlRequest = Static<typeof ControlRequest>;

export const ControlErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
});

export const ControlResponse = Type.Union([
  Type.Object({ id: Type.Integer(), ok: Type.Literal(true), result: Type.Unknown() }),
  Type.Object({ id: Type.Integer(), ok: Type.Literal(false), error: ControlErrorBody }),
]);
export type ControlResponse = Static<typeof ControlResponse>;

/**
 * A line of progress a method sends before its answer (`schoolgate lists update` downloading
 * feeds), so a person watching sees it working; any number of these, then one ControlResponse.
 */
export const ControlProgress = Type.Object({ id: Type.Integer(), progress: Type.String() });
export type ControlProgress = Static<typeof ControlProgress>;

/** What the daemon writes back: progress lines, then exactly one response. */
export type ControlMessage = ControlResponse | ControlProgress;

/**
 * A request line longer than this is refused: nothing a CLI sends comes close, except a method
 * that declares a larger limit of its own (`lists.import` carries a whole list file).
 */
export const MAX_REQUEST_BYTES = 1 << 20;

/**
 * Who calls a method: an SSH user over the socket, or a web UI account calling in-process (the
 * admin API). `account` never comes from the socket: the request's schema has no such field.
 */
export type ControlCaller = ControlRequest['caller'] & { account?: string };

/** Who made a change, for the audit log: the web UI's account, or the person behind sudo when there is one. */
export function actorOf(caller: ControlCaller): string {
  if (caller.account !== undefined) return `account:${caller.account}`;
  return `ssh:${caller.sudoUser && caller.sudoUser !== 'root' ? caller.sudoUser : caller.user}`;
}
