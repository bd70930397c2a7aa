// What the web UI's browser tests share: axe-core's check, screenshots, the setup code a daemon
// printed, and TOTP codes as an authenticator app shows them.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { APP_ROOT } from '../../../firmware/paths.ts';
import type { RunningDaemon } from '../../support/daemon.ts';

export const SHOTS = join(APP_ROOT, 'tmp', 'screenshots');
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.2 A/AA rules on the page as it stands; returns the serious and critical ones. */
export async function axeSerious(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  for (const v of violations) console.log(`axe ${v.impact}: ${v.id} — ${v.help} (${v.targets.join(', ')})`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

export async function shot(page: Page, name: string): Promise<void> {
  const file = join(SHOTS, `webui-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

/** The one-time setup code the daemon printed (its log) or reports (`schoolgate status --json`). */
export async function setupCode(daemon: RunningDaemon): Promise<string> {
  const status = await daemon.cli(['status', '--json']);
  const fromStatus = /"setup(?:Code|_code)?"\s*:\s*(?:\{[^}]*"code"\s*:\s*)?"([^"]+)"/.exec(status.stdout)?.[1];
  const fromLog = /setup code[^A-Za-z0-9]*([A-Za-z0-9-]{4,})/i.exec(daemon.output())?.[1];
  const code = fromStatus ?? fromLog;
  if (code === undefined) throw new Error(`no setup code in schoolgate status --json or the daemon's log:\n${status.stdout}\n${daemon.output()}`);
  return code;
}

const STEP_MS = 30_000;

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for the time step `step`, as an authenticator app computes it. */
export function totpAt(base32: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Codes for each account's secret that never repeat a time step: the gateway refuses a code
 * already used (a replay), and a test signs in again well within 30 s. The step after the
 * current one is inside the gateway's one-step window for a phone's clock running ahead, so
 * the second code of a step is the next step's, as a person would type it after waiting.
 */
export class Authenticator {
  readonly #secrets = new Map<string, string>();
  readonly #lastStep = new Map<string, number>();

  enrol(username: string, secret: string): void {
    this.#secrets.set(username, secret);
    this.#lastStep.delete(username);
  }

  has(username: string): boolean {
    return this.#secrets.has(username);
  }

  code(username: string, now = Date.now()): string {
    const secret = this.#secrets.get(username);
    if (secret === undefined) throw new Error(`no TOTP secret enrolled for ${username} in this test`);
    const step = Math.max(Math.floor(now / STEP_MS), (this.#lastStep.get(username) ?? -1) + 1);
    if (step > Math.floor(now / STEP_MS) + 1) throw new Error(`a third sign-in by ${username} within 30 s: the gateway would refuse any code`);
    this.#lastStep.set(username, step);
    return totpAt(secret, step);
  }
}
