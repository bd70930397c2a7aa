// Bandwidth shaping as the daemon runs it: the whole tree at start and on every configuration
// change, and afterwards only what one device changes (a cap set or cleared, an address taken or
// given back). One change at a time, in order, like the firewall's applies; a change that fails
// leaves the next one to rebuild everything, since the kernel may then hold half of it.
import type { Config } from '../../config/schema.ts';
import { parseIPv4 } from '../../dhcp/ipv4.ts';
import type { Logger } from '../../log.ts';
import type { DeviceCaps } from '../../state/devices.ts';
import type { Device } from '../../state/schemas.ts';
import { detectEngine, tcBatch, tcRemove, type EngineChoice, type ToolRun } from './kernel.ts';
import { networkCaps, planShaping, type LiveDevice, type ShapingPlan } from './plan.ts';
import { REMOVE_SHAPING_TABLE, shapingChanges } from './render.ts';
import type { ShapingStatus } from './status-schema.ts';

export interface ShapingDeps {
  run: ToolRun;
  logger: Logger;
  /** A device's record (its own caps, its group); undefined for one never seen. */
  device: (mac: string) => Device | undefined;
  /** Stores a device's caps; the caller's audit entry goes in the same transaction. */
  storeCaps: (mac: string, caps: DeviceCaps, record: (device: Device) => void) => Device;
  /** Defaults to trying CAKE in a scratch namespace (kernel.ts). */
  detect?: () => Promise<EngineChoice>;
  now?: () => Date;
}

export interface CapResult {
  device: Device;
  /** tc was changed; false while shaping is off (firewall.enabled false): the record is kept. */
  enforced: boolean;
}

export class ShapingService {
  readonly #deps: ShapingDeps;
  /** Who holds which address now (the DHCP server's leases): address → MAC. */
  readonly #holders = new Map<number, string>();
  #config: Readonly<Config> | undefined;
  #engine: EngineChoice | undefined;
  /** What the kernel holds now; undefined: unknown (not yet applied, or a change failed). */
  #inForce: ShapingPlan | undefined;
  #queue: Promise<void> = Promise.resolve();
  #refreshQueued = false;
  #state: { appliedAt: string | null; error: string | null } = { appliedAt: null, error: null };

  constructor(deps: ShapingDeps) {
    this.#deps = deps;
  }

