// A new schedule's or group's id, made from the name a person typed: ids are what policies and
// devices refer to, so they never change after; the name can.

/** "After-school clubs" → "after-school-clubs"; a name with no letters gets `fallback`. */
export function slugOf(name: string, fallback: string): string {
  const slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 32).replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}
