// Text from an alert, made safe to put in front of a person. Mail clients, chat tools and ticket
// systems turn anything that looks like a name, an address or a URL into a link, and a DSL who
// clicks the name a pupil looked up has visited it from the school's own account. Everything an
// alert carries is data a device chose (the name it looked up, the host name it gave DHCP), so
// all of it is defanged, not just the "looked up" field.

/** Control characters (a CR LF in a device's DHCP host name) would break the message's layout. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * `example.com` → `example[.]com`, `https://x` → `hxxps[://]x`, `a@b` → `a[@]b`: the usual
 * defanging, which a person still reads at a glance and no client turns into a link.
 */
export function defang(text: string): string {
  return text
    .replace(CONTROL, ' ')
    .replace(/\bhttp(s?)\b/gi, 'hxxp$1')
    .replace(/:\/\//g, '[://]')
    .replaceAll('.', '[.]')
    .replaceAll('@', '[@]');
}

/** One line of at most `max` characters, defanged. */
export function inertLine(text: string, max = 300): string {
  const line = defang(text).trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
