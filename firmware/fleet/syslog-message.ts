// One syslog message as RFC 5424 writes it, and its frame on a TCP or TLS stream (RFC 6587 §3.4.1
// octet counting, the framing RFC 5425 requires). Pure: every field rule and every escape is
// tested without a socket.
//
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" ...] MSG
//
// A header field is one word of visible ASCII (PRINTUSASCII, 33-126) with a length limit, or "-"
// when empty; anything else in it is replaced, never passed on to split a collector's parsing.
// SD-PARAM values are UTF-8 with '"', '\' and ']' escaped by a backslash (§6.3.3). MSG is UTF-8,
// starting with the byte-order mark §6.4 asks for when it holds anything beyond ASCII.

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type SyslogSeverity = (typeof SEVERITIES)[number];

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export type Facility = (typeof FACILITIES)[number];

/**
 * The structured data's one element: an SD-ID with an "@" is a private one (§7.2.2), named under
 * an enterprise number; 32473 is the one RFC 5612 sets aside for examples and documentation,
 * which is what a project without its own number uses. docs/fleet.md says so.
 */
export const SD_ID = 'schoolgate@32473';

/**
 * The longest message sent, frame excluded. RFC 5425 §4.3.1 has every receiver take 2048 octets
 * and says it SHOULD take 8192; rsyslog's default maximum is 8096, so this stays under it.
 */
export const DEFAULT_MAX_OCTETS = 8000;
/** The most one SD-PARAM value keeps: a device name or a reason, never a document. */
export const MAX_PARAM_CHARS = 256;

const HEADER_LIMITS = { hostname: 255, appName: 48, procId: 128, msgId: 32 } as const;
const BOM = '\uFEFF';

export interface SyslogMessage {
  facility: Facility;
  severity: SyslogSeverity;
  /** The instant the event happened (not when it is sent: a queued message keeps its time). */
  at: Date;
  hostname: string;
  appName: string;
  procId?: string;
  /** What kind of message, for a collector to filter on: "alert", "audit", … */
  msgId: string;
  /** The SD-PARAMs of the one SD element (SD_ID), in order; empty values are left out. */
  params: readonly (readonly [name: string, value: string])[];
  /** Free text for a person reading the collector. */
  text: string;
}

/** A header field: visible ASCII only (others become "_"), cut to its limit; "-" when empty. */
export function headerField(value: string | undefined, max: number): string {
  if (value === undefined || value === '') return '-';
  // Code points, so a character beyond the BMP is one "_", not two.
  const word = Array.from(value, (ch) => (ch >= '!' && ch <= '~' ? ch : '_')).join('').slice(0, max);
  return word === '-' ? '_' : word;
}

/** PARAM-NAME (§6.3.3): 1-32 visible ASCII characters but '=', ' ', ']' and '"'. */
export function paramName(name: string): string {
  if (!/^[!-~]{1,32}$/.test(name) || /[=\]"]/.test(name)) throw new Error(`"${name}" is not a valid SD-PARAM name`);
  return name;
}

/**
 * A PARAM-VALUE: control characters (a newline would end the message for a collector reading
 * lines) become spaces, it is cut to `max` characters, and '"', '\' and ']' are escaped.
 */
export function escapeParamValue(value: string, max = MAX_PARAM_CHARS): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  const chars = Array.from(flat);
  const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
  return cut.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

/** RFC 3339 as §6.2.3 allows it: UTC, "T" and "Z" upper case, milliseconds. */
export function timestamp(at: Date): string {
  return Number.isNaN(at.getTime()) ? '-' : at.toISOString();
}

export function priority(facility: Facility, severity: SyslogSeverity): number {
  return FACILITIES.indexOf(facility) * 8 + SEVERITIES.indexOf(severity);
}

/** The longest prefix of `text` whose UTF-8 is at most `bytes` octets, never half a character. */
export function cutUtf8(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > bytes) break;
    used += size;
    out += ch;
  }
  return out;
}

/** The message's octets, at most `maxOctets`: a message too long loses the end of its text first. */
export function formatMessage(m: SyslogMessage, maxOctets = DEFAULT_MAX_OCTETS): Buffer {
  const header = [
    `<${priority(m.facility, m.severity)}>1`,
    timestamp(m.at),
    headerField(m.hostname, HEADER_LIMITS.hostname),
    headerField(m.appName, HEADER_LIMITS.appName),
    headerField(m.procId, HEADER_LIMITS.procId),
    headerField(m.msgId, HEADER_LIMITS.msgId),
  ].join(' ');
  const params = m.params.filter(([, value]) => value !== '').map(([name, value]) => ` ${paramName(name)}="${escapeParamValue(value)}"`);
  const sd = `[${SD_ID}${params.join('')}]`;
  // eslint-disable-next-line no-control-regex
  const text = m.text.replace(/\r\n?|\n/g, ' | ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  const head = `${header} ${sd}`;
  const room = maxOctets - Buffer.byteLength(head, 'utf8') - 1;
  if (room < 0) throw new Error(`the message's header and structured data alone are ${Buffer.byteLength(head, 'utf8')} octets, more than ${maxOctets}`);
  if (text === '') return Buffer.from(head, 'utf8');
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\u0000-\u007f]*$/.test(text);
  const body = ascii ? text : `${BOM}${text}`;
  const fits = Buffer.byteLength(body, 'utf8') <= room;
  const kept = fits ? body : `${cutUtf8(body, room - 3)}...`;
  return Buffer.from(`${head} ${kept}`, 'utf8');
}

/** RFC 6587 octet counting: "LENGTH SP MESSAGE", the length in octets, so a message may hold anything. */
export function frame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}
