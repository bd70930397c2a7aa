// The printed audit log's details: readable key: value lines instead of JSON.
import { expect, it } from 'vitest';
import { detailLines } from '../../../webui/src/pages/admin-format.ts';

it('turns an entry\'s details into key: value lines, nested keys dotted, lists on one line or numbered', () => {
  expect(detailLines({ mac: 'aa:bb:cc:dd:ee:01', group: null, reason: 'lost', days: ['mon', 'tue'], window: { from: '12:00', to: '13:00' } }))
    .toEqual(['mac: aa:bb:cc:dd:ee:01', 'group: —', 'reason: lost', 'days: mon, tue', 'window.from: 12:00', 'window.to: 13:00']);
  expect(detailLines({ upstreams: [{ name: 'A', port: 53 }, { name: 'B', port: 5353 }], terms: [], extra: {} }))
    .toEqual(['upstreams 1.name: A', 'upstreams 1.port: 53', 'upstreams 2.name: B', 'upstreams 2.port: 5353', 'terms: none', 'extra: none']);
  expect(detailLines(undefined)).toEqual([]);
  expect(detailLines(null)).toEqual([]);
  expect(detailLines({})).toEqual([]);
  expect(detailLines('a plain note')).toEqual(['a plain note']);
  expect(detailLines({ from: '', to: 'Mrs Patel', until: '2026-12-09T13:58:00.657Z' }, { timezone: 'Europe/London' }))
    .toEqual(['from: (empty)', 'to: Mrs Patel', 'until: 9 Dec 2026, 13:58']);
  const long = detailLines({ text: 'x'.repeat(300) }, { max: 20 });
  expect(long).toEqual([`text: ${'x'.repeat(19)}…`]);
});
