// What every list format produces, whatever its syntax: items for the compiler, errors with
// their line, and counted notes for lines that are valid but mean nothing to a DNS filter.
import type { NameMode } from './domain-name.ts';

/** 'block': the entry as listed (the list's own action applies); 'allow': an exception line. */
export type ListAction = 'block' | 'allow';

export type ListItem =
  | { type: 'name'; name: string; mode: NameMode; action: ListAction; line: number }
  | { type: 'regex'; pattern: string; action: ListAction; line: number }
  /** Lower-case hex SHA-256 of a normalised name (see formats/sha256-list.ts). */
  | { type: 'hash'; sha256: string; line: number };

export interface LineError {
  line: number;
  message: string;
}

/** Where a format parser writes; the reader (read-list.ts) adds limits, folding and redaction. */
export interface LineOut {
  item(item: ListItem): void;
  error(line: number, message: string): void;
  /** A line that is valid in its format but not applicable here; `reason` is a fixed text. */
  skip(line: number, reason: string): void;
  /**
   * Quotes listed text for an error message. For a restricted list it returns "the entry"
   * instead, so messages built with it never carry the list's content.
   */
  quote(text: string): string;
}

/** One parser per file: formats with state across lines (RPZ) keep it here. */
export interface FormatParser {
  line(text: string, line: number): void;
  /** End of file: reports what is still open (an RPZ parenthesis). */
  end(): void;
}

export type FormatParserFactory = (out: LineOut) => FormatParser;

/** Most formats read each line on its own. */
export function perLine(parse: (text: string, line: number, out: LineOut) => void): FormatParserFactory {
  return (out) => ({ line: (text, line) => parse(text, line, out), end: () => {} });
}
