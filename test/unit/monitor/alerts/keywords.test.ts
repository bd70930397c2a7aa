// Keyword flagging: names and keywords meet in one spelling (character swaps, joined labels,
// repeated letters), misspellings are keywords of their own, and an innocent name holding a
// keyword is no hit (the Scunthorpe problem), list by list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { validateConfig } from '../../../../firmware/config/validate.ts';
import { dnsAlertRulesData, loadKeywordLists } from '../../../../firmware/monitor/alerts/alert-rules-config.ts';
import { KeywordMatcher } from '../../../../firmware/monitor/alerts/keyword-matcher.ts';
import { KeywordListError, normaliseKeywordText, normalisedVariants, parseKeywordList, type KeywordList } from '../../../../firmware/monitor/alerts/keyword-text.ts';

const shipped = loadKeywordLists();
const matcher = new KeywordMatcher([...shipped.values()]);
const listOf = (name: string): string | undefined => matcher.match(name)?.list;

describe('normalising', () => {
  it('joins labels, reads look-alike characters as letters and collapses repeated letters', () => {
    expect(normaliseKeywordText('How-To.Example.COM')).toBe('howtoexamplecom');
    expect(normaliseKeywordText('s3lf_h4rm')).toBe('selfharm');
    expect(normaliseKeywordText('5u1c1d3')).toBe('suicide');
    expect(normaliseKeywordText('$h@m0')).toBe('shamo');
    expect(normaliseKeywordText('7ree')).toBe('tre');
    expect(normaliseKeywordText('suiiiciiide')).toBe('suicide');
    // A 1 is an i or an l: both readings are tried.
    expect(normalisedVariants('se1f-harm.example')).toEqual(['seifharmexample', 'selfharmexample']);
    expect(normalisedVariants('plain.example')).toEqual(['plainexample']);
  });
});

describe('the shipped lists', () => {
  it('are the five lists, each with a severity and keywords', () => {
    expect([...shipped.keys()]).toEqual(['drugs', 'extremism', 'self-harm', 'suicide', 'weapons']);
    expect(Object.fromEntries([...shipped].map(([id, l]) => [id, l.severity]))).toEqual({
      drugs: 'medium', extremism: 'high', 'self-harm': 'critical', suicide: 'critical', weapons: 'high',
    });
  });

  it.each([
    ['how-to-kill-myself.example', 'self-harm'],
    ['k1ll-myself.example.net', 'self-harm'],
    ['se1f-harm-forum.example', 'self-harm'],
    ['s3lf-h4rm.example', 'self-harm'],
    ['slefharm.example', 'self-harm'], // a listed misspelling
    ['best-thinspo.example', 'self-harm'],
    ['suiiicide.example', 'suicide'],
    ['5uicide-methods.example', 'suicide'],
    ['sucide.example', 'suicide'], // a listed misspelling
    ['www.how-to-die.example', 'suicide'],
    ['atomwaffen.example', 'extremism'],
    ['zombie-knife-shop.example', 'weapons'],
    ['buy-c0caine.example', 'drugs'],
    ['magic-shrooms.example', 'drugs'],
  ])('flag %s (%s)', (name, list) => {
    expect(listOf(name)).toBe(list);
  });

  it.each([
    'www.bbc.co.uk',
    'superheroine.example', // holds heroin
    'mushrooms.example', // holds shrooms once "oo" collapses
    'how-to-diet.example', // holds how-to-die
    'suicide-squad.example', // a film
    'white-power-bank.example', // a phone charger
    'national-action-plan.gov.example',
    'pro-analytics.example', // holds pro-ana
    'scunthorpe.example',
    'therapist.example',
  ])('do not flag %s', (name) => {
    expect(matcher.match(name)).toBeUndefined();
  });

  it('tries each reading of 1 for the whole name, so a name mixing both is missed', () => {
    expect(listOf('k1ll-myse1f.example')).toBeUndefined();
  });

  it('excuses only the occurrence an innocent name covers', () => {
    expect(listOf('heroine-or-heroin.org')).toBe('drugs');
    expect(listOf('how-to-diet-or-how-to-die.example')).toBe('suicide');
  });

  it('reports the most severe list a name hits', () => {
    expect(matcher.match('cocaine-suicide.example')).toEqual({ list: 'suicide', severity: 'critical', keyword: 'suicide' });
  });
});

