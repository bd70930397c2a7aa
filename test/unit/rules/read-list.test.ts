import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListFormat } from '../../../firmware/config/schema.ts';
import { createListReader, FORMAT_PARSERS, parseListText, type LineError, type ListItem } from '../../../firmware/rules/formats/parse.ts';
import { estimateEntryLines } from '../../../firmware/rules/formats/read-list.ts';

const FORMATS = Object.keys(FORMAT_PARSERS) as ListFormat[];

function read(format: ListFormat, lines: string[], options?: Parameters<typeof createListReader>[2]) {
  const items: ListItem[] = [];
  const errors: LineError[] = [];
  const reader = createListReader(format, { item: (i) => items.push(i), error: (e) => errors.push(e) }, options);
  for (const line of lines) reader.push(line);
  return { items, errors, summary: reader.end() };
}

describe('reading any list', () => {
  it('drops a BOM at the start of the file and CR line endings', () => {
    const parsed = parseListText('\ufeffads.example.com\r\n||b.example^\r\n', 'adblock');
    expect(parsed.errors).toEqual([]);
    expect(parsed.items.map((i) => i.type === 'name' && i.name)).toEqual(['ads.example.com', 'b.example']);
    // Where a BOM would change what the first token is.
    expect(parseListText('\ufeff$ORIGIN rpz.test.\r\nx.example.rpz.test. CNAME .\r\n', 'rpz').items).toEqual([
      { type: 'name', name: 'x.example', mode: 'exact', action: 'block', line: 2 },
    ]);
  });

  it('folds duplicates within a file, counting them', () => {
    const { items, summary } = read('domains', ['a.example', 'A.example.', 'b.example', '*.a.example', 'a.example']);
    expect(items.map((i) => i.line)).toEqual([1, 3, 4]);
    expect(summary.duplicates).toBe(2);
    expect(summary.items).toBe(3);
    // Same name, different meaning: not a duplicate.
    expect(read('adblock', ['||x.example^', '@@||x.example^']).items).toHaveLength(2);
  });

  it('refuses over-long lines, binary junk and files with too many lines, by line', () => {
    const { items, errors, summary } = read('domains', ['a.example', `${'a'.repeat(4100)}.example`, 'é'.repeat(2100), 'b\0\0\x01.example', 'c\ufffd.example', 'd.example', 'e.example'], { maxLines: 6 });
    expect(items.map((i) => i.line)).toEqual([1, 6]);
    expect(errors).toEqual([
      { line: 2, message: 'line is 4108 bytes, over the limit of 4096' },
      { line: 3, message: 'line is 4200 bytes, over the limit of 4096' },
      { line: 4, message: expect.stringContaining('binary data') },
      { line: 5, message: 'line is not valid UTF-8 text' },
      { line: 7, message: 'the file has more than 6 lines; this line and the rest are ignored' },
    ]);
    expect(summary).toMatchObject({ lines: 7, truncated: true, errors: 5 });
  });

  it('refuses exception lines where the list cannot have them (restricted lists)', () => {
    const { items, errors } = read('adblock', ['||bad.example^', '@@||bad.example^'], { exceptions: false });
    expect(items).toHaveLength(1);
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining('can never be excepted') }]);
    expect(read('rpz', ['x.example CNAME rpz-passthru.'], { exceptions: false }).errors[0]?.message).toContain('can never be excepted');
  });

  it('normalises IDNs to punycode in every format that lists names', () => {
    const cases: [ListFormat, string][] = [
      ['domains', 'Bücher.example'],
      ['hosts', '0.0.0.0 bücher.example'],
      ['adblock', '||bücher.example^'],
      ['rpz', 'bücher.example CNAME .'],
    ];
    for (const [format, line] of cases) {
      expect(read(format, [line]).items, format).toEqual([expect.objectContaining({ name: 'xn--bcher-kva.example', line: 1 })]);
    }
  });

  it('never puts a restricted list\'s text in a message', () => {
    const secret = 'qzxv';
    const hostile = fc.string({ unit: fc.constantFrom(...'ab.-*/:|^$@#!()[]{}+?\\ 0\t;"', 'ü', '\u0000', secret), maxLength: 60 });
    for (const format of FORMATS) {
      fc.assert(fc.property(fc.array(hostile, { maxLength: 8 }), (lines) => {
        const { errors } = read(format, [...lines.map((l) => `${secret}${l}${secret}`), ...lines], { redact: true, maxLineBytes: 100 });
        for (const error of errors) expect(error.message, format).not.toContain(secret);
      }), { numRuns: 300 });
    }
    // And the same lines are quoted when the list is not restricted, so the test can fail.
    expect(read('domains', [`${secret} x`]).errors[0]?.message).toContain(secret);
  });

  it('never throws on any text, in any format, and reports every error on a line of the file', () => {
    for (const format of FORMATS) {
      fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: fc.constantFrom(...'a.-*|^$@#!/()\r\n\t ;"\\', 'CNAME', '$ORIGIN', 'ü'), maxLength: 300 })), (text) => {
        const parsed = parseListText(text, format);
        for (const error of parsed.errors) {
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual(parsed.summary.lines);
        }
        for (const item of parsed.items) expect(item.line).toBeLessThanOrEqual(parsed.summary.lines);
      }), { numRuns: 300 });
    }
  });
});

