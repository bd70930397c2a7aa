// When the switcher stops waiting for a restarted release: systemd's states for a daemon that
// exited by itself. The unit's Restart=on-failure with RestartSec=2 never reaches "failed" for a
// daemon that exits at start, so "auto-restart" must count too (npm run test:service shows it).
import { describe, expect, it } from 'vitest';
import { exitedByItself } from '../../../firmware/upgrade/service-manager.ts';

describe('exitedByItself', () => {
  it('is true once systemd has given up, and while it waits to restart a daemon that died', () => {
    expect(exitedByItself({ ActiveState: 'failed', SubState: 'failed' })).toBe(true);
    expect(exitedByItself({ ActiveState: 'activating', SubState: 'auto-restart' })).toBe(true);
  });

  it('is false while the daemon starts, runs, reloads or is being restarted on request', () => {
    for (const [ActiveState, SubState] of [['activating', 'start'], ['active', 'running'], ['reloading', 'reload'], ['deactivating', 'stop-sigterm'], ['inactive', 'dead']]) {
      expect(exitedByItself({ ActiveState, SubState }), `${ActiveState}/${SubState}`).toBe(false);
    }
    expect(exitedByItself({})).toBe(false);
  });
});
