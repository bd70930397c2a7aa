// The AUP table's editing rules, without a browser: a choice keeps what other dispositions asked
// for, a save sends every unlocked row, and the server's messages land on their rows in plain words.
import { describe, expect, it } from 'vitest';
import type { AupPolicy } from '../../../firmware/admin/api/policy-schema.ts';
import { bodyOf, changedRows, choose, draftOf, errorsByRow, update } from '../../../webui/src/pages/policies/aup-draft.ts';

const policy: AupPolicy = {
  id: 'pupil', name: 'Pupils', safeSearch: 'strict', networks: [], groups: [],
  rows: [
    { category: 'illegal', title: 'Illegal content', description: 'x', severity: 'critical', rule: { disposition: 'unacceptable-and-illegal' }, locked: true },
    { category: 'streaming', title: 'Streaming', description: 'x', severity: 'low', rule: { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' }, locked: false },
    { category: 'social', title: 'Social', description: 'x', severity: 'low', rule: { disposition: 'unacceptable' }, locked: false },
  ],
};

describe('the AUP draft', () => {
  it('keeps a schedule while another disposition is tried, and counts only real changes', () => {
    let draft = draftOf(policy);
    draft = choose(draft, 'streaming', 'unacceptable', {});
    expect(changedRows(policy, draft)).toEqual(['streaming']);
    draft = choose(draft, 'streaming', 'acceptable-at-certain-times', {});
    expect(draft.streaming).toEqual({ disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' });
    expect(changedRows(policy, draft)).toEqual([]);
    draft = choose(draft, 'social', 'acceptable-at-certain-times', { schedule: 'lunchtime' });
    draft = update(draft, 'social', { watch: true });
    expect(draft.social).toEqual({ disposition: 'acceptable-at-certain-times', schedule: 'lunchtime', watch: true });
  });

  it('sends every unlocked row and never a locked one, with why it is asked for, trimmed', () => {
    const body = bodyOf(policy, draftOf(policy), { rationale: '  Year 6 research on social media safety ', riskNote: 'Staff supervise; watched.' });
    expect(Object.keys(body.categories)).toEqual(['streaming', 'social']);
    expect([body.rationale, body.riskNote]).toEqual(['Year 6 research on social media safety', 'Staff supervise; watched.']);
  });

  it('groups the server\'s messages by row, in the table\'s words', () => {
    expect(errorsByRow({
      'categories/social/groups': 'at least one device group is required when the disposition is "acceptable-for-nominated-users"',
      'categories/illegal/disposition': 'cannot be changed',
      'categories/nonsense': 'there is no category "nonsense"',
      '/site/terms/0/end': 'elsewhere',
    })).toEqual({
      social: { groups: 'at least one device group is required when the disposition is “acceptable for nominated users”' },
      illegal: { disposition: 'cannot be changed' },
      nonsense: { disposition: 'there is no category "nonsense"' },
      '': { '/site/terms/0/end': 'elsewhere' },
    });
  });
});
