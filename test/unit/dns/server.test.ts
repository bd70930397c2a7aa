// The UDP listeners ask for large socket buffers and report what the kernel granted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Responder } from '../../../firmware/dns/query/context.ts';
import { emptyCounters } from '../../../firmware/dns/events/event-buffer.ts';
import type { QueryHandler } from '../../../firmware/dns/query/handler.ts';
import { DnsServer } from '../../../firmware/dns/listen/server.ts';
import type { Logger } from '../../../firmware/log.ts';

function readSysctl(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

describe('DnsServer UDP buffers', () => {
  it('asks for the configured receive and send buffers and logs the sizes it got', async () => {
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const log = (fields: Record<string, unknown>, msg: string): void => { lines.push({ fields, msg }); };
    const logger = { info: log, warn: log, debug: () => {}, error: log } as unknown as Logger;
    const handler = { handle: (_p: Uint8Array, _s: string, _port: number, _t: string, _r: Responder) => {} } as unknown as QueryHandler;
    const requested = 1024 * 1024;
    const server = new DnsServer({ endpoints: [{ address: '127.0.0.1', port: 0 }], handler, counters: emptyCounters(), logger, udpBufferBytes: requested });
    await server.start();
    try {
      const [buffers] = server.udpBuffers();
      expect(buffers).toMatchObject({ address: '127.0.0.1', requested });
      expect(buffers!.receive).toBeGreaterThan(0);
      expect(buffers!.send).toBeGreaterThan(0);
      const rmemMax = readSysctl('/proc/sys/net/core/rmem_max');
      // Linux grants min(request, rmem_max) and reports twice that.
      if (process.platform === 'linux' && rmemMax !== undefined) expect(buffers!.receive).toBe(2 * Math.min(requested, rmemMax));
      const line = lines.find((l) => l.msg.startsWith('DNS UDP buffers'));
      expect(line?.fields).toMatchObject({ port: buffers!.port, requestedBytes: requested, receiveBytes: buffers!.receive });
    } finally {
      await server.stop();
    }
    expect(server.udpBuffers()).toEqual([]);
  });
});
