// Is the daemon that `current` runs working? The three things a school notices first: DNS answers
// on loopback, the control socket answers `status` (with the version that should be running), and
// the web UI answers. Each is tried until all pass or the time limit ends.
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { join } from 'node:path';
import { readConfigFile } from '../config/store.ts';
import { callDaemon } from '../control/client.ts';
import { CONTROL_SOCKET_NAME } from '../control/protocol.ts';

export interface HealthResult {
  ok: boolean;
  /** Each check's last outcome: "ok" or why not. */
  checks: { dns: string; control: string; web: string };
}

const loopbackFor = (address: string): string => (address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address);

/** One DNS question (A health.schoolgate.invalid); any reply with our id is an answer. */
export function askDns(address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = Math.floor(Math.random() * 0xffff);
    const name = Buffer.concat(['health', 'schoolgate', 'invalid'].map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])));
    const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    const question = Buffer.concat([header, name, Buffer.from([0, 0, 1, 0, 1])]);
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { socket.close(); reject(new Error(`no DNS answer from ${address}:${port} in ${timeoutMs} ms`)); }, timeoutMs);
    socket.on('message', (reply) => {
      if (reply.length >= 12 && reply.readUInt16BE(0) === id) {
        clearTimeout(timer);
        socket.close();
        resolve();
      }
    });
    socket.on('error', (error) => { clearTimeout(timer); socket.close(); reject(error); });
    socket.send(question, port, address);
  });
}

function askWeb(address: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path: '/', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      if ((res.statusCode ?? 500) < 500) resolve();
      else reject(new Error(`the web UI answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no web UI answer from ${address}:${port} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface HealthOptions {
  dataDir: string;
  /** The version `status` must report. */
  version: string;
  /** How long the daemon has to pass every check. */
  timeoutMs: number;
  /** Stops early (the service manager saw the daemon exit for good); default never. */
  givenUp?: () => Promise<boolean>;
}

/** Checks until every check passes or the time is up; never throws. */
export async function checkHealth(options: HealthOptions): Promise<HealthResult> {
  const checks = { dns: 'not tried', control: 'not tried', web: 'not tried' };
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      const config = await readConfigFile(join(options.dataDir, 'config.json'));
      const dns = config.dns.listen[0];
      const tries: Array<[keyof typeof checks, () => Promise<void>]> = [
        ['control', async () => {
          const status = await callDaemon(join(options.dataDir, CONTROL_SOCKET_NAME), 'status', undefined, 3000) as { version?: string };
          if (status.version !== options.version) throw new Error(`the daemon reports version ${status.version}, not ${options.version}`);
        }],
        ['dns', async () => {
          if (dns === undefined) throw new Error('the configuration has no dns.listen address');
          await askDns(loopbackFor(dns.address), dns.port, 2000);
        }],
        ['web', () => askWeb(loopbackFor(config.web.admin.address), config.web.admin.port, 3000)],
      ];
      for (const [name, attempt] of tries) {
        if (checks[name] === 'ok') continue;
        try {
          await attempt();
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = (error as Error).message;
        }
      }
    } catch (error) {
      checks.control = `the configuration could not be read: ${(error as Error).message}`;
    }
    if (Object.values(checks).every((c) => c === 'ok')) return { ok: true, checks };
    if (Date.now() >= deadline || (await options.givenUp?.()) === true) return { ok: false, checks };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
