// Reading a list file a piece at a time must give exactly the lines a whole-file read gives,
// wherever the pieces end (the tests use pieces of a few bytes, so lines straddle them).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachFileLine } from '../../../firmware/rules/formats/file-lines.ts';
import { forEachLineRange } from '../../../firmware/rules/formats/read-list.ts';

const dir = await mkdtemp(join(tmpdir(), 'sg-file-lines-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('forEachFileLine', () => {
  it.each([
    ['empty', ''], ['one line, no newline', 'a.example'], ['final newline', 'a\nb\n'], ['blank lines', '\n\n'],
    ['CRLF', 'a\r\nb\r\n'], ['a line longer than a piece', `short\n${'x'.repeat(40)}\nend`], ['UTF-8 across pieces', 'ä.example\nbücher.example\n'],
  ])('%s: the same lines as a whole-file read', async (name, text) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.txt`);
    await writeFile(file, text);
    const bytes = Buffer.from(text);
    const whole: string[] = [];
    forEachLineRange(bytes, (start, end) => whole.push(bytes.toString('utf8', start, end)));
    for (const piece of [3, 7, 1 << 20]) {
      const pieces: string[] = [];
      await forEachFileLine(file, (b, start, end) => pieces.push(b.toString('utf8', start, end)), piece);
      expect(pieces, `pieces of ${piece} bytes`).toEqual(whole);
    }
  });

  it('fails for a file that is not there', async () => {
    await expect(forEachFileLine(join(dir, 'missing'), () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
