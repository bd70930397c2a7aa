// Spelling values for nftables' language. Interface names and prefixes come from a validated
// configuration, but the quoting is still done here, once, so no value can end a string early.

export function isV6(addressOrPrefix: string): boolean {
  return addressOrPrefix.includes(':');
}

/** A double-quoted nft string; the schema's patterns already forbid quotes in names. */
export function quote(text: string): string {
  if (/["\\\n]/.test(text)) throw new Error(`cannot put ${JSON.stringify(text)} in an nftables rule`);
  return `"${text}"`;
}

/** One prefix as is, several as an anonymous set. */
export function addressSet(prefixes: readonly string[]): string {
  for (const p of prefixes) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p)) throw new Error(`"${p}" is not an address or prefix`);
  }
  return prefixes.length === 1 ? prefixes[0]! : `{ ${prefixes.join(', ')} }`;
}
