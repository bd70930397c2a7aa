// Every admin route declares who may use it; the hook refuses what a route does not allow. This
// walks the routes the app really registered, so a new route without a permission fails here.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { declaredRoutes } from '../../../firmware/admin/app.ts';
import { checkAccess } from '../../../firmware/admin/guard.ts';
import { PERMISSIONS } from '../../../firmware/admin/roles.ts';
import { testAdmin, type TestAdmin } from './admin-app.ts';

let t: TestAdmin;
beforeAll(async () => {
  t = await testAdmin();
  await t.app.ready();
});
afterAll(async () => {
  await t.close();
});

it('finds a known permission declared on every registered route', () => {
  const routes = declaredRoutes(t.app);
  expect(routes.length).toBeGreaterThan(10);
  const allowed = new Set<string>([...PERMISSIONS, 'public', 'signed-in']);
  const undeclared = routes.filter((r) => !allowed.has(String(r.access.permission))).map((r) => `${r.method} ${r.url}`);
  expect(undeclared).toEqual([]);
  // Public routes are few and named here, so making one public is a visible decision: the setup
  // and sign-in API, /healthz, the school's logo (shown on the sign-in page), and the web UI's own
  // files (its page for every UI path, its assets).
  expect(routes.filter((r) => r.access.permission === 'public' && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`).sort())
    .toEqual(['GET /', 'GET /*', 'GET /api/setup', 'GET /assets/*', 'GET /healthz', 'GET /logo', 'POST /api/session', 'POST /api/setup']);
});

it('refuses a route that declares nothing, whoever asks', () => {
  expect(() => checkAccess({}, undefined, '127.0.0.1')).toThrow(/declares no permission/);
});

it('refuses to build an app with a route that declares no permission', async () => {
  const other = await testAdmin();
  try {
    expect(() => other.app.get('/api/oops', async () => 'x')).toThrow(/declares no permission/);
  } finally {
    await other.close();
  }
});
