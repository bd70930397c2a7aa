// RFC 5424 messages and RFC 6587 frames, read back by a strict parser of the RFC's ABNF (written
// here, apart from the code under test), so a field that breaks the grammar, a badly escaped
// SD-PARAM value or a frame whose count is wrong fails here and not in a trust's collector.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_OCTETS, SD_ID, cutUtf8, escapeParamValue, formatMessage, frame, headerField, priority, type SyslogMessage,
} from '../../../firmware/fleet/syslog-message.ts';

interface Parsed {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sdId: string;
  params: [string, string][];
  msg: Buffer;
}

const PRINTUSASCII = /^[!-~]+$/;

/** RFC 5424 §6 for a message with one SD element, strictly: throws at the first byte out of place. */
function parse(bytes: Buffer): Parsed {
  const text = bytes.toString('latin1'); // octets, so offsets are byte offsets
  const header = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(text);
  if (!header) throw new Error(`bad header: ${JSON.stringify(text.slice(0, 120))}`);
  const [, pri, timestamp, hostname, appName, procId, msgId] = header;
  const limits: [string, number][] = [[hostname!, 255], [appName!, 48], [procId!, 128], [msgId!, 32]];
  for (const [field, max] of limits) {
    if (!PRINTUSASCII.test(field) || field.length > max) throw new Error(`bad header field ${JSON.stringify(field)}`);
  }
  if (timestamp !== '-' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.test(timestamp!)) throw new Error(`bad timestamp ${timestamp}`);
  let i = header[0].length;
  if (text[i] !== '[') throw new Error('no SD element');
  i++;
  const id = /^[^= \]"]{1,32}/.exec(text.slice(i))![0];
  i += id.length;
  const params: [string, string][] = [];
  while (text[i] === ' ') {
    i++;
    const name = /^[^= \]"]{1,32}/.exec(text.slice(i));
    if (!name || !PRINTUSASCII.test(name[0])) throw new Error(`bad param name at ${i}`);
    i += name[0].length;
    if (text.slice(i, i + 2) !== '="') throw new Error(`no ="" after ${name[0]}`);
    i += 2;
    const start = i;
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error('unterminated param value');
      if (c === '\\' && ['"', '\\', ']'].includes(text[i + 1]!)) { i += 2; continue; }
      if (c === '"') break;
      if (c === ']') throw new Error(`unescaped ] in ${name[0]}`);
      i++;
    }
    const raw = Buffer.from(text.slice(start, i), 'latin1').toString('utf8');
    params.push([name[0], raw.replace(/\\(["\\\]])/g, '$1')]);
    i++;
  }
  if (text[i] !== ']') throw new Error(`SD element not closed at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
  i++;
  let msg: Buffer = Buffer.alloc(0);
  if (i < text.length) {
    if (text[i] !== ' ') throw new Error('no space before MSG');
    msg = bytes.subarray(i + 1);
  }
  return { pri: Number(pri), timestamp: timestamp!, hostname: hostname!, appName: appName!, procId: procId!, msgId: msgId!, sdId: id, params, msg };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** MSG as §6.4 has it: UTF-8 after a BOM, or plain ASCII. */
function msgText(msg: Buffer): string {
  if (msg.subarray(0, 3).equals(BOM)) return msg.subarray(3).toString('utf8');
  expect([...msg].every((b) => b < 0x80), 'a MSG without BOM is ASCII').toBe(true);
  return msg.toString('ascii');
}

function sample(over: Partial<SyslogMessage> = {}): SyslogMessage {
  return {
    facility: 'local0', severity: 'crit', at: new Date('2026-12-07T09:14:03.250Z'),
    hostname: 'gw-oakfield', appName: 'schoolgate', procId: '4242', msgId: 'alert',
    params: [['school', 'urn-123456'], ['kind', 'dns.restricted']],
    text: 'CRITICAL alert 7: a restricted name was looked up',
    ...over,
  };
}

describe('RFC 5424 messages', () => {
  it('writes the header, the one SD element and the text as the grammar has them', () => {
    const p = parse(formatMessage(sample()));
    expect(p).toMatchObject({ pri: 16 * 8 + 2, timestamp: '2026-12-07T09:14:03.250Z', hostname: 'gw-oakfield', appName: 'schoolgate', procId: '4242', msgId: 'alert', sdId: SD_ID });
    expect(p.params).toEqual([['school', 'urn-123456'], ['kind', 'dns.restricted']]);
    expect(msgText(p.msg)).toBe('CRITICAL alert 7: a restricted name was looked up');
  });

  it('computes PRI as facility × 8 + severity', () => {
    expect(priority('kern', 'emerg')).toBe(0);
    expect(priority('local7', 'debug')).toBe(191);
    expect(priority('auth', 'notice')).toBe(37);
  });

  it('keeps header fields to visible ASCII and their lengths, "-" for an empty one', () => {
    expect(headerField('', 48)).toBe('-');
    expect(headerField(undefined, 48)).toBe('-');
    expect(headerField('-', 48)).toBe('_');
    expect(headerField('St Mary’s gw\n', 255)).toBe('St_Mary_s_gw_');
    expect(headerField('😀x', 10)).toBe('_x');
    expect(headerField('a'.repeat(60), 48)).toBe('a'.repeat(48));
    const p = parse(formatMessage(sample({ hostname: 'gate way\tö', appName: 'x'.repeat(100), msgId: 'a b' })));
    expect(p.hostname).toBe('gate_way__');
    expect(p.appName).toBe('x'.repeat(48));
    expect(p.msgId).toBe('a_b');
  });

  it('escapes ", \\ and ] in SD-PARAM values and flattens control characters, so a hostile device name stays one value', () => {
    expect(escapeParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const hostile = 'Tom\'s "iPad"] [evil@1 x="y"]\\\nsecond line\u0000\u2028é😀';
    const p = parse(formatMessage(sample({ params: [['school', 'urn-1'], ['device', hostile]] })));
    expect(p.params).toEqual([['school', 'urn-1'], ['device', 'Tom\'s "iPad"] [evil@1 x="y"]\\ second line  é😀']]);
  });

  it('leaves out empty params and refuses a param name the grammar forbids', () => {
    expect(parse(formatMessage(sample({ params: [['school', 'urn-1'], ['mac', '']] }))).params).toEqual([['school', 'urn-1']]);
    expect(() => formatMessage(sample({ params: [['bad name', 'x']] }))).toThrow(/not a valid SD-PARAM name/);
    expect(() => formatMessage(sample({ params: [['a'.repeat(33), 'x']] }))).toThrow(/not a valid SD-PARAM name/);
  });

  it('cuts a long param value to its limit without splitting a character', () => {
    const p = parse(formatMessage(sample({ params: [['device', '😀'.repeat(400)]] })));
    const value = p.params[0]![1];
    expect(Array.from(value)).toHaveLength(256);
    expect(value.endsWith('…')).toBe(true);
  });

  it('starts a non-ASCII MSG with the BOM and an ASCII one without, one line either way', () => {
    const ascii = parse(formatMessage(sample({ text: 'line one\nline two\r\nthree\u0007' })));
    expect(ascii.msg.subarray(0, 3).equals(BOM)).toBe(false);
    expect(msgText(ascii.msg)).toBe('line one | line two | three ');
    const utf8 = parse(formatMessage(sample({ text: 'Zoë’s tablet — 学校' })));
    expect(utf8.msg.subarray(0, 3).equals(BOM)).toBe(true);
    expect(msgText(utf8.msg)).toBe('Zoë’s tablet — 学校');
  });

  it('keeps a long message within the limit, cutting the text at a character boundary', () => {
    for (const text of ['x'.repeat(20_000), '学'.repeat(9000), `${'a'.repeat(7700)}😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀`]) {
      const bytes = formatMessage(sample({ text }));
      expect(bytes.length).toBeLessThanOrEqual(DEFAULT_MAX_OCTETS);
      expect(bytes.length).toBeGreaterThan(DEFAULT_MAX_OCTETS - 4);
      const p = parse(bytes);
      const kept = msgText(p.msg);
      expect(kept.endsWith('...')).toBe(true);
      expect(kept).not.toContain('\uFFFD');
      expect(text.startsWith(kept.slice(0, -3))).toBe(true);
    }
    expect(() => formatMessage(sample(), 40)).toThrow(/header and structured data alone/);
  });

  it('cuts UTF-8 at a character boundary', () => {
    expect(cutUtf8('aé', 2)).toBe('a');
    expect(cutUtf8('aé', 3)).toBe('aé');
    expect(cutUtf8('😀', 3)).toBe('');
  });

  it('writes "-" for a time that is not one', () => {
    expect(parse(formatMessage(sample({ at: new Date(Number.NaN) }))).timestamp).toBe('-');
  });
});

describe('RFC 6587 octet counting', () => {
  it('prefixes the length in octets, not characters', () => {
    const message = formatMessage(sample({ text: 'é 学校 😀' }));
    const framed = frame(message);
    const space = framed.indexOf(0x20);
    expect(Number(framed.subarray(0, space).toString('ascii'))).toBe(message.length);
    expect(framed.subarray(space + 1).equals(message)).toBe(true);
    expect(message.length).toBeGreaterThan(message.toString('utf8').length);
  });

  it('splits a stream of frames back into the messages, whatever they hold', () => {
    const messages = [sample({ text: 'one\ntwo' }), sample({ text: '' }), sample({ text: '5 12 [x] <13>' })].map((m) => formatMessage(m));
    let stream = Buffer.concat(messages.map(frame));
    const read: Buffer[] = [];
    while (stream.length > 0) {
      const space = stream.indexOf(0x20);
      const length = Number(stream.subarray(0, space).toString('ascii'));
      read.push(stream.subarray(space + 1, space + 1 + length));
      stream = stream.subarray(space + 1 + length);
    }
    expect(read.map((b) => b.toString('utf8'))).toEqual(messages.map((b) => b.toString('utf8')));
  });
});
