// What `schoolgate upgrade apply` (the switcher, under schoolgate-upgrade.service) and `schoolgate
// upgrade FILE` exit with: 5 for a rollback the previous release came back from, which the unit
// counts as success (SuccessExitStatus=5), so the box is not left "degraded" by a release it turned
// away; 1 for whatever may have left the box in trouble.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/command.ts';
import { upgradeExit } from '../../../firmware/cli/commands/upgrade.ts';
import type { UpgradeHistoryEntry } from '../../../firmware/upgrade/upgrade-schema.ts';
import { REPO } from '../../support/daemon.ts';

const entry = (over: Partial<UpgradeHistoryEntry>): UpgradeHistoryEntry =>
  ({ id: 'x', at: '2026-12-08T09:00:00.000Z', by: 'ssh:lee', from: '1.1.0', to: '1.2.0', outcome: 'installed', ...over });

it('exits 0 for an installed release and 5 for a rollback the previous release answers after', () => {
  expect(upgradeExit(entry({}))).toBe(EXIT.ok);
  expect(upgradeExit(entry({ outcome: 'rolled-back', reason: 'the new release failed its health check (dns: no DNS answer)', restored: true }))).toBe(5);
});

it('exits 1 when the previous release did not answer, none was there to go back to, or the switcher refused or failed', () => {
  expect(upgradeExit(entry({ outcome: 'rolled-back', restored: false }))).toBe(EXIT.failure);
  expect(upgradeExit(entry({ outcome: 'rolled-back', from: undefined }))).toBe(EXIT.failure);
  expect(upgradeExit(entry({ outcome: 'refused', reason: 'signed by a key this gateway does not trust' }))).toBe(EXIT.failure);
  expect(upgradeExit(entry({ outcome: 'failed', reason: 'ENOSPC' }))).toBe(EXIT.failure);
});

it('the switcher\'s unit counts exactly that status as success', () => {
  const unit = readFileSync(join(REPO, 'image/schoolgate-upgrade.service'), 'utf8');
  expect(unit.split('\n').filter((l) => l.startsWith('SuccessExitStatus='))).toEqual([`SuccessExitStatus=${EXIT.rolledBack}`]);
});
