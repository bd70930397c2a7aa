// Shared by the policy tests: a small school configuration, a fixed category → bit map (with
// categories in both halves of the mask) and input builders.
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import type { DecisionInput } from '../../../../firmware/dns/policy/decision.ts';
import type { PolicyConfig } from '../../../../firmware/dns/policy/engine.ts';

/** Bits as the matcher might assign them; `video` and `illegal` sit in the high half. */
export const BITS: Readonly<Record<string, number>> = {
  adult: 0, gambling: 1, social: 2, gaming: 3, news: 5, streaming: 33, illegal: 40, extremism: 41, bypass: 7, chat: 8,
  forums: 9, video: 50, music: 63, 'self-harm': 10, malware: 11, hate: 12, piracy: 13, violence: 14, drugs: 15,
  dating: 16, 'file-hosting': 17, videoconferencing: 18,
};

export const bitOf = (id: string): number | undefined => BITS[id];

export function mask(...ids: string[]): { blockLo: number; blockHi: number } {
  let blockLo = 0;
  let blockHi = 0;
  for (const id of ids) {
    const bit = BITS[id];
    if (bit === undefined) throw new Error(`no bit for ${id}`);
    if (bit < 32) blockLo = (blockLo | (1 << bit)) >>> 0;
    else blockHi = (blockHi | (1 << (bit - 32))) >>> 0;
  }
  return { blockLo, blockHi };
}

export function input(networkId: string, name: string, categories: string[] = [], extra: Partial<DecisionInput> = {}): DecisionInput {
  return { networkId, name, ...mask(...categories), allowed: false, restricted: false, ...extra };
}

/** UTC instant from an ISO string, in ms. */
export const at = (iso: string): number => Date.parse(iso);

/**
 * Two networks, three policies, device groups with and without their own policy, a lunchtime
 * schedule and one of every disposition on the pupil policy.
 */
export function schoolConfig(): PolicyConfig & Pick<Config, 'lists'> {
  const base = defaultConfig();
  return {
    site: { name: 'Test Primary', timezone: 'Europe/London' },
    networks: base.networks,
    lists: [],
    schedules: [
      { id: 'lunchtime', name: 'Lunchtime', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '12:00', to: '13:00' }] },
      { id: 'after-school', name: 'After school', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '15:30', to: '18:00' }] },
    ],
    deviceGroups: [
      { id: 'year-6', name: 'Year 6' },
      { id: 'media-club', name: 'Media club' },
      { id: 'staff-laptops', name: 'Staff laptops', policy: 'staff' },
      { id: 'sen', name: 'SEN devices', policy: 'sen' },
    ],
    policies: [
      {
        id: 'pupil', name: 'Pupils', safeSearch: 'strict', blockAnswer: 'block-page',
        categories: {
          news: { disposition: 'acceptable' },
          forums: { disposition: 'acceptable', watch: true },
          streaming: { disposition: 'acceptable-at-certain-times', schedule: 'lunchtime' },
          video: { disposition: 'acceptable-for-nominated-users', groups: ['media-club', 'year-6'] },
          gaming: { disposition: 'acceptable-at-certain-times', schedule: 'after-school', watch: true },
          social: { disposition: 'unacceptable' },
          gambling: { disposition: 'unacceptable' },
          adult: { disposition: 'unacceptable' },
          illegal: { disposition: 'unacceptable-and-illegal' },
          extremism: { disposition: 'unacceptable-and-illegal' },
          // No list feeds this category: the matcher has no bit for it.
          'crypto-mining': { disposition: 'unacceptable' },
        },
      },
      {
        id: 'staff', name: 'Staff', safeSearch: 'moderate', blockAnswer: 'block-page',
        categories: {
          social: { disposition: 'acceptable' },
          chat: { disposition: 'acceptable', watch: true },
          gambling: { disposition: 'unacceptable' },
          adult: { disposition: 'unacceptable' },
          illegal: { disposition: 'unacceptable-and-illegal' },
        },
      },
      {
        id: 'guest', name: 'Visitors', safeSearch: 'strict', blockAnswer: 'nxdomain',
        categories: { social: { disposition: 'unacceptable' }, streaming: { disposition: 'unacceptable' }, illegal: { disposition: 'unacceptable-and-illegal' } },
      },
      {
        id: 'sen', name: 'SEN', safeSearch: 'strict', blockAnswer: 'block-page',
        categories: { streaming: { disposition: 'acceptable' }, illegal: { disposition: 'unacceptable-and-illegal' } },
      },
    ],
    exceptions: [],
  };
}
