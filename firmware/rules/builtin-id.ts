// `builtin:ID`: a list file that is one of the starter lists shipped in rules/. Its own module so
// code that only needs to recognise one (the compiler thread) does not load the catalogue.
export const BUILTIN_PREFIX = 'builtin:';

/** The category id a `builtin:ID` list file names, or undefined for any other file. */
export function builtinId(file: string): string | undefined {
  return file.startsWith(BUILTIN_PREFIX) ? file.slice(BUILTIN_PREFIX.length) : undefined;
}