describe('a list file', () => {
  it('excuses a keyword inside its own innocent names only', () => {
    const own = parseKeywordList('own', 'severity: high\nrapist\n!therapist\n');
    const other = parseKeywordList('other', 'severity: medium\ntherap\n');
    const m = new KeywordMatcher([own, other]);
    expect(m.match('a-rapist.example')?.list).toBe('own');
    // Labels are joined, so a name that reads as an innocent one once its dashes go is excused:
    // the price of catching "kill-my-self" as "killmyself".
    expect(m.match('the-rapist.example')?.list).toBe('other');
    expect(m.match('find-a-therapist.example')).toEqual({ list: 'other', severity: 'medium', keyword: 'therap' });
    expect(new KeywordMatcher([own]).match('find-a-therapist.example')).toBeUndefined();
  });

  it('names every bad line and refuses the list', () => {
    expect(() => parseKeywordList('bad', 'severity: urgent\nab\nok-word\nBad Word\n')).toThrow(KeywordListError);
    try {
      parseKeywordList('bad', 'severity: urgent\nab\nok-word\nBad Word\n');
    } catch (error) {
      expect((error as Error).message).toBe('keyword list bad: line 1: severity must be one of critical, high, medium, low; line 2: "ab" is shorter than 4 letters once normalised ("ab"): it would match too many innocent names; line 4: "Bad Word" is not a keyword (lower-case letters, digits, dots and dashes); no "severity: LEVEL" line');
    }
    expect(() => parseKeywordList('empty', '# nothing\nseverity: low\n')).toThrow('no keywords');
  });
});

describe('the configuration', () => {
  it('chooses shipped lists, adds the school\'s own keywords, and refuses a list that is not shipped', () => {
    const data = dnsAlertRulesData({ alerts: { contacts: [], keywords: { lists: ['drugs'], extra: ['zebra-corn', 'ab'] } }, networks: [] }, { social: 'low' }, shipped);
    expect(data.keywordLists.map((l) => [l.id, l.severity, l.keywords])).toEqual([['drugs', 'medium', shipped.get('drugs')!.keywords], ['school', 'high', ['zebracorn']]]);
    expect(new KeywordMatcher(data.keywordLists).match('zebra-c0rn.example')?.list).toBe('school');
    expect(dnsAlertRulesData({ networks: [] }, {}, shipped).keywordLists.map((l) => l.id)).toEqual([...shipped.keys()]);
    expect(() => dnsAlertRulesData({ alerts: { contacts: [], keywords: { lists: ['gambling'] } }, networks: [] }, {}, shipped)).toThrow('alerts.keywords.lists names "gambling", which is not a shipped keyword list');
  });

  it('is refused by validation for a keyword list that is not shipped or a contact named twice', () => {
    const config = defaultConfig();
    config.alerts = {
      contacts: [{ name: 'Dee Ess-Ell', role: 'dsl' }, { name: 'dee ess-ell ', role: 'deputy-dsl' }],
      keywords: { lists: ['suicide', 'gambling'] },
    };
    const result = validateConfig(config);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([
      { path: '/alerts/keywords/lists/1', message: 'there is no shipped keyword list "gambling" (lists: drugs, extremism, self-harm, suicide, weapons)' },
      { path: '/alerts/contacts/1/name', message: '"dee ess-ell " is already a contact: each person once, in escalation order' },
    ]);
    config.alerts = { contacts: [{ name: 'Dee Ess-Ell', role: 'dsl' }], keywords: { lists: ['suicide'] } };
    expect(validateConfig(config).ok).toBe(true);
  });
});

describe('the automaton', () => {
  /** The same decision by plain substring search: every occurrence of every keyword, each checked against its list's innocent names. */
  function naive(lists: KeywordList[], name: string): string | undefined {
    const rank = { critical: 0, high: 1, medium: 2, low: 3 } as const;
    let best: KeywordList | undefined;
    for (const text of normalisedVariants(name)) {
      for (const list of lists) {
        const hit = list.keywords.some((k) => {
          for (let at = text.indexOf(k); at !== -1; at = text.indexOf(k, at + 1)) {
            const covered = list.innocent.some((n) => {
              for (let i = text.indexOf(n); i !== -1; i = text.indexOf(n, i + 1)) if (i <= at && i + n.length >= at + k.length) return true;
              return false;
            });
            if (!covered) return true;
          }
          return false;
        });
        // The most severe list that hits in any spelling; between lists of one severity, the first.
        const before = best === undefined || rank[list.severity] < rank[best.severity] || (rank[list.severity] === rank[best.severity] && lists.indexOf(list) < lists.indexOf(best));
        if (hit && before) best = list;
      }
    }
    return best?.id;
  }

  it('decides as a plain substring search does, for any lists and names', () => {
    const word = fc.stringMatching(/^[abc1]{1,5}$/).map((w) => normaliseKeywordText(w)).filter((w) => w.length > 0);
    const list = (id: string) => fc.record({
      id: fc.constant(id), severity: fc.constantFrom('critical', 'high', 'medium', 'low' as const),
      keywords: fc.array(word, { minLength: 1, maxLength: 4 }), innocent: fc.array(word, { maxLength: 3 }),
    });
    fc.assert(fc.property(fc.tuple(list('x'), list('y')), fc.stringMatching(/^[abc1.-]{0,20}$/), (lists, name) => {
      expect(new KeywordMatcher(lists).match(name)?.list).toBe(naive(lists, name));
    }), { numRuns: 5000 });
  });

  it('reads names with characters outside the keywords\' alphabet', () => {
    expect(listOf('xn--suicide-\u00e9.example')).toBe('suicide');
    expect(matcher.match('\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9.example')).toBeUndefined();
  });
});
