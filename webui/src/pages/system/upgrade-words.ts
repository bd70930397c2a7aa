// An upgrade's outcome in words, for the Upgrade page's history and the health page's last upgrade
// (a Record over the outcome type, so a new outcome fails the type check until named).
import type { UpgradeHistoryEntry } from '../../../../firmware/upgrade/upgrade-schema.ts';

export const OUTCOME: Record<UpgradeHistoryEntry['outcome'], string> = {
  installed: 'Installed', 'rolled-back': 'Rolled back', refused: 'Refused', failed: 'Failed',
};

/** Why it was not installed, and whether the previous release came back. */
export function outcomeText(e: UpgradeHistoryEntry): string {
  if (e.outcome !== 'rolled-back') return e.reason ?? '';
  const reason = e.reason === undefined || e.reason === '' || e.reason.endsWith('.') ? e.reason ?? '' : `${e.reason}.`;
  return `${reason}${e.restored === false ? ' The previous release did not answer again: check the gateway.' : ' The previous release answers again.'}`;
}
