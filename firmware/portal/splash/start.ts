// The AUP splash as the daemon runs it: the surface handler over state.db and the firewall's set,
// the set rebuilt from state.db at start and after every configuration change (a new version, a
// network switched on or off, the firewall turned on: each can change who belongs in it).
import type { Config } from '../../config/schema.ts';
import type { ControlServer } from '../../control/server.ts';
import type { Logger } from '../../log.ts';
import type { AupAcceptanceRepository } from '../../state/aup-acceptances.ts';
import type { SurfaceHandler } from '../dispatcher.ts';
import { splashSettingsFor } from './decide.ts';
import { acceptedLine, reloadLines, type AcceptedDevice } from './elements.ts';
import { splashHandler } from './handler.ts';
import { registerAupMethods } from './methods.ts';

export interface AupSplashOptions {
  config: () => Readonly<Config>;
  store: AupAcceptanceRepository;
  /** FirewallService.changeElements: the same queue as the ruleset's applies. */
  change: (lines: readonly string[]) => Promise<boolean>;
  onConfigChange: (listener: (next: Readonly<Config>) => void) => () => void;
  /** Where `aup.acceptances` is registered. */
  control: Pick<ControlServer, 'register'>;
  logger: Logger;
}

export interface AupSplash {
  readonly handler: SurfaceHandler;
  /** Rebuilds the firewall's set from state.db. */
  reload(): Promise<void>;
  stop(): void;
}

/** Every device that accepted the version in force on each splash network, as set elements. */
export function acceptedDevices(config: Readonly<Config>, store: Pick<AupAcceptanceRepository, 'macsFor'>): AcceptedDevice[] {
  return config.networks.flatMap((n) => {
    const aup = splashSettingsFor(config, n);
    return aup ? store.macsFor(n.id, aup.version).map((mac) => ({ iface: n.interface, mac })) : [];
  });
}

export async function startAupSplash(o: AupSplashOptions): Promise<AupSplash> {
  const reload = async (): Promise<void> => {
    await o.change(reloadLines(acceptedDevices(o.config(), o.store)));
  };
  const handler = splashHandler({
    config: o.config,
    hasAccepted: (mac, networkId, version) => o.store.has(mac, networkId, version),
    async accept(input) {
      // Stored first: the record is what the school keeps; the set follows from it (and a failed
      // change is put right by the next reload).
      const added = o.store.accept({ mac: input.mac, networkId: input.networkId, version: input.version, at: input.at.toISOString(), address: input.address });
      o.logger.info({ mac: input.mac, network: input.networkId, version: input.version, new: added }, 'AUP accepted');
      await o.change([acceptedLine({ iface: input.iface, mac: input.mac })]).catch((err: Error) => {
        o.logger.error({ err }, 'the AUP acceptance is recorded but the firewall set could not be changed; the next reload puts it in');
      });
    },
  });
  registerAupMethods(o.control, { config: o.config, store: o.store });
  await reload().catch((err: Error) => o.logger.error({ err }, 'the devices that accepted the AUP could not be loaded into the nftables set'));
  const unsubscribe = o.onConfigChange(() => {
    // After the daemon's own listener has queued the new ruleset's apply (listeners run in one
    // synchronous pass, and this one is registered first): the rebuild then follows the apply in
    // the firewall's queue, and a table the apply just made finds its elements.
    setImmediate(() => {
      reload().catch((err: Error) => o.logger.error({ err }, 'the devices that accepted the AUP could not be reloaded into the nftables set'));
    });
  });
  return { handler, reload, stop: unsubscribe };
}
