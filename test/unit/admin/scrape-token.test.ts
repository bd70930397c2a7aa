// A trust's Prometheus reads /metrics with the scrape token (metrics.tokenFile) from off the box,
// and the token opens nothing else; the token file is held to the secrets' rules.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { bearerMatches, readScrapeToken } from '../../../firmware/admin/scrape-token.ts';
import { testAdmin } from './admin-app.ts';
import { sampleStatus } from '../status-fixture.ts';

const TOKEN = 'a'.repeat(20) + '0123456789abcdef0123456789abcdef';

describe('bearerMatches', () => {
  it('takes "Bearer TOKEN" with this token only', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(bearerMatches(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(bearerMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN}`, undefined)).toBe(false);
  });
});

describe('readScrapeToken', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sg-scrape-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const configWith = (tokenFile: string) => ({ ...defaultConfig(), metrics: { tokenFile } });

  it('reads the token from a file only the daemon can read, and refuses one too short or open to others', async () => {
    await writeFile(join(dir, 'good'), `${TOKEN}\n`, { mode: 0o600 });
    expect(await readScrapeToken(configWith('good'), dir)).toBe(TOKEN);
    await writeFile(join(dir, 'short'), 'abc123\n', { mode: 0o600 });
    await expect(readScrapeToken(configWith('short'), dir)).rejects.toThrow(/6 characters; it needs at least 32/);
    await writeFile(join(dir, 'open'), `${TOKEN}\n`, { mode: 0o600 });
    await chmod(join(dir, 'open'), 0o644);
    await expect(readScrapeToken(configWith('open'), dir)).rejects.toThrow(/open to group or others/);
    expect(await readScrapeToken(defaultConfig(), dir)).toBeUndefined();
  });
});

describe('GET /metrics from off the box', () => {
  it('answers the scrape token, refuses without it, and the token opens nothing else', async () => {
    const status = sampleStatus();
    const { app, close } = await testAdmin({ status: () => status, scrapeToken: (h) => bearerMatches(h, TOKEN) });
    try {
      const from = { remoteAddress: '10.10.0.50' };
      expect((await app.inject({ method: 'GET', url: '/metrics', ...from })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/metrics', ...from, headers: { authorization: 'Bearer wrong-token-wrong-token-wrong-token' } })).statusCode).toBe(401);
      const ok = await app.inject({ method: 'GET', url: '/metrics', ...from, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('schoolgate_info{');
      expect((await app.inject({ method: 'GET', url: '/api/status', ...from, headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(401);
    } finally {
      await close();
    }
  });
});
