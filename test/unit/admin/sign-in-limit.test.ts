// The sign-in rate as the daemon wires it (startAdminAccess over a real configuration store): a
// change of web.signInsPerMinute holds from the next attempt, without a restart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startAdminAccess } from '../../../firmware/admin/admin-access.ts';
import { buildAdminApp } from '../../../firmware/admin/app.ts';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigStore } from '../../../firmware/config/store.ts';
import { silentLogger } from '../../../firmware/log.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';
import { sampleStatus } from '../status-fixture.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

it('applies a changed sign-in rate to the next attempt', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-signin-'));
  const config = await ConfigStore.open(join(dataDir, 'config.json'), { createWith: defaultConfig });
  await config.update((draft) => ({ ...draft, web: { ...draft.web, signInsPerMinute: 3 } }));
  const state = StateDatabase.open(':memory:');
  closers.push(() => state.close());
  const access = await startAdminAccess({ dataDir, state, config, logger: silentLogger() });
  const app = await buildAdminApp({ ...access.appOptions, logger: silentLogger(), status: sampleStatus, https: false });
  closers.push(() => app.close());
  const attempt = async () => (await app.inject({
    method: 'POST', url: '/api/session', remoteAddress: '127.0.0.1', headers: { host: '127.0.0.1', origin: 'http://127.0.0.1' },
    payload: { username: 'someone', password: 'whatever it is' },
  })).statusCode;

  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push(await attempt());
  expect(statuses).toEqual([401, 401, 401, 429]);
  // What the Settings page's save does: the store changes, the routes are not rebuilt.
  await config.update((draft) => ({ ...draft, web: { ...draft.web, signInsPerMinute: 6 } }));
  expect(await attempt()).toBe(401);
  await config.update((draft) => ({ ...draft, web: { ...draft.web, signInsPerMinute: 3 } }));
  expect(await attempt()).toBe(429);
});
