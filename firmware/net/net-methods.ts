// The control-socket method behind `schoolgate net show`: the table the kernel holds now, the
// outcome of the last apply, and each network's rules in words.
import { Type, type Static } from 'typebox';
import { NetworkKind, type Config } from '../config/schema.ts';
import type { ControlServer } from '../control/server.ts';
import { explainRuleset } from './explain.ts';
import { rulesetInputOf } from './ruleset-input.ts';
import type { FirewallService } from './service.ts';
import type { TetheringWatch } from './tethering-watch.ts';
import type { AttemptsWatch } from './attempts-watch.ts';
import type { BypassLearner } from './bypass-learner.ts';
import { FirewallStatus } from './status-schema.ts';
import { setMembers } from './set-elements.ts';
import { ShapingStatus } from './shaping/status-schema.ts';

export const NetView = Type.Object({
  ...FirewallStatus.properties,
  ruleset: Type.Union([Type.String(), Type.Null()], { description: '`nft list table inet schoolgate` now; null when the table is absent' }),
  shaping: Type.Optional(ShapingStatus),
  networks: Type.Array(Type.Object({
    network: Type.String(),
    kind: NetworkKind,
    enabled: Type.Boolean(),
    lines: Type.Array(Type.String()),
  })),
});
export type NetView = Static<typeof NetView>;

export const TetheringView = Type.Object({
  suspects: Type.Array(Type.Object({
    mac: Type.String(),
    networkId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    mode: Type.Union([Type.Literal('monitor'), Type.Literal('block')]),
    record: Type.Boolean({ description: 'a network event was recorded by this check (one per device per hour)' }),
    suspendUntil: Type.Union([Type.String(), Type.Null()], { description: 'suspended by this check until then (block mode)' }),
  })),
});
export type TetheringView = Static<typeof TetheringView>;

export const AttemptsView = Type.Object({
  attempts: Type.Array(Type.Object({
    kind: Type.Union([Type.Literal('net.bypass'), Type.Literal('net.p2p')]),
    address: Type.String(),
    mac: Type.String(),
    networkId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    packets: Type.Integer({ minimum: 0, description: 'packets refused since the device\'s last event' }),
    record: Type.Boolean({ description: 'a network event was recorded by this check (one per device per hour)' }),
  })),
});
export type AttemptsView = Static<typeof AttemptsView>;

export const BypassView = Type.Object({
  v4: Type.Array(Type.String(), { description: 'bypass_v4 now: the addresses refused on 443' }),
  v6: Type.Array(Type.String()),
  learner: Type.Object({
    namesLearned: Type.Integer({ minimum: 0 }),
    addressesAdded: Type.Integer({ minimum: 0 }),
    queued: Type.Integer({ minimum: 0 }),
    refused: Type.Integer({ minimum: 0, description: 'names not queued because the queue was full' }),
    failures: Type.Integer({ minimum: 0 }),
  }),
});
export type BypassView = Static<typeof BypassView>;

export function registerNetMethods(control: Pick<ControlServer, 'register'>, deps: {
  config: { readonly current: Readonly<Config> };
  firewall: FirewallService;
  tethering: Pick<TetheringWatch, 'check'>;
  attempts: Pick<AttemptsWatch, 'check'>;
  bypass: Pick<BypassLearner, 'idle' | 'stats'>;
  shaping?: () => ShapingStatus;
}): void {
  control.register('net.attempts', { handle: async (): Promise<AttemptsView> => ({ attempts: await deps.attempts.check() }) });
  control.register('net.bypass', {
    handle: async (): Promise<BypassView> => {
      // What was queued before the question is in the set before the answer.
      await deps.bypass.idle();
      const json = deps.firewall.stats().enabled ? await deps.firewall.inForceJson() : {};
      return { v4: setMembers(json, 'bypass_v4'), v6: setMembers(json, 'bypass_v6'), learner: deps.bypass.stats() };
    },
  });
  control.register('net.tethering', {
    handle: async (): Promise<TetheringView> => ({
      suspects: (await deps.tethering.check()).map((f) => ({ ...f, suspendUntil: f.suspendUntil?.toISOString() ?? null })),
    }),
  });
  control.register('net.show', {
    handle: async (): Promise<NetView> => {
      const current = deps.config.current;
      const state = deps.firewall.stats();
      return {
        ...state,
        enabled: current.firewall?.enabled === true,
        // Off, the kernel is not asked: the demo runs without root, where nft cannot list.
        ruleset: state.enabled || current.firewall?.enabled ? (await deps.firewall.inForce()) ?? null : null,
        networks: current.firewall ? explainRuleset(rulesetInputOf(current)) : [],
        ...(deps.shaping ? { shaping: deps.shaping() } : {}),
      };
    },
  });
}