  /**
   * The DHCP server's view (it calls this for every lease it gives, gives back or lets lapse).
   * Shapes at once when the device is capped; addresses learnt before the first apply wait for it.
   */
  setAddress(address: number, mac: string | undefined): void {
    const before = this.#holders.get(address);
    if (mac === undefined) this.#holders.delete(address);
    else this.#holders.set(address, mac);
    if (before !== mac && this.#config !== undefined) this.#refreshSoon();
  }

  /**
   * Shapes for this configuration: everything at start (or after a failed change, when what
   * the kernel holds is unknown), else only what the change moves (a network cap rebuilds its
   * interface, a device cap its class). Throws on failure.
   */
  apply(config: Readonly<Config>): Promise<void> {
    return this.#enqueue(async () => {
      this.#config = config;
      await this.#bringUpToDate();
    });
  }

  /**
   * A device's own caps (kbit/s; null: back to its policy's), stored and then enforced: the
   * entry point for `schoolgate devices cap` and the portal's voucher tiers. `record` writes the
   * caller's audit entry in the same transaction as the change.
   */
  async setDeviceCap(mac: string, caps: DeviceCaps, record: (device: Device) => void = () => undefined): Promise<CapResult> {
    const device = this.#deps.storeCaps(mac, caps, record);
    if (!this.#active()) return { device, enforced: false };
    await this.#enqueue(() => this.#bringUpToDate());
    return { device, enforced: true };
  }

  /** Re-reads every device's caps (a device group or a policy changed outside a configuration apply). */
  refresh(): Promise<void> {
    return this.#enqueue(() => this.#bringUpToDate());
  }

  /** For `status` and `net show`. */
  stats(): ShapingStatus {
    const plan = this.#inForce;
    return {
      enabled: this.#active(),
      engine: this.#engine?.engine ?? null,
      why: this.#engine?.why ?? null,
      appliedAt: this.#state.appliedAt,
      error: this.#state.error,
      interfaces: plan?.interfaces.map((i) => i.dev) ?? [],
      networks: this.#config ? networkCaps(this.#config) : [],
      devices: plan?.devices.map((d) => ({
        address: d.address, mac: d.mac, network: d.networkId,
        downKbit: d.down?.kbit ?? null, downFrom: d.down?.source ?? null,
        upKbit: d.up?.kbit ?? null, upFrom: d.up?.source ?? null,
      })) ?? [],
    };
  }

  #active(): boolean {
    return this.#config?.firewall?.enabled === true;
  }

  #refreshSoon(): void {
    // A burst of leases (a class arriving) needs one pass, not one per lease.
    if (this.#refreshQueued) return;
    this.#refreshQueued = true;
    this.#enqueue(() => {
      this.#refreshQueued = false;
      return this.#bringUpToDate();
    }).catch((err: Error) => this.#deps.logger.error({ err }, 'bandwidth shaping could not follow a lease change; the next change rebuilds it'));
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(task);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #live(): LiveDevice[] {
    const out: LiveDevice[] = [];
    for (const [address, mac] of this.#holders) {
      const device = this.#deps.device(mac);
      out.push({ address, mac, groupId: device?.groupId ?? null, capDownKbit: device?.capDownKbit ?? null, capUpKbit: device?.capUpKbit ?? null });
    }
    return out;
  }

  async #bringUpToDate(): Promise<void> {
    const config = this.#config;
    if (!config) return;
    const { run, logger } = this.#deps;
    const firewall = config.firewall;
    if (!firewall?.enabled) {
      if (this.#inForce !== undefined || this.#state.appliedAt !== null) {
        await tcRemove(run, [...new Set([...config.networks.map((n) => n.interface), ...(this.#inForce?.candidates ?? [])])].map((dev) => `qdisc del dev ${dev} root handle 1:`));
        await run(['nft', '-f', '-'], REMOVE_SHAPING_TABLE);
        logger.warn('firewall switched off: Schoolgate\'s bandwidth shaping removed');
      }
      this.#inForce = undefined;
      this.#state = { appliedAt: null, error: null };
      return;
    }
    this.#engine ??= await (this.#deps.detect ?? (() => detectEngine(run)))();
    const plan = planShaping({
      networks: config.networks, policies: config.policies, deviceGroups: config.deviceGroups,
      wanInterface: firewall.wanInterface, engine: this.#engine.engine,
    }, this.#live(), new Map((this.#inForce?.devices ?? []).map((d) => [d.address, d.slot])));
    const changes = shapingChanges(this.#inForce, plan);
    const started = performance.now();
    try {
      // Whatever happens next, the kernel's state is only known again after a success.
      const before = this.#inForce;
      this.#inForce = undefined;
      await tcRemove(run, changes.remove);
      await tcBatch(run, changes.tc, 'shaping');
      if (changes.nft !== '') {
        const result = await run(['nft', '-f', '-'], changes.nft);
        if (result.code !== 0) throw new Error(`the upload classification was refused (nft exit ${result.code}): ${result.stderr.trim()}`);
      }
      this.#inForce = plan;
      this.#state = { appliedAt: (this.#deps.now?.() ?? new Date()).toISOString(), error: null };
      logger.info({ ms: Math.round((performance.now() - started) * 10) / 10, full: before === undefined, devices: plan.devices.length, tcLines: changes.tc.length }, 'bandwidth shaping applied');
    } catch (err) {
      this.#state = { ...this.#state, error: (err as Error).message };
      throw err;
    }
  }
}

/** An IPv4 address as text → the number setAddress takes (tests, the CLI's output). */
export function addressNumber(text: string): number {
  const n = parseIPv4(text);
  if (n === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return n;
}