describe('lines the compiler reads itself (claimPlainName)', () => {
  it('counts them as items and numbers them in file order with the pushed ones', () => {
    const items: ListItem[] = [];
    const reader = createListReader('domains', { item: (i) => items.push(i), error: () => {} }, { keepDuplicates: true });
    expect(reader.claimPlainName()).toBe(1);
    reader.push('B.example');
    expect(reader.claimPlainName()).toBe(3);
    expect(items.map((i) => i.line)).toEqual([2]);
    expect(reader.end()).toMatchObject({ lines: 3, items: 3 });
  });

  it('leaves the line to push past the line limit, which reports the limit once', () => {
    const errors: LineError[] = [];
    const reader = createListReader('domains', { item: () => {}, error: (e) => errors.push(e) }, { keepDuplicates: true, maxLines: 2 });
    expect([reader.claimPlainName(), reader.claimPlainName(), reader.claimPlainName()]).toEqual([1, 2, 0]);
    reader.push('c.example');
    expect(errors).toEqual([{ line: 3, message: 'the file has more than 2 lines; this line and the rest are ignored' }]);
    expect(reader.end()).toMatchObject({ items: 2, truncated: true });
  });

  it('leaves every line to push when repeats are folded (only pushed items are remembered)', () => {
    const reader = createListReader('domains', { item: () => {}, error: () => {} });
    expect(reader.claimPlainName()).toBe(0);
  });
});

describe('estimateEntryLines (sizes the table before a compile)', () => {
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  it('counts a small list exactly, with or without its last newline', () => {
    expect(estimateEntryLines(text(''))).toBe(0);
    expect(estimateEntryLines(text('a.example'))).toBe(1);
    expect(estimateEntryLines(text('a.example\nb.example\n'))).toBe(2);
    expect(estimateEntryLines(text('a.example\r\nb.example\r\nc.example'))).toBe(3);
  });

  it('leaves out blank lines, comments and adblock headers', () => {
    expect(estimateEntryLines(text('[Adblock Plus 2.0]\n! Title: x\n# hosts\n\n\r\n  \n||a.example^\n0.0.0.0 b.example\n'))).toBe(2);
  });

  it('scales a big list from its first 64 KB, close enough to land in the right power of two', () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `host-${i.toString(36).padStart(4, '0')}.example-${i % 97}.org`);
    const bytes = text(`${lines.join('\n')}\n`);
    const estimate = estimateEntryLines(bytes);
    expect(Math.abs(estimate - lines.length) / lines.length).toBeLessThan(0.05);
    // One long first line (no newline in the sample) still counts.
    expect(estimateEntryLines(Buffer.concat([Buffer.alloc(70_000, 0x61), text('\nb.example\n')]))).toBeGreaterThanOrEqual(1);
    // A big file of comments reserves nothing.
    expect(estimateEntryLines(text('# a comment that goes on for a while\n'.repeat(10_000)))).toBe(0);
  });
});
