// The Networks page's filtering changes in words: a network's policy, a device group's, and when a
// schedule is open, a schedule's edits (one per value, as a page's diff makes them) read as one line.
import { describe, expect, it } from 'vitest';
import { CATALOGUE, defaultConfig } from '../../../../firmware/config/defaults.ts';
import type { Config } from '../../../../firmware/config/schema.ts';
import { proposalWords } from '../../../../firmware/control/changes/change-words.ts';
import { configDiff } from '../../../../firmware/control/changes/config-diff.ts';
import { daysWords } from '../../../../firmware/control/changes/setting-words.ts';

function school(): Config {
  const config = defaultConfig();
  config.networks.find((n) => n.kind === 'pupil')!.name = 'Pupils';
  config.policies.find((p) => p.id === 'pupil')!.name = 'Pupils';
  config.policies.find((p) => p.id === 'staff')!.name = 'Staff';
  config.deviceGroups = [{ id: 'year-6', name: 'Year 6', policy: 'pupil' }, { id: 'clubs', name: 'Clubs' }];
  config.schedules = [
    { id: 'breaks', name: 'Breaks', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '10:30', to: '10:45' }] },
    { id: 'weekend', name: 'Weekend', windows: [{ days: ['sat', 'sun'], from: '09:00', to: '12:00' }] },
  ];
  return config;
}
const ctx = (config: Config) => ({ config, categoryTitle: (id: string) => CATALOGUE.categories.get(id)?.title });

/** The words of the request a page's edit would make: the diff between the configuration and the draft. */
function wordsOf(config: Config, edit: (draft: Config) => void, action = 'page.edit', subject = 'x') {
  const draft = structuredClone(config);
  edit(draft);
  return proposalWords({ kind: 'config', action, subject, edits: configDiff(config, draft) }, ctx(config));
}

describe('the Networks page\'s filtering changes in words', () => {
  it('a network\'s policy', () => {
    const config = school();
    const words = wordsOf(config, (d) => { d.networks.find((n) => n.kind === 'pupil')!.policy = 'staff'; });
    expect(words.lines).toEqual(['The Pupils network: policy Pupils → Staff']);
    expect(words.title).toBe("Change the Pupils network's policy");
  });

  it('a device group\'s policy, to another and to none (its network\'s)', () => {
    const config = school();
    const words = wordsOf(config, (d) => { d.deviceGroups[0]!.policy = 'staff'; d.deviceGroups[1]!.policy = 'pupil'; });
    expect(words.lines).toEqual(['Device group Year 6: policy Pupils → Staff', "Device group Clubs: policy the network's policy → Pupils"]);
    expect(words.title).toBe("Change device group Year 6's policy and device group Clubs's policy");
    expect(wordsOf(config, (d) => { delete d.deviceGroups[0]!.policy; }).lines).toEqual(["Device group Year 6: policy Pupils → the network's policy"]);
  });

  it('a schedule\'s windows: several values of one schedule are one line, the schedule before and after', () => {
    const config = school();
    const words = wordsOf(config, (d) => {
      d.schedules[0]!.windows[0] = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '10:15', to: '11:00' };
    });
    expect(configDiff(config, (() => { const d = structuredClone(config); d.schedules[0]!.windows[0]!.from = '10:15'; d.schedules[0]!.windows[0]!.to = '11:00'; return d; })())).toHaveLength(2);
    expect(words.lines).toEqual(['Schedule Breaks: Mon–Fri 10:30–10:45 → Mon–Fri 10:15–11:00']);
    expect(words.title).toBe('Change when Breaks is open');
    const more = wordsOf(config, (d) => {
      d.schedules[0]!.windows.push({ days: ['mon', 'wed', 'fri'], from: '12:00', to: '13:00' });
      d.schedules[1]!.termTimeOnly = true;
      d.schedules[1]!.windows[0]!.to = '11:00';
    });
    expect(more.lines).toEqual([
      'Schedule Breaks: Mon–Fri 10:30–10:45 → Mon–Fri 10:30–10:45; Mon, Wed and Fri 12:00–13:00',
      'Schedule Weekend: Sat and Sun 09:00–12:00 → Sat and Sun 09:00–11:00 (term time only)',
    ]);
    expect(more.title).toBe('Change when Breaks is open and when Weekend is open');
  });

  it('days in words: three or more in a row are a span', () => {
    expect(daysWords(['fri', 'mon', 'tue', 'wed', 'thu'])).toBe('Mon–Fri');
    expect(daysWords(['mon', 'tue', 'thu', 'fri', 'sat'])).toBe('Mon, Tue and Thu–Sat');
    expect(daysWords(['sun'])).toBe('Sun');
  });

  it('a mix with an AUP row keeps the policy title and a line for each', () => {
    const config = school();
    const words = wordsOf(config, (d) => {
      d.networks.find((n) => n.kind === 'pupil')!.policy = 'staff';
      d.policies.find((p) => p.id === 'staff')!.categories.gaming = { disposition: 'unacceptable' };
    });
    expect(words.lines[0]).toBe('The Pupils network: policy Pupils → Staff');
    expect(words.lines[1]).toMatch(/^The Staff policy \(used on .+\): Online gaming: acceptable → unacceptable$/);
    expect(words.title).toBe("Change the Staff policy: Online gaming");
  });
});
