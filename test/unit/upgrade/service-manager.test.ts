// When the switcher stops waiting for a restarted release: systemd's states for a daemon that
// exited by itself. The unit's Restart=on-failure with RestartSec=2 never reaches "failed" for a
// daemon that exits at start, so "auto-restart" must count too, and a daemon that exits 0 after
// READY=1 leaves the unit inactive with no job queued (npm run test:service shows both).
import { describe, expect, it } from 'vitest';
import { exitedByItself } from '../../../firmware/upgrade/service-manager.ts';

describe('exitedByItself', () => {
  it('is true once systemd has given up, and while it waits to restart a daemon that died', () => {
    expect(exitedByItself({ ActiveState: 'failed', SubState: 'failed' })).toBe(true);
    expect(exitedByItself({ ActiveState: 'activating', SubState: 'auto-restart' })).toBe(true);
  });

  it('is true for a daemon that exited 0 and was not restarted: inactive, nothing queued to start it', () => {
    expect(exitedByItself({ ActiveState: 'inactive', SubState: 'dead', Job: '' })).toBe(true);
  });

  it('is false while the daemon starts, runs, reloads or is being restarted on request', () => {
    for (const [ActiveState, SubState, Job] of [['activating', 'start', '482'], ['active', 'running', ''], ['reloading', 'reload', ''], ['deactivating', 'stop-sigterm', '482'],
      ['deactivating', 'stop', '482'], ['activating', 'start-pre', '482']]) {
      expect(exitedByItself({ ActiveState, SubState, Job }), `${ActiveState}/${SubState}`).toBe(false);
    }
    // Between the stop and the start of the switcher's own restart: inactive, the restart's job queued.
    expect(exitedByItself({ ActiveState: 'inactive', SubState: 'dead', Job: '482' })).toBe(false);
    // Where the job is not known, inactive is not enough to give up on.
    expect(exitedByItself({ ActiveState: 'inactive', SubState: 'dead' })).toBe(false);
    expect(exitedByItself({})).toBe(false);
  });
});
