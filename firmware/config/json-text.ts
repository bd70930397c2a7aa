// JSON.parse with a position a person can use. V8 reports an offset for some syntax errors and
// none for others ("Unexpected token '}', ... is not valid JSON"), so on failure a small scanner
// walks the text to find where it stops being JSON and why.

export type JsonParse =
  | { ok: true; value: unknown }
  | { ok: false; line: number; column: number; reason: string };

export function parseJsonText(text: string): JsonParse {
  // Editors on other systems sometimes save a byte-order mark; it is not part of the document.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const offsetShift = body === text ? 0 : 1;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const found = locateSyntaxError(body);
    // The scanner and V8 should always agree that the text is bad; if not, V8's word stands.
    const at = found ?? { offset: body.length, reason: (error as Error).message };
    const { line, column } = lineAndColumn(text, at.offset + offsetShift);
    return { ok: false, line, column, reason: at.reason };
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

interface SyntaxFault { offset: number; reason: string }

const describeChar = (text: string, i: number): string =>
  i >= text.length ? 'end of file' : `${JSON.stringify(text[i])}`;

/**
 * Returns the first syntax error in `text`, or undefined if it is valid JSON. Iterative (an
 * explicit stack of open containers) so a hostile file of deep nesting cannot overflow the stack.
 */
export function locateSyntaxError(text: string): SyntaxFault | undefined {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fault = (reason: string, at = i): SyntaxFault => ({ offset: at, reason });

  const scanString = (): SyntaxFault | undefined => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return undefined; }
      if (c < 0x20) return fault('control character inside a string (write it as an escape, e.g. \\n)');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fault('bad \\u escape: needs four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          return fault(`bad escape "\\${e ?? ''}" in string`);
        }
        continue;
      }
      i++;
    }
    return fault('string is not closed', start);
  };

  const scanValue = (): SyntaxFault | undefined => {
    const c = text[i];
    if (c === '"') return scanString();
    if (c === '{' || c === '[') return undefined; // containers are handled by the main loop
    const literal = /^(true|false|null)/.exec(text.slice(i, i + 5));
    if (literal) { i += literal[0].length; return undefined; }
    const number = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (number) { i += number[0].length; return undefined; }
    if (c === "'") return fault('strings must use double quotes');
    return fault(i >= text.length ? 'unexpected end of file: a value is missing' : `expected a value, found ${describeChar(text, i)}`);
  };

  // Reads `"key" :` inside an object.
  const scanKey = (): SyntaxFault | undefined => {
    skipSpace();
    if (text[i] !== '"') {
      return fault(i >= text.length
        ? 'unexpected end of file: a property name is missing'
        : `expected a property name in double quotes, found ${describeChar(text, i)}`);
    }
    const bad = scanString();
    if (bad) return bad;
    skipSpace();
    if (text[i] !== ':') return fault(`expected ":" after the property name, found ${describeChar(text, i)}`);
    i++;
    return undefined;
  };

  skipSpace();
  if (i >= text.length) return fault('the file is empty', 0);
  // Each turn reads one value (an opening bracket counts: it pushes), then settles what follows.
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipSpace();
      const close = c === '{' ? '}' : ']';
      if (text[i] !== close) {
        stack.push(c);
        if (c === '{') {
          const bad = scanKey();
          if (bad) return bad;
        }
        continue;
      }
      i++;
    } else {
      const bad = scanValue();
      if (bad) return bad;
    }
    // After a complete value: close containers or move on to the next member.
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        return i < text.length ? fault(`unexpected ${describeChar(text, i)} after the end of the document`) : undefined;
      }
      const close = top === '{' ? '}' : ']';
      if (text[i] === close) { stack.pop(); i++; continue; }
      if (text[i] === ',') {
        const comma = i;
        i++;
        skipSpace();
        if (text[i] === '}' || text[i] === ']') return fault('trailing comma: nothing follows it', comma);
        if (top === '{') {
          const bad = scanKey();
          if (bad) return bad;
        }
        break;
      }
      return fault(i >= text.length
        ? `unexpected end of file: "${close}" is missing`
        : `expected "," or "${close}", found ${describeChar(text, i)}`);
    }
  }
}
