// `schoolgate lists test|import|remove` as a technician uses them over SSH, against a real daemon
// process: every change live, audited under the SSH user's name, and bad input changing nothing.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListCheck } from '../../../firmware/rules/list-check.ts';
import { ListsView } from '../../../firmware/rules/lists-view.ts';
import { runCli, startDaemonWithList, type DaemonWithList } from '../../support/daemon.ts';
import { askUdp } from '../../support/upstream.ts';

const PUPIL = { from: '127.20.0.5' };
const BLOCK_ADDRESS = '127.20.0.1';
const ME = `ssh:${userInfo().username}`;

let scratch: string;
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'schoolgate-lists-cli-')); });
afterAll(async () => { await rm(scratch, { recursive: true, force: true }); });

async function file(name: string, text: string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, text);
  return path;
}

describe('schoolgate lists test (no daemon needed)', () => {
  it('reports counts, guesses the format and exits 0 for a clean file', async () => {
    const path = await file('clean.txt', '! adblock list\n||ads.example^\n||ads.example^\n@@||ok.ads.example^\n/^track[0-9]+\\./\n##.banner\n');
    const result = await runCli(['lists', 'test', path, '--data-dir', scratch]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('format adblock (guessed: lines start with "||"');
    const json = JSON.parse((await runCli(['lists', 'test', path, '--json'])).stdout);
    expect(Value.Check(ListCheck, json)).toBe(true);
    expect(json).toMatchObject({ format: 'adblock', names: 2, regexes: 1, allow: 1, duplicates: 1, badLines: 0 });
    expect(json.skipped.length).toBeGreaterThan(0);
  });

  it('lists the first 20 bad lines with their numbers, counts the rest, and exits 4', async () => {
    const lines = ['good.example'];
    for (let i = 0; i < 25; i++) lines.push(`bad line ${i}`);
    const path = await file('bad.txt', `${lines.join('\n')}\n`);
    const result = await runCli(['lists', 'test', path, '--format', 'domains']);
    expect(result.code).toBe(4);
    expect(result.stdout).toContain('25 bad lines');
    expect(result.stdout).toContain('line 2: expected one domain per line');
    expect(result.stdout).toContain('line 21:');
    expect(result.stdout).not.toContain('line 22:');
    expect(result.stdout).toContain('… and 5 more');
    expect(result.stdout).not.toContain('guessed');
  });

  it('guesses hosts, RPZ and SHA-256 files, and refuses a wrong --format with exit 2', async () => {
    const hosts = await file('hosts', '0.0.0.0 a.example\n0.0.0.0 b.example\n');
    expect((await runCli(['lists', 'test', hosts])).stdout).toContain('format hosts (guessed');
    const rpz = await file('rpz.zone', '$ORIGIN rpz.example.\n@ SOA ns. admin. 1 1 1 1 1\nbad.example CNAME .\n');
    expect((await runCli(['lists', 'test', rpz])).stdout).toContain('format rpz (guessed');
    const hashes = await file('hashes', `${'a'.repeat(64)}\n${'b'.repeat(64)}\n`);
    expect((await runCli(['lists', 'test', hashes])).stdout).toContain('format sha256 (guessed');
    expect((await runCli(['lists', 'test', hosts, '--format', 'csv'])).code).toBe(2);
  });
});

describe('schoolgate lists with a running daemon', () => {
  let daemon: DaemonWithList;

  beforeAll(async () => { daemon = await startDaemonWithList('facebook.com\n'); });
  afterAll(async () => { await daemon?.cleanup(); });

  const audit = (action: string): Array<{ actor: string; subject: string | null; details: string }> => {
    const db = new DatabaseSync(join(daemon.dataDir, 'state.db'), { readOnly: true });
    try {
      return db.prepare('SELECT actor, subject, details FROM audit_log WHERE action = ? ORDER BY seq').all(action) as never;
    } finally {
      db.close();
    }
  };
  const listIds = async (): Promise<string[]> => (JSON.parse((await daemon.cli(['lists', '--json'])).stdout) as ListsView).lists.map((l) => l.id);
  const blocked = async (name: string): Promise<boolean> =>
    ((await askUdp(daemon.config.dns.listen[0]!, name, PUPIL)).answers?.[0] as { data?: unknown } | undefined)?.data === BLOCK_ADDRESS;

  it('imports a good file: stored, configured, blocking at once, audited under the SSH user', async () => {
    const path = await file('Gambling Sites.txt', '# from the trust\nbet.example\ncasino.example\n');
    const result = await daemon.cli(['lists', 'import', path, '--category', 'gambling']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Imported list "gambling-sites" (category gambling)');
    expect(result.stdout).toContain('format domains (guessed');
    expect(await blocked('www.casino.example')).toBe(true);
    const stored = await readFile(join(daemon.dataDir, 'lists/gambling-sites.txt'), 'utf8');
    expect(stored).toMatch(new RegExp(`^# Imported by ${ME} at .* from ".*Gambling Sites\\.txt" as domains`));
    expect(stored).toContain('casino.example');
    const config = JSON.parse(await readFile(daemon.configFile, 'utf8'));
    expect(config.lists).toContainEqual({ id: 'gambling-sites', name: 'Gambling Sites.txt', category: 'gambling', file: 'gambling-sites.txt', format: 'domains', enabled: true });
    const entries = audit('lists.import');
    expect(entries.at(-1)).toMatchObject({ actor: ME, subject: 'gambling-sites' });
    expect(JSON.parse(entries.at(-1)!.details)).toMatchObject({ category: 'gambling', entries: 2, droppedLines: 0 });
  });

  it('refuses a file with bad lines, naming them, and changes nothing (exit 4)', async () => {
    const path = await file('chat.txt', 'chat.example\nnot a domain\nalso bad\n');
    const unsure = await daemon.cli(['lists', 'import', path, '--category', 'chat', '--id', 'chat-extra']);
    expect(unsure.code).toBe(1);
    expect(unsure.stderr).toContain('cannot tell the format');
    const result = await daemon.cli(['lists', 'import', path, '--category', 'chat', '--id', 'chat-extra', '--format', 'domains']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('2 bad lines; nothing was imported');
    expect(result.stderr).toContain('line 2: expected one domain per line');
    expect(result.stderr).toContain('line 3:');
    expect(await listIds()).not.toContain('chat-extra');
    expect(await readdir(join(daemon.dataDir, 'lists'))).not.toContain('chat-extra.txt');
    expect(await blocked('chat.example')).toBe(false);
  });

  it('with --skip-bad-lines imports the rest and records the dropped lines', async () => {
    const path = await file('chat.txt', 'chat.example\nnot a domain\nmore.chat.example\n');
    const result = await daemon.cli(['lists', 'import', path, '--category', 'chat', '--id', 'chat-extra', '--skip-bad-lines', '--name', 'Extra chat']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1 bad lines dropped');
    const stored = await readFile(join(daemon.dataDir, 'lists/chat-extra.txt'), 'utf8');
    expect(stored).not.toContain('not a domain');
    expect(stored).toContain('1 bad line(s) dropped (original line numbers): 2');
    expect(await blocked('chat.example')).toBe(true);
    expect(JSON.parse(audit('lists.import').at(-1)!.details)).toMatchObject({ droppedLines: 1 });
  });

  it('refuses an id that exists and a category nobody knows, with exit 1 and nothing changed', async () => {
    const path = await file('dup.txt', 'dup.example\n');
    const duplicate = await daemon.cli(['lists', 'import', path, '--category', 'chat', '--id', 'social']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('a list "social" already exists');
    const unknown = await daemon.cli(['lists', 'import', path, '--category', 'knitting']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no policy or catalogue entry knows the category "knitting"');
    const missing = await daemon.cli(['lists', 'import', path]);
    expect(missing.code).toBe(2);
    expect(await listIds()).toEqual(['social', 'gambling-sites', 'chat-extra']);
  });

  it('never shows a restricted list\'s entries, and removing one needs --force-restricted', async () => {
    const path = await file('iwf.txt', 'secret-one.example\nsecret two bad\nsecret-three.example\n');
    const refused = await daemon.cli(['lists', 'import', path, '--category', 'illegal', '--id', 'iwf', '--restricted']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('line 2');
    expect(refused.stderr + refused.stdout).not.toContain('secret');
    const imported = await daemon.cli(['lists', 'import', path, '--category', 'illegal', '--id', 'iwf', '--restricted', '--skip-bad-lines']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).not.toContain('secret');
    expect(await blocked('secret-three.example')).toBe(true);
    const shown = await daemon.cli(['lists', '--json']);
    expect(shown.stdout).not.toContain('secret');
    expect(audit('lists.import').map((e) => e.details).join('')).not.toContain('secret');

    const remove = await daemon.cli(['lists', 'remove', 'iwf']);
    expect(remove.code).toBe(1);
    expect(remove.stderr).toContain('--force-restricted');
    expect(await blocked('secret-three.example')).toBe(true);
    const forced = await daemon.cli(['lists', 'remove', 'iwf', '--force-restricted']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await blocked('secret-three.example')).toBe(false);
    expect(audit('lists.remove').at(-1)).toMatchObject({ actor: ME, subject: 'iwf' });
    expect(JSON.parse(audit('lists.remove').at(-1)!.details)).toMatchObject({ restricted: true, forcedRestricted: true });
  });

  it('remove takes a list out of service and keeps its file', async () => {
    const result = await daemon.cli(['lists', 'remove', 'chat-extra']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Its file is kept as .*chat-extra\.txt\.removed-/);
    expect(await blocked('chat.example')).toBe(false);
    const files = await readdir(join(daemon.dataDir, 'lists'));
    expect(files.some((f) => f.startsWith('chat-extra.txt.removed-'))).toBe(true);
    expect(files).not.toContain('chat-extra.txt');
    expect(await listIds()).not.toContain('chat-extra');
    expect(audit('lists.remove').find((e) => e.subject === 'chat-extra')).toMatchObject({ actor: ME });
    const unknown = await daemon.cli(['lists', 'remove', 'chat-extra']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no list "chat-extra"');
  });

  it('lists --json has the documented shape: source, last update, entries, bad lines', async () => {
    const result = await daemon.cli(['lists', '--json']);
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    expect(Value.Check(ListsView, view), JSON.stringify([...Value.Errors(ListsView, view)][0])).toBe(true);
    const gambling = view.lists.find((l: { id: string }) => l.id === 'gambling-sites');
    expect(gambling).toMatchObject({ entries: 2, badLines: 0, source: { kind: 'file', detail: 'gambling-sites.txt' } });
    expect(Date.parse(gambling.updatedAt)).not.toBeNaN();
    const human = await daemon.cli(['lists']);
    expect(human.stdout).toMatch(/gambling-sites\s+gambling\s+2\s+0\s+domains\s+gambling-sites\.txt\s+file\s+\d{4}-\d\d-\d\d \d\d:\d\dZ/);
  });

  it('lists update says when there is nothing to update, and names the feeds when asked for a list without one', async () => {
    const none = await daemon.cli(['lists', 'update']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No list has a feed to update.');
    const unknown = await daemon.cli(['lists', 'update', '--only', 'nothing-here']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nothing-here');
  });
});
