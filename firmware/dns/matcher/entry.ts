// What a list line becomes on its way into the matcher, and the 16-bit descriptor that records an
// entry's kind, mode and category without its name.

export type EntryKind = 'block' | 'allow' | 'restricted';
/** suffix: the name and every subdomain; exact: the name only; subdomains: `*.name`, not the name. */
export type EntryMode = 'suffix' | 'exact' | 'subdomains';

export interface MatcherEntry {
  /** Lower-case presentation form without a trailing dot, as `normaliseListedName` produces it. */
  name: string;
  kind: EntryKind;
  /** Required for `block`; ignored for `allow` and `restricted` (which act on every category). */
  category?: string;
  mode?: EntryMode;
  /** Which list (0..65535) and line the entry came from, for explanations. */
  list: number;
  line: number;
}

export interface MatcherReject {
  list: number;
  line: number;
  /** Why the entry was refused. Never contains the name: it may come from a restricted list. */
  reason: string;
}

export const KIND_BLOCK = 0;
export const KIND_ALLOW = 1;
export const KIND_RESTRICTED = 2;
export const MODE_SUFFIX = 0;
export const MODE_EXACT = 1;
export const MODE_SUBDOMAINS = 2;
/** Category field of a descriptor that has none (allow and restricted entries). */
export const NO_CATEGORY = 127;

export const KINDS: readonly EntryKind[] = ['block', 'allow', 'restricted'];
export const MODES: readonly EntryMode[] = ['suffix', 'exact', 'subdomains'];

// Descriptor layout: bits 0-1 kind, 2-3 mode, 4-10 category bit (NO_CATEGORY for none).
export function descriptor(kind: number, mode: number, category: number): number {
  return kind | (mode << 2) | (category << 4);
}
export const descKind = (desc: number): number => desc & 3;
export const descMode = (desc: number): number => (desc >>> 2) & 3;
export const descCategory = (desc: number): number => (desc >>> 4) & 0x7f;

/** Whether an entry of `mode` covers the listed name itself (apex) or a name below it. */
export function modeCovers(mode: number, apex: boolean): boolean {
  return apex ? mode !== MODE_SUBDOMAINS : mode !== MODE_EXACT;
}

/** A descriptor this version can have written: known kind and mode, category only on blocks. */
export function isValidDescriptor(desc: number, categories: number): boolean {
  if (desc >>> 11 !== 0) return false;
  const kind = descKind(desc);
  const category = descCategory(desc);
  if (kind > KIND_RESTRICTED || descMode(desc) > MODE_SUBDOMAINS) return false;
  return kind === KIND_BLOCK ? category < categories : category === NO_CATEGORY;
}

// Presentation text of a 255-byte wire name is at most 4 characters per byte (`\DDD`).
const MAX_TEXT = 1020;
const MAX_LABELS = 127;

/**
 * A light check of an already-normalised name; returns why it is unusable, or undefined.
 * Full syntax (label characters, IDN) is the list parser's job; this guards the table against
 * names that could never match a question: empty labels, upper case, spaces, a trailing dot.
 */
export function checkName(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'empty name';
  if (name.length > MAX_TEXT) return 'name too long';
  let labels = 1;
  let labelStart = 0;
  let escaped = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return 'character outside printable ASCII (use punycode)';
    if (c >= 0x41 && c <= 0x5a) return 'upper-case letter (names must be normalised to lower case)';
    // An escaped character (`\.`, `\\`, or the first digit of \DDD) belongs to the label.
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c === 0x5c) {
      escaped = true;
      continue;
    }
    if (c === 0x2e) {
      if (i === labelStart) return 'empty label';
      labels++;
      labelStart = i + 1;
    }
  }
  if (escaped) return 'dangling escape';
  if (labelStart === name.length) return 'empty label or trailing dot';
  if (labels > MAX_LABELS) return 'more than 127 labels';
  return undefined;
}
