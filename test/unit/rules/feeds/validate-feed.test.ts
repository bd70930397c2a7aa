// What makes a downloaded feed unfit to swap in: nothing in it, a page of HTML, too many lines
// that are not entries, or far fewer entries than the copy in service.
import { describe, expect, it } from 'vitest';
import { MAX_BAD_LINE_SHARE, MAX_SHRINK_SHARE, validateFeed } from '../../../../firmware/rules/feeds/validate-feed.ts';

const names = (n: number, prefix = 'site'): string => Array.from({ length: n }, (_, i) => `${prefix}${i}.test`).join('\n') + '\n';

describe('validateFeed', () => {
  it('accepts a list, counting entries as the compiler does (repeats folded, comments ignored)', () => {
    const v = validateFeed('# social\n\na.test\nb.test\na.test\n', { format: 'domains', previousEntries: null });
    expect(v).toEqual({ ok: true, entries: 2, badLines: 0, contentLines: 3 });
  });

  it('refuses an empty download and one with only comments', () => {
    expect(validateFeed('', { format: 'domains', previousEntries: 10 })).toMatchObject({ ok: false, error: 'the download is empty' });
    const comments = validateFeed('# nothing here yet\n', { format: 'hosts', previousEntries: null });
    expect(comments.ok).toBe(false);
    expect(comments.error).toContain('no hosts entries');
  });

  it('says an HTML page looks like an error page', () => {
    const page = '<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>\n';
    const v = validateFeed(page, { format: 'domains', previousEntries: null });
    expect(v.ok).toBe(false);
    expect(v.error).toContain('looks like an HTML error page');
    // Even after a BOM and blank lines, and even when some lines happen to parse.
    expect(validateFeed(`\ufeff\n  <html>\n${names(50)}`, { format: 'domains', previousEntries: null }).error).toContain('HTML');
  });

  it(`refuses more than ${MAX_BAD_LINE_SHARE * 100} % bad lines and accepts up to that`, () => {
    const bad = (n: number): string => Array.from({ length: n }, (_, i) => `not a name ${i}`).join('\n') + '\n';
    const atLimit = validateFeed(names(90) + bad(10), { format: 'domains', previousEntries: null });
    expect(atLimit).toMatchObject({ ok: true, entries: 90, badLines: 10 });
    const over = validateFeed(names(89) + bad(11), { format: 'domains', previousEntries: null });
    expect(over.ok).toBe(false);
    expect(over.error).toContain('11 of 100 lines (11 %)');
  });

  it('refuses a hosts file configured as domains (the wrong format)', () => {
    const hosts = Array.from({ length: 20 }, (_, i) => `0.0.0.0 s${i}.test`).join('\n');
    expect(validateFeed(hosts, { format: 'domains', previousEntries: null }).ok).toBe(false);
    expect(validateFeed(hosts, { format: 'hosts', previousEntries: null })).toMatchObject({ ok: true, entries: 20 });
  });

  it(`refuses a list that lost more than ${MAX_SHRINK_SHARE * 100} % of its entries, unless forced`, () => {
    expect(validateFeed(names(50), { format: 'domains', previousEntries: 100 })).toMatchObject({ ok: true, entries: 50 });
    const truncated = validateFeed(names(49), { format: 'domains', previousEntries: 100 });
    expect(truncated.ok).toBe(false);
    expect(truncated.error).toContain('49 entries against 100');
    expect(validateFeed(names(49), { format: 'domains', previousEntries: 100, force: true }).ok).toBe(true);
    // Growing is always fine, and a first download has nothing to shrink from.
    expect(validateFeed(names(500), { format: 'domains', previousEntries: 100 }).ok).toBe(true);
    expect(validateFeed(names(1), { format: 'domains', previousEntries: null }).ok).toBe(true);
  });

  it('counts an exception line in a restricted list as bad, as the compiler refuses it', () => {
    const text = `${names(5)}@@||allowed.test^\n`;
    expect(validateFeed(text, { format: 'adblock', previousEntries: null })).toMatchObject({ ok: true, entries: 6, badLines: 0 });
    expect(validateFeed(text, { format: 'adblock', previousEntries: null, restricted: true })).toMatchObject({ ok: false, entries: 5, badLines: 1 });
  });
});
