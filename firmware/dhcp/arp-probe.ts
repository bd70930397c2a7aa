// "Is anyone using this address?" before the DHCP server offers it (RFC 2131 4.4.1's probe, done
// as RFC 5227's ARP probe): one packet socket per interface on the netio addon (arp-probe.c), an
// ARP request per probe, and the replies matched to the probes in flight by the address they
// answer for. Many probes run at once; a reply settles every probe of its address.
//
// Sender IP 0.0.0.0, as RFC 5227 probes are: every IPv4 stack answers such a probe for an
// address it holds (it is how hosts detect conflicts), and no host that hears it caches anything,
// so a probe never changes what the network believes about the gateway or the probed address.
// One request per probe, as dnsmasq sends one ping: a lost one costs only what no probe would
// (the client's own ARP check and DECLINE are still there), and a flood of DISCOVERs costs one
// broadcast each, not several.
import { loadNetio, type Netio, type NetioArpSocket } from '../native/netio.ts';
import { arpProbe, readArpReply } from './arp-frame.ts';

/** How long a probe waits for an answer: a wired printer or a phone awake on Wi-Fi answers in a few ms. */
export const ARP_PROBE_WAIT_MS = 250;

export interface ArpProberOptions {
  /** How long a probe waits for an answer before it says nobody holds the address (ms); default 250. */
  waitMs?: number;
  /** The addon; default: the built one (loadNetio(netioPath)). */
  netio?: Netio;
  netioPath?: string;
}

export interface ArpProbeCounters {
  /** Probes asked for (a probe of an address already being probed shares its request). */
  probes: number;
  /** Probes a reply settled. */
  answered: number;
  /** ARP requests the kernel refused (the probe then says nobody answered). */
  sendErrors: number;
  /** Replies that were not an Ethernet/IPv4 ARP reply, or were longer than the addon's slot. */
  malformed: number;
}

type ArpNetio = Netio & Required<Pick<Netio, 'openArp' | 'sendArp' | 'closeArp' | 'arpStats'>>;

interface Pending {
  address: number;
  settle: ((mac: string | null) => void)[];
  /** When nobody has answered (performance.now()). */
  untilMs: number;
}

export class ArpProber {
  readonly interfaceName: string;
  /** The interface's MAC, the sender of every probe. */
  readonly mac: Uint8Array;
  readonly #netio: ArpNetio;
  readonly #socket: NetioArpSocket;
  readonly #input: Uint8Array;
  readonly #meta: Int32Array;
  readonly #slot: number;
  readonly #waitMs: number;
  readonly #pending = new Map<number, Pending>();
  /**
   * The probes by deadline, oldest first (every probe waits as long, so arrival order is deadline
   * order), behind one timer: a probe costs no timer of its own at thousands a second.
   */
  #queue: Pending[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #counters: ArpProbeCounters = { probes: 0, answered: 0, sendErrors: 0, malformed: 0 };
  #open = true;

  /** Opens the socket at once; throws with the errno's code (EPERM without CAP_NET_RAW, ENODEV...). */
  constructor(interfaceName: string, options: ArpProberOptions = {}) {
    const netio = options.netio ?? requireLoaded(options.netioPath);
    if (typeof netio.openArp !== 'function' || typeof netio.sendArp !== 'function' || typeof netio.closeArp !== 'function' || typeof netio.arpStats !== 'function') {
      throw Object.assign(new Error('the netio addon was built without ARP probes: rebuild it with npm run build'), { code: 'ERR_NETIO_MISSING' });
    }
    this.#netio = netio as ArpNetio;
    this.#waitMs = options.waitMs ?? ARP_PROBE_WAIT_MS;
    if (!(this.#waitMs > 0)) throw new RangeError(`an ARP probe's wait must be positive, not ${this.#waitMs}`);
    const opened = this.#netio.openArp(interfaceName, this.#onBatch);
    this.#socket = opened.socket;
    this.#input = new Uint8Array(opened.input);
    this.#meta = new Int32Array(opened.meta);
    this.#slot = netio.ARP_SLOT ?? this.#input.length / this.#meta.length;
    this.mac = new Uint8Array(opened.mac.slice(0));
    this.interfaceName = interfaceName;
  }

  /**
   * Asks who holds `address` (an unsigned 32-bit IPv4 address): the MAC that answered, or null
   * when nothing did within the wait (or the probe could not be sent, or the prober was closed).
   */
  probe(address: number): Promise<string | null> {
    if (!this.#open) return Promise.resolve(null);
    const request = arpProbe(this.mac, address);
    this.#counters.probes++;
    return new Promise((resolve) => {
      const existing = this.#pending.get(address);
      if (existing !== undefined) {
        existing.settle.push(resolve);
        return;
      }
      const pending: Pending = { address, settle: [resolve], untilMs: performance.now() + this.#waitMs };
      this.#pending.set(address, pending);
      this.#queue.push(pending);
      this.#timer ??= setTimeout(this.#expire, this.#waitMs);
      this.#send(address, request);
    });
  }

  counters(): ArpProbeCounters {
    return { ...this.#counters };
  }

  /** Closes the socket; probes in flight say nobody answered. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#netio.closeArp(this.#socket);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const address of [...this.#pending.keys()]) this.#settle(address, null);
    this.#queue = [];
    this.#head = 0;
  }

  #send(address: number, request: Uint8Array): void {
    try {
      this.#netio.sendArp(this.#socket, request);
    } catch {
      this.#counters.sendErrors++;
      this.#settle(address, null);
    }
  }

  #settle(address: number, mac: string | null): void {
    const pending = this.#pending.get(address);
    if (pending === undefined) return;
    // Its queue entry stays until its deadline passes: #expire skips it then.
    this.#pending.delete(address);
    if (mac !== null) this.#counters.answered += pending.settle.length;
    for (const resolve of pending.settle) resolve(mac);
  }

  // The probes whose wait is over say nobody answered; the timer is set again for the next.
  readonly #expire = (): void => {
    this.#timer = undefined;
    const nowMs = performance.now();
    // Timers keep whole milliseconds: one due within the next is due now.
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.untilMs <= nowMs + 1) {
      const due = this.#queue[this.#head++]!;
      if (this.#pending.get(due.address) === due) this.#settle(due.address, null);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#queue[this.#head];
    if (next !== undefined && this.#open) this.#timer = setTimeout(this.#expire, Math.max(1, next.untilMs - nowMs));
  };

  // Called from C with the number of replies waiting in the receive slots.
  readonly #onBatch = (count: number): void => {
    for (let i = 0; i < count && i < this.#meta.length; i++) {
      const length = this.#meta[i]!;
      const reply = length < 0 ? undefined : readArpReply(this.#input, i * this.#slot, length);
      if (reply === undefined) {
        this.#counters.malformed++;
        continue;
      }
      this.#settle(reply.senderAddress, reply.senderMac);
    }
  };
}

function requireLoaded(path: string | undefined): Netio {
  const load = path === undefined ? loadNetio() : loadNetio(path);
  if (load.netio === undefined) throw Object.assign(new Error(`ARP probes need the netio addon: ${load.reason}`), { code: 'ERR_NETIO_MISSING' });
  return load.netio;
}
