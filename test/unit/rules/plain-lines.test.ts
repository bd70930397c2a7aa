// The compiler reads normal-form lines of domains, hosts and adblock lists as bytes, without the
// text reader: the table and every count must be exactly what reading each line as text gives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ListSource } from '../../../firmware/config/schema.ts';
import { MatcherBuilder } from '../../../firmware/dns/matcher/compile.ts';
import { createListReader, normalDomainLine } from '../../../firmware/rules/formats/parse.ts';
import { plainAdblockLine } from '../../../firmware/rules/formats/adblock.ts';
import { isNormalDomainBytes, plainHostsLine, type NameSpan } from '../../../firmware/rules/formats/plain.ts';
import { forEachLine } from '../../../firmware/rules/formats/read-list.ts';
import { compileLists, configuredCategories } from '../../../firmware/rules/load-lists.ts';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'schoolgate-plain-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const label = fc.string({ unit: fc.constantFrom(...'abz09-_'), minLength: 1, maxLength: 12 });
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const junk = fc.string({ unit: fc.constantFrom(...'aZ0.-_*#/: \t\r', 'ü', '\0', '\ufeff', '\ufffd'), maxLength: 20 });
const address = fc.constantFrom('0.0.0.0', '127.0.0.1', '::', '::1', 'x', '0.0.0.0#');
const space = fc.constantFrom(' ', '\t', '  ', ' \t');
const hostsLine = fc.oneof(
  fc.tuple(address, space, domain).map(([a, s, d]) => `${a}${s}${d}`),
  fc.tuple(address, space, domain, space, domain).map(([a, s, d, t, e]) => `${a}${s}${d}${t}${e}`),
  fc.tuple(address, space, fc.constantFrom('localhost', 'local', 'ip6-localhost', 'broadcasthost')).map(([a, s, d]) => `${a}${s}${d}`),
);
const adblockLine = fc.tuple(fc.constantFrom('||', '|', '@@||', '', '||*.'), domain, fc.constantFrom('^', '', '^|', '^$important', '^$third-party', '$script', '^ ', '/x'))
  .map(([head, d, tail]) => head + d + tail);
const line = fc.oneof(
  { weight: 4, arbitrary: domain },
  { weight: 3, arbitrary: hostsLine },
  { weight: 3, arbitrary: adblockLine },
  { weight: 1, arbitrary: fc.tuple(domain, fc.constantFrom('\r', ' ', '.', ' # note', '\0')).map(([d, end]) => d + end) },
  { weight: 1, arbitrary: domain.map((d) => d.toUpperCase()) },
  { weight: 1, arbitrary: domain.map((d) => `*.${d}`) },
  { weight: 1, arbitrary: junk },
);
const file = fc.tuple(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.boolean()).map(([lines, bom, finalNewline]) => {
  const text = (bom ? '\ufeff' : '') + lines.join('\n') + (finalNewline ? '\n' : '');
  return Buffer.from(text, 'utf8');
});
// Bytes that are not UTF-8 at all, which the text reader reports per line.
const withBadBytes = fc.tuple(file, fc.nat(), fc.constantFrom(0xff, 0xc3, 0x80)).map(([bytes, at, b]) => {
  if (bytes.length === 0) return bytes;
  const copy = Buffer.from(bytes);
  copy[at % copy.length] = b;
  return copy;
});

