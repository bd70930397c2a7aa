// List parsers: text in, items with their line numbers out, and every problem with its line.
// Line-at-a-time, so a 1M-line file is parsed without splitting it into an array first.
import type { ListFormat } from '../../config/schema.ts';
import { adblockFormat } from './adblock.ts';
import type { NameMode } from './domain-name.ts';
import type { FormatParserFactory, LineError, ListItem } from './list-item.ts';
import { domainsFormat, hostsFormat } from './plain.ts';
import { readLines, type ListReader, type ListReadOptions, type ListReadSummary, type ListSink } from './read-list.ts';
import { regexFormat } from './regex-list.ts';
import { rpzFormat } from './rpz.ts';
import { sha256Format } from './sha256-list.ts';

export { normalDomainLine } from './plain.ts';
export type { LineError, ListItem, ListAction } from './list-item.ts';
export type { ListReader, ListReadOptions, ListReadSummary, ListSink, SkipCount } from './read-list.ts';

export const FORMAT_PARSERS: Record<ListFormat, FormatParserFactory> = {
  domains: domainsFormat,
  hosts: hostsFormat,
  adblock: adblockFormat,
  regex: regexFormat,
  rpz: rpzFormat,
  sha256: sha256Format,
};

/** A reader for one file of `format`: push its lines in order, then call end(). */
export function createListReader(format: ListFormat, sink: ListSink, options?: ListReadOptions): ListReader {
  return readLines(FORMAT_PARSERS[format], sink, options);
}

export interface ParsedList {
  items: ListItem[];
  /** The block names among `items`, in the first loader's shape (the catalogue checker reads these). */
  names: ListedName[];
  errors: LineError[];
  summary: ListReadSummary;
}

/**
 * Parses a whole text (the catalogue checker, tests, small files); the compiler streams lines
 * into createListReader instead. Unlike the compiler's reader, it keeps repeated entries unless
 * told otherwise, because the catalogue checker reports them.
 */
export function parseListText(text: string, format: ListFormat, options: ListReadOptions = {}): ParsedList {
  const items: ListItem[] = [];
  const names: ListedName[] = [];
  const errors: LineError[] = [];
  const sink: ListSink = {
    item(item) {
      items.push(item);
      if (item.type === 'name' && item.action === 'block') names.push({ name: item.name, mode: item.mode, line: item.line });
    },
    error: (e) => errors.push(e),
  };
  const reader = createListReader(format, sink, { keepDuplicates: true, ...options });
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // A final newline ends the last line; it does not start another.
    if (start === text.length && start > 0) break;
    reader.push(text.slice(start, end));
    start = end + 1;
  }
  return { items, names, errors, summary: reader.end() };
}

/** A block name as parseListText reports it (the catalogue checker reads these). */
export interface ListedName {
  name: string;
  mode: NameMode;
  line: number;
}
