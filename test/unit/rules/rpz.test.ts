import { describe, expect, it } from 'vitest';
import { parseListText } from '../../../firmware/rules/formats/parse.ts';
import { SKIP_APEX, SKIP_LOCAL_DATA, SKIP_TCP_ONLY, skipTrigger } from '../../../firmware/rules/formats/rpz.ts';

const parse = (text: string) => parseListText(text, 'rpz');

const ZONE = `$TTL 300
$ORIGIN rpz.school.example.
@ IN SOA ns1.school.example. hostmaster.school.example. (
        2024010101 ; serial
        3600       ; refresh
        600 86400 60 )
  IN NS ns1.school.example.
bad.example          CNAME .
*.bad.example        CNAME .
nodata.example 60 IN CNAME *.
drop.example         CNAME rpz-drop.
good.bad.example     CNAME rpz-passthru.
Bücher.example       CNAME .
abs.example.rpz.school.example. IN CNAME .
walled.example       CNAME walled.school.example.
local.example        A 10.0.0.1
                     AAAA ::1
tcp.example          CNAME rpz-tcp-only.
32.1.0.0.10.rpz-ip   CNAME .
ns.evil.example.rpz-nsdname CNAME .
24.0.0.168.192.rpz-client-ip CNAME rpz-passthru.
@                    TXT "zone metadata ; not a comment"
`;

describe('RPZ zone files', () => {
  it('turns QNAME triggers into names relative to the origin, with their actions and lines', () => {
    const parsed = parse(ZONE);
    expect(parsed.errors).toEqual([]);
    expect(parsed.items).toEqual([
      { type: 'name', name: 'bad.example', mode: 'exact', action: 'block', line: 8 },
      { type: 'name', name: 'bad.example', mode: 'subdomains', action: 'block', line: 9 },
      { type: 'name', name: 'nodata.example', mode: 'exact', action: 'block', line: 10 },
      { type: 'name', name: 'drop.example', mode: 'exact', action: 'block', line: 11 },
      { type: 'name', name: 'good.bad.example', mode: 'exact', action: 'allow', line: 12 },
      { type: 'name', name: 'xn--bcher-kva.example', mode: 'exact', action: 'block', line: 13 },
      { type: 'name', name: 'abs.example', mode: 'exact', action: 'block', line: 14 },
    ]);
    expect(parsed.summary.skipped).toEqual([
      { reason: SKIP_LOCAL_DATA, count: 3, firstLine: 15 },
      { reason: SKIP_TCP_ONLY, count: 1, firstLine: 18 },
      { reason: skipTrigger('rpz-ip'), count: 1, firstLine: 19 },
      { reason: skipTrigger('rpz-nsdname'), count: 1, firstLine: 20 },
      { reason: skipTrigger('rpz-client-ip'), count: 1, firstLine: 21 },
      { reason: SKIP_APEX, count: 1, firstLine: 22 },
    ]);
  });

  it('takes the origin from an absolute SOA owner when there is no $ORIGIN, and names as they are otherwise', () => {
    expect(parse('rpz.local. SOA ns. host. 1 2 3 4 5\nx.example.rpz.local. CNAME .\ny.example CNAME .\n').items.map((i) => i.type === 'name' && i.name))
      .toEqual(['x.example', 'y.example']);
    // Feeds served for a zone named in the server's configuration: relative names are the triggers.
    expect(parse('$TTL 30\n@ SOA rpz.feed. hostmaster.feed. (1 2 3 4 5)\n NS localhost.\nads.example CNAME .\n').items)
      .toEqual([{ type: 'name', name: 'ads.example', mode: 'exact', action: 'block', line: 4 }]);
  });

  it('reports malformed records by the line they start on', () => {
    const parsed = parse([
      '$ORIGIN rpz.test.',
      'outside.example.org. CNAME .',
      'two.example CNAME . extra',
      'noclass.example CH CNAME .',
      'notype.example 300',
      'bad..example CNAME .',
      '$INCLUDE other.zone',
      '$GENERATE 1-10 x$ CNAME .',
      'broken.example ) CNAME .',
      'quote.example TXT "unterminated',
    ].join('\n'));
    expect(parsed.items).toEqual([]);
    expect(parsed.errors.map((e) => [e.line, e.message])).toEqual([
      [2, expect.stringContaining('outside the zone')],
      [3, expect.stringContaining('exactly one target')],
      [4, expect.stringContaining('class CH')],
      [5, 'record has no type'],
      [6, expect.stringContaining('not a valid domain name')],
      [7, expect.stringContaining('$INCLUDE')],
      [8, expect.stringContaining('unknown directive')],
      [9, expect.stringContaining('")" without')],
      [10, expect.stringContaining('unterminated quoted')],
    ]);
    expect(parse('  CNAME .\n').errors).toEqual([{ line: 1, message: expect.stringContaining('no owner name') }]);
  });

  it('reports an unterminated parenthesis at its line, whether the file ends or the record runs on', () => {
    const atEnd = parse('$ORIGIN rpz.test.\n@ SOA ns. host. ( 1 2\n 3 4\nbad.example CNAME .\n');
    expect(atEnd.errors).toEqual([{ line: 2, message: expect.stringContaining('file ends before') }]);
    expect(atEnd.items).toEqual([]);
    const runaway = parse(`$ORIGIN rpz.test.\n@ SOA ns. host. ( 1 2\n${'x.example CNAME .\n'.repeat(70)}`);
    expect(runaway.errors).toEqual([{ line: 2, message: expect.stringContaining('no ")" within 64 lines') }]);
    // Parsing resumes after the abandoned record's 64 lines.
    expect(runaway.items.map((i) => i.line)).toEqual([66, 67, 68, 69, 70, 71, 72]);
  });
});