/** The compile the byte lines must equal: every line pushed as text into the text reader. */
function compileAsText(lists: readonly ListSource[], files: readonly Buffer[], seed: number) {
  const builder = new MatcherBuilder({ categories: configuredCategories({ policies: [], lists: [...lists] }), seed });
  const statuses = lists.map((list, index) => {
    const restricted = list.restricted === true;
    const listKind = restricted ? 'restricted' : list.action === 'allow' ? 'allow' : 'block';
    let entries = 0;
    let added = 0;
    const firstErrors: unknown[] = [];
    let badLines = 0;
    const before = builder.size;
    const reader = createListReader(list.format, {
      item(it) {
        entries++;
        if (it.type !== 'name') return;
        added++;
        const kind = restricted ? 'restricted' : it.action === 'allow' ? 'allow' : listKind;
        builder.add({ name: it.name, mode: it.mode, kind, category: list.category, list: index, line: it.line });
      },
      error(e) {
        badLines++;
        if (firstErrors.length < 5) firstErrors.push(e);
      },
    }, { redact: restricted, exceptions: !restricted, keepDuplicates: true });
    forEachLine(files[index]!.toString('utf8'), (text) => reader.push(text));
    const summary = reader.end();
    return { entries, badLines, firstErrors, duplicates: added - (builder.size - before), skipped: summary.skipped.map((k) => ({ reason: k.reason, count: k.count })) };
  });
  return { table: builder.build().toBuffer(), statuses };
}

it('compiles domains, hosts and adblock lists to the table and counts reading them as text gives', async () => {
  const kind = fc.constantFrom<Pick<ListSource, 'action' | 'restricted'>>({}, { action: 'allow' }, { restricted: true });
  const list = fc.record({ format: fc.constantFrom<ListSource['format']>('domains', 'hosts', 'adblock'), kind, bytes: fc.oneof(file, withBadBytes) });
  await fc.assert(fc.asyncProperty(fc.array(list, { minLength: 1, maxLength: 3 }), fc.nat({ max: 0xffffffff }), async (specs, seed) => {
    const lists: ListSource[] = specs.map((s, i) => ({
      id: `l${i}`, name: `L${i}`, category: i % 2 ? 'social' : 'gaming', file: `l${i}.txt`, format: s.format, enabled: true, ...s.kind,
    }));
    await Promise.all(specs.map((s, i) => writeFile(join(dir, `l${i}.txt`), s.bytes)));
    const expected = compileAsText(lists, specs.map((s) => s.bytes), seed);
    const compiled = await compileLists({ policies: [], lists }, { listsDir: dir, seed });
    expect(Buffer.from(compiled.matcher.toBuffer()).equals(Buffer.from(expected.table))).toBe(true);
    expect(compiled.statuses.map(({ entries, badLines, firstErrors, duplicates, skipped }) => ({ entries, badLines, firstErrors, duplicates, skipped }))).toEqual(expected.statuses);
  }), { numRuns: 300 });
});

it('takes as a plain name exactly the lines the text parser leaves unchanged', () => {
  fc.assert(fc.property(line, (text) => {
    const bytes = Buffer.from(`x\n${text}\n`, 'utf8');
    const end = bytes.length - 1;
    expect(isNormalDomainBytes(bytes, 2, end)).toBe(normalDomainLine(text) !== undefined);
  }), { numRuns: 3000 });
});

it('reads the common hosts and adblock lines and leaves the rest to the text parser', () => {
  const span: NameSpan = { start: 0, end: 0 };
  const at = (read: typeof plainHostsLine, text: string): [number, number] | false =>
    read(Buffer.from(text, 'utf8'), 0, Buffer.byteLength(text), span) && [span.start, span.end];
  expect(at(plainHostsLine, '0.0.0.0 ads.example')).toEqual([8, 19]);
  expect(at(plainHostsLine, '127.0.0.1\t\tads.example')).toEqual([11, 22]);
  for (const text of ['0.0.0.0 localhost', '0.0.0.0 ads.example # c', '0.0.0.0 a.example b.example', ' 0.0.0.0 ads.example',
    '0.0.0.0 ads.example ', '0.0.0.0#x ads.example', 'ads.example', '0.0.0.0 Ads.example', '0.0.0.0 bücher.example', '0.0.0.0']) {
    expect(at(plainHostsLine, text), JSON.stringify(text)).toBe(false);
  }
  expect(at(plainAdblockLine, '||ads.example^')).toEqual([2, 13]);
  for (const text of ['||ads.example', '||ads.example^$important', '@@||ads.example^', '|ads.example^', '||*.ads.example^', '||Ads.example^', '||^', '||ads.example^ ']) {
    expect(at(plainAdblockLine, text), JSON.stringify(text)).toBe(false);
  }
});
