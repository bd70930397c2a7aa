// The control socket with a real Unix socket: protocol errors are answers, never crashes.
import { connect } from 'node:net';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from 'typebox';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { callDaemon, ControlCallError, DaemonNotRunning } from '../../../firmware/control/client.ts';
import { ControlFailure, ControlServer } from '../../../firmware/control/server.ts';
import { silentLogger } from '../../../firmware/log.ts';

let dir: string;
let path: string;
let server: ControlServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schoolgate-control-'));
  path = join(dir, 'control.sock');
  server = new ControlServer(silentLogger());
  server.register<{ n: number }>('double', { params: Type.Object({ n: Type.Integer() }), handle: ({ n }) => ({ twice: n * 2 }) });
  server.register('whoami', { handle: (_p, caller) => caller });
  server.register('refuse', { handle: () => { throw new ControlFailure('not-allowed', 'you may not'); } });
  server.register('explode', { handle: () => { throw new Error('bug'); } });
  await server.listen(path);
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function rawExchange(line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\n')) { socket.destroy(); resolve(data.trim()); }
    });
    socket.on('error', reject);
    socket.write(line);
  });
}

it('calls a method with validated parameters', async () => {
  expect(await callDaemon(path, 'double', { n: 21 })).toEqual({ twice: 42 });
  await expect(callDaemon(path, 'double', { n: 'x' })).rejects.toMatchObject({ code: 'bad-params', message: expect.stringContaining('/n') });
});

it('tells the daemon who is calling, including the person behind sudo', async () => {
  process.env.SUDO_USER = 'alice';
  try {
    expect(await callDaemon(path, 'whoami')).toMatchObject({ sudoUser: 'alice' });
  } finally {
    delete process.env.SUDO_USER;
  }
});

it('returns failures as answers with codes', async () => {
  await expect(callDaemon(path, 'refuse')).rejects.toEqual(new ControlCallError('not-allowed', 'you may not'));
  await expect(callDaemon(path, 'explode')).rejects.toMatchObject({ code: 'internal' });
  await expect(callDaemon(path, 'nothing')).rejects.toMatchObject({ code: 'unknown-method' });
  expect(await callDaemon(path, 'double', { n: 1 })).toEqual({ twice: 2 });
});

it('is called in-process by the admin API with the same check and handler, and never takes an account from the socket', async () => {
  expect(await server.invoke('double', { n: 4 }, { user: 'jo.head', account: 'jo.head' })).toEqual({ twice: 8 });
  await expect(server.invoke('double', { n: 'x' }, { user: 'jo.head', account: 'jo.head' })).rejects.toMatchObject({ code: 'bad-params', message: expect.stringContaining('/n') });
  await expect(server.invoke('nothing', {}, { user: 'jo.head' })).rejects.toMatchObject({ code: 'unknown-method' });
  expect(await server.invoke('whoami', {}, { user: 'jo.head', account: 'jo.head' })).toEqual({ user: 'jo.head', account: 'jo.head' });
  // A caller over the socket naming an account would be recorded as that web UI account: refused.
  const spoof = JSON.parse(await rawExchange('{"id":1,"method":"whoami","caller":{"user":"root","account":"jo.head"}}\n'));
  expect(spoof).toMatchObject({ ok: false, error: { code: 'bad-request' } });
});

it('answers garbage with an error instead of dying', async () => {
  expect(JSON.parse(await rawExchange('not json\n'))).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  expect(JSON.parse(await rawExchange('{"id":1,"method":"double"}\n'))).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  expect(await callDaemon(path, 'double', { n: 2 })).toEqual({ twice: 4 });
});

it('keeps the socket to root and its group', async () => {
  expect((await stat(path)).mode & 0o777).toBe(0o660);
});

it('refuses to start a second server on a live socket, and replaces a stale one', async () => {
  const second = new ControlServer(silentLogger());
  await expect(second.listen(path)).rejects.toThrow(/already running/);
  await server.close();
  await writeFile(path, '');
  const third = new ControlServer(silentLogger());
  third.register('ping', { handle: () => 'pong' });
  await third.listen(path);
  expect(await callDaemon(path, 'ping')).toBe('pong');
  await third.close();
});

it('reports a missing daemon distinctly', async () => {
  await expect(callDaemon(join(dir, 'nothing.sock'), 'status')).rejects.toBeInstanceOf(DaemonNotRunning);
});
