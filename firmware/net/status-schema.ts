// Network enforcement's part of `status` and `net show`.
import { Type, type Static } from 'typebox';

export const FirewallStatus = Type.Object({
  enabled: Type.Boolean({ description: 'whether the configuration turns enforcement on (firewall.enabled)' }),
  appliedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the ruleset in force was applied' }),
  applyMs: Type.Union([Type.Number(), Type.Null()], { description: 'how long that apply took (ms)' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the last apply failed (the ruleset before it stays in force)' }),
});
export type FirewallStatus = Static<typeof FirewallStatus>;
