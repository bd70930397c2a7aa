// The navigation's sections in Chromium against a real daemon built from webui/: a headteacher, a
// governor, a technician and a member of staff each open a page of theirs at a desktop (1280 px),
// a small laptop or large tablet (1024 px), a tablet (768 px) and a phone (390 px). From 768 px the
// sections stand in a column beside the page, every entry on one line and nothing under the page;
// on a phone they open from the Menu button. The current page is marked (aria-current) and only
// its own entry; the keyboard reaches the entries straight after the header; on paper the column
// is gone and the page has the width. Screenshots: tmp/screenshots/webui-nav-<role>-<width>.png.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf, type Role } from '../../firmware/admin/roles.ts';
import { navSectionsFor } from '../../webui/src/router.ts';
import { launchChromium } from '../support/browser.ts';
import { startDaemonProcess, testConfig, type RunningDaemon } from '../support/daemon.ts';
import { setUpSchoolWithRoles, type AdminApi, type ApiSession } from './support/admin-api.ts';
import { axeSerious, shot, SHOTS } from './support/webui.ts';

const WIDE = [
  { name: '1280', viewport: { width: 1280, height: 800 } },
  { name: '1024', viewport: { width: 1024, height: 768 } },
  { name: '768', viewport: { width: 768, height: 1024 } },
] as const;
const PHONE = { width: 390, height: 844 };

/** Each person, the page they open, and the entry that page marks as current. */
const PEOPLE: { role: Role; path: string; heading: string; current: string }[] = [
  { role: 'headteacher', path: '/review', heading: 'Weekly review', current: 'Weekly review' },
  { role: 'governor', path: '/reports', heading: 'Reports', current: 'Reports' },
  // The IT provider's tasks live under /incidents/… but are their own entry, not the incident log's.
  { role: 'technician', path: '/incidents/tasks', heading: 'IT provider tasks', current: 'IT provider tasks' },
  { role: 'staff', path: '/account/password', heading: 'Change password', current: 'Your account' },
];

let daemon: RunningDaemon;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let admin: AdminApi;
let sessions: Partial<Record<Role, ApiSession>>;

beforeAll(async () => {
  daemon = await startDaemonProcess(await testConfig({ address: '127.0.0.1', port: 9 }));
  ({ browser, close: closeBrowser } = await launchChromium());
  await mkdir(SHOTS, { recursive: true });
  let head: ApiSession;
  ({ admin, head, ...sessions } = await setUpSchoolWithRoles(daemon, { governor: ['e.governor', 'governor'], technician: ['g.tech', 'technician'], staff: ['f.staff', 'staff'] }));
  sessions.headteacher = head;
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await daemon?.cleanup();
});

/** The sections as the page shows them: each list's accessible name (null where unlabelled) and its entries. */
async function shownSections(page: Page): Promise<{ title: string | null; pages: string[] }[]> {
  return page.locator('nav[aria-label="Main"] .nav-section').evaluateAll((sections) => sections.map((s) => {
    const list = s.querySelector('ul')!;
    const by = list.getAttribute('aria-labelledby');
    return {
      title: by === null ? null : document.getElementById(by)?.textContent ?? '(missing label)',
      pages: [...list.querySelectorAll('a')].map((a) => a.textContent ?? ''),
    };
  }));
}

const expectedSections = (role: Role) => navSectionsFor(permissionsOf([role])).map((s) => ({ title: s.labelled ? s.group.title : null, pages: s.routes.map((r) => r.title) }));

describe.each(PEOPLE)('the $role\'s navigation', ({ role, path, heading, current }) => {
  it.each(WIDE)('stands in sections beside the page at $name px, one line an entry, the current page marked', async ({ name, viewport }) => {
    const { page, cspViolations } = await admin.openAs(browser, sessions[role]!, path, viewport);
    try {
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('button', { name: /^Menu/ }).count()).toBe(0);
      expect(await shownSections(page)).toEqual(expectedSections(role));

      // Beside the page, never over or under it, and no entry wraps onto a second line.
      const navBox = (await nav.boundingBox())!;
      const mainBox = (await page.locator('main').boundingBox())!;
      expect(navBox.x + navBox.width).toBeLessThanOrEqual(mainBox.x + 1);
      expect(navBox.y).toBeLessThan(mainBox.y + 1);
      for (const link of await nav.getByRole('link').all()) {
        // One line of text and its padding is 44 px; a second line would make it over 60.
        const box = (await link.boundingBox())!;
        expect(box.height, `${await link.innerText()} at ${name}`).toBeLessThan(56);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

      // Exactly one entry is current: the page's own (the longest path that matches).
      expect(await nav.locator('[aria-current="page"]').allInnerTexts()).toEqual([current]);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, `nav-${role}-${name}`);
      expect(cspViolations).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('opens from the Menu button on a 390 px phone, in the same sections', async () => {
    const { page } = await admin.openAs(browser, sessions[role]!, path, PHONE);
    try {
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      const nav = page.getByRole('navigation', { name: 'Main' });
      const menu = nav.getByRole('button', { name: /^Menu/ });
      expect(await menu.innerText()).toContain(current);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await nav.getByRole('link').count()).toBe(0);
      await shot(page, `nav-${role}-390`);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      expect(await shownSections(page)).toEqual(expectedSections(role));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, `nav-${role}-390-menu`);
    } finally {
      await page.context().close();
    }
  });
});

it('is reached by the keyboard straight after the header, and is gone on paper, the page taking the width', async () => {
  const { page } = await admin.openAs(browser, sessions.headteacher!, '/status', WIDE[0].viewport);
  try {
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('link', { name: 'Sign out' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Dashboard');
    // Down the sections to Safeguarding's first entry, and Enter opens it.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Alerts');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/alerts$/);
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    expect(await nav.locator('[aria-current="page"]').allInnerTexts()).toEqual(['Alerts']);

    await page.emulateMedia({ media: 'print' });
    expect(await nav.isVisible()).toBe(false);
    expect((await page.locator('main').boundingBox())!.x).toBeLessThan(20);
    await page.emulateMedia({ media: 'screen' });
    expect((await page.locator('main').boundingBox())!.x).toBeGreaterThan(150);
  } finally {
    await page.context().close();
  }
});
