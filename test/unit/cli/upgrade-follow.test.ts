// `schoolgate upgrade FILE` follows the switcher while it restarts the daemon: a status call in
// flight when the daemon stops has its connection closed (the control server destroys its sockets
// on close), which is the restart going on, not a failure to report. npm run test:service met it.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restarting } from '../../../firmware/cli/commands/upgrade.ts';
import { callDaemon, ControlCallError, DaemonNotRunning } from '../../../firmware/control/client.ts';

describe('following an upgrade through the daemon\'s restart', () => {
  let dir: string;
  let server: Server;
  const socket = (): string => join(dir, 'control.sock');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'schoolgate-follow-'));
    // A daemon stopping: it takes the connection and closes it without answering.
    server = createServer((connection) => connection.destroy());
    await new Promise<void>((resolve) => server.listen(socket(), resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a connection closed mid-call, and no daemon at all, as the daemon restarting', async () => {
    const closed: unknown = await callDaemon(socket(), 'upgrade.status', undefined, 5000).then(() => 'answered', (error: unknown) => error);
    expect(closed).toBeInstanceOf(Error);
    expect(closed).not.toBeInstanceOf(DaemonNotRunning);
    expect(restarting(closed)).toBe(true);
    const none: unknown = await callDaemon(join(dir, 'absent.sock'), 'upgrade.status', undefined, 5000).catch((error: unknown) => error);
    expect(none).toBeInstanceOf(DaemonNotRunning);
    expect(restarting(none)).toBe(true);
  });

  it('still reports what the daemon refuses and a socket it may not use', () => {
    expect(restarting(new ControlCallError('forbidden', 'not allowed'))).toBe(false);
    expect(restarting(new Error('permission denied on /var/lib/schoolgate/control.sock: run as root or as a member of the schoolgate group'))).toBe(false);
  });
});
