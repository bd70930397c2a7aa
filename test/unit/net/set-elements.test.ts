// Live set elements survive a re-apply: nft's JSON listing (as nft 1.0.6 prints it) becomes
// `add element` lines carrying what is left of each timeout.
import { describe, expect, test } from 'vitest';
import { preservedElements, setCounts } from '../../../firmware/net/set-elements.ts';

const listing = (set: object): unknown => ({ nftables: [{ metainfo: { version: '1.0.6' } }, { set: { family: 'inet', table: 'schoolgate', ...set } }] });

describe('preservedElements', () => {
  test('concatenations, default and explicit timeouts keep their remaining time', () => {
    expect(preservedElements(listing({
      name: 'authorised_guests', elem: [{ elem: { val: { concat: ['10.30.0.10', '02:5c:00:30:00:10'] }, timeout: 7200, expires: 7199 } }],
    }))).toEqual(['add element inet schoolgate authorised_guests { 10.30.0.10 . 02:5c:00:30:00:10 timeout 7199s }']);
    expect(preservedElements(listing({
      name: 'suspended', elem: [{ elem: { val: '02:5c:00:30:00:11', expires: 86399 } }, { elem: { val: '02:5c:00:30:00:12', expires: 0 } }],
    }))).toEqual(['add element inet schoolgate suspended { 02:5c:00:30:00:11 timeout 86399s, 02:5c:00:30:00:12 timeout 1s }']);
  });

  test('a whole-table listing gives one line per live set with elements, and ignores chains', () => {
    const table = { nftables: [{ metainfo: {} }, { table: { name: 'schoolgate' } },
      { set: { name: 'bypass_v4', elem: [{ elem: { val: '192.0.2.1', expires: 30 } }] } },
      { set: { name: 'suspended' } },
      { set: { name: 'not_live', elem: ['192.0.2.9'] } },
      { chain: { name: 'forward' } },
      { set: { name: 'tethering_suspects', elem: ['02:5c:00:20:00:20'] } }] };
    expect(preservedElements(table)).toEqual([
      'add element inet schoolgate bypass_v4 { 192.0.2.1 timeout 30s }',
      'add element inet schoolgate tethering_suspects { 02:5c:00:20:00:20 }',
    ]);
  });

  test('the AUP set\'s interface names are written back quoted', () => {
    expect(preservedElements(listing({ name: 'aup_accepted', elem: [{ elem: { val: { concat: ['lan-pupil', '02:5c:00:20:00:10'] } } }, { concat: ['lan-staff', '02:5c:00:10:00:09'] }] }))).toEqual([
      'add element inet schoolgate aup_accepted { "lan-pupil" . 02:5c:00:20:00:10, "lan-staff" . 02:5c:00:10:00:09 }',
    ]);
  });

  test('an empty set gives no line; a value that is not an address is refused', () => {
    expect(preservedElements(listing({ name: 'tethering_suspects' }))).toEqual([]);
    expect(() => preservedElements(listing({ name: 'bypass_v4', elem: [{ elem: { val: '1.2.3.4 }; flush ruleset', expires: 5 } }] }))).toThrow(/unexpected/);
  });

  test('an attempt set keeps its counts with its time left, so a configuration change loses no attempt', () => {
    const elem = { elem: { val: { concat: ['10.20.0.10', '02:5c:00:20:00:10'] }, timeout: 3600, expires: 3500, counter: { packets: 7, bytes: 420 } } };
    expect(preservedElements(listing({ name: 'p2p_attempts_v4', elem: [elem] }))).toEqual([
      'add element inet schoolgate p2p_attempts_v4 { 10.20.0.10 . 02:5c:00:20:00:10 counter packets 7 bytes 420 timeout 3500s }',
    ]);
    expect(() => preservedElements(listing({ name: 'p2p_attempts_v4', elem: [{ elem: { ...elem.elem, counter: { packets: '7; flush ruleset', bytes: 1 } } }] }))).toThrow(/counter/);
  });
});

describe('setCounts', () => {
  test('each element of one counting set with its packets; another set\'s are not mixed in', () => {
    const table = { nftables: [
      { set: { name: 'bypass_attempts_v4', elem: [{ elem: { val: { concat: ['10.20.0.10', '02:5c:00:20:00:10'] }, expires: 60, counter: { packets: 3, bytes: 180 } } }] } },
      { set: { name: 'p2p_attempts_v4', elem: [{ elem: { val: { concat: ['10.20.0.11', '02:5c:00:20:00:11'] }, expires: 60, counter: { packets: 1, bytes: 68 } } }] } },
    ] };
    expect(setCounts(table, 'bypass_attempts_v4')).toEqual([{ value: '10.20.0.10 . 02:5c:00:20:00:10', packets: 3 }]);
    expect(setCounts(table, 'p2p_attempts_v6')).toEqual([]);
  });
});
