// Presentation names (as the reader produces them, with `\.`, `\\` and `\DDD` escapes) to wire
// form. Used when building records once at configuration time, never per query.

/** The wire form of `text`, or undefined when it is not a valid name (bad escape, label > 63, name > 255). */
export function encodeName(text: string): Uint8Array | undefined {
  if (text === '.' || text === '') return Uint8Array.of(0);
  const body = text.endsWith('.') && !text.endsWith('\\.') ? text.slice(0, -1) : text;
  const out: number[] = [];
  let label: number[] = [];
  const flush = (): boolean => {
    if (label.length === 0 || label.length > 63) return false;
    out.push(label.length, ...label);
    label = [];
    return true;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c > 0xff) return undefined;
    if (c === 0x2e) {
      if (!flush()) return undefined;
      continue;
    }
    if (c !== 0x5c) {
      label.push(c);
      continue;
    }
    const next = body.charCodeAt(i + 1);
    if (Number.isNaN(next)) return undefined;
    if (next >= 0x30 && next <= 0x39) {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-9]{3}$/.test(digits)) return undefined;
      const value = Number(digits);
      if (value > 255) return undefined;
      label.push(value);
      i += 3;
    } else {
      if (next > 0xff) return undefined;
      label.push(next);
      i += 1;
    }
  }
  if (!flush()) return undefined;
  out.push(0);
  return out.length > 255 ? undefined : Uint8Array.from(out);
}
