// The soak's writers: every kind of write a gateway makes, all at once, against a running daemon,
// each recording in the ledger only what the daemon acknowledged. They run until `stop()` (the
// daemon has been killed by then, so calls in flight fail, and are not recorded).
//   config     `reserve` over the control socket, as `schoolgate reserve` does (config.json, audited)
//   vouchers   `vouchers.issue` (state.db, audited in the same transaction)
//   alerts     DNS questions for watched names raise them; `alerts` lists them (stored), `alerts.ack` acknowledges some
//   leases     DHCP DISCOVER/REQUEST through a relay agent on loopback; the ACK is the acknowledgement
//   query log  DNS questions; the daemon's status says how many events have committed
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { callDaemon, ControlCallError } from '../../firmware/control/client.ts';
import { formatIPv4, parseIPv4 } from '../../firmware/dhcp/ipv4.ts';
import { MESSAGE_TYPE } from '../../firmware/dhcp/options.ts';
import { parseReply, type ParsedReply } from '../../firmware/dhcp/packet.ts';
import type { Alert } from '../../firmware/monitor/alerts/alert-schema.ts';
import type { VoucherIssued } from '../../firmware/portal/vouchers/methods.ts';
import type { DaemonStatus } from '../../firmware/status.ts';
import { requestBytes } from '../../test/unit/dhcp/requests.ts';
import dnsPacket from 'dns-packet';
import type { Ledger } from './ledger.ts';

/** Where the soak's daemon is and what it serves (durability.ts builds its configuration from these). */
export interface SoakTarget {
  controlSocket: string;
  dns: { address: string; port: number };
  /** The DHCP network's gateway address, where relayed requests are sent (port 67). */
  dhcpServer: string;
  /** The relay agent's address on loopback (giaddr, and where replies come back to on port 67). */
  relay: string;
  /** Addresses the soak reserves, one each, in order. */
  reservable: { first: number; last: number };
  /** The names whose every visit is an alert (config alerts.watch), each with subdomains. */
  watched: readonly string[];
}

/** The counters all runs share: MACs and addresses are never used twice in a soak. */
export interface SoakCounters {
  reservations: number;
  leases: number;
  vouchers: number;
  questions: number;
  /** Calls that failed while the daemon was up (not the ones the kill cut off). */
  errors: number;
  /** The first few of those, for the report. */
  errorSamples: string[];
}

const macOf = (prefix: number, n: number): string =>
  [0x02, prefix, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');

export class SoakLoad {
  readonly #target: SoakTarget;
  readonly #ledger: Ledger;
  readonly #counters: SoakCounters;
  readonly #random: () => number;
  #stopped = false;
  /** The kill is under way: calls it cuts off are not errors, answers that still arrive count. */
  #dying = false;
  readonly #running: Promise<void>[] = [];
  readonly #sockets: Socket[] = [];
  /** DHCP replies awaited, by transaction id. */
  readonly #waiting = new Map<number, (reply: ParsedReply) => void>();

  constructor(target: SoakTarget, ledger: Ledger, counters: SoakCounters, random: () => number) {
    this.#target = target;
    this.#ledger = ledger;
    this.#counters = counters;
    this.#random = random;
  }

  /** Starts every writer; they run until stop(). */
  async start(): Promise<void> {
    const relay = await this.#bind(this.#target.relay, 67);
    relay.on('message', (bytes) => {
      const reply = parseReply(new Uint8Array(bytes));
      if (reply) this.#waiting.get(reply.xid)?.(reply);
    });
    const dns = await this.#bind('127.20.0.9', 0);
    this.#running.push(
      this.#loop(() => this.#reserve(), 100, 400),
      this.#loop(() => this.#issueVoucher(), 30, 150),
      this.#loop(() => this.#listAlerts(), 150, 300),
      this.#loop(() => this.#readStatus(), 50, 100),
      this.#loop(() => this.#askDns(dns), 5, 10),
      ...[0, 1, 2, 3].map(() => this.#loop(() => this.#lease(relay), 0, 20)),
    );
  }

  /** Called just before the kill. */
  dying(): void {
    this.#dying = true;
  }

  /** Stops every writer (the daemon is already dead) and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const resolve of this.#waiting.values()) resolve({ messageType: 0 } as ParsedReply);
    await Promise.all(this.#running);
    for (const socket of this.#sockets) socket.close();
  }

  async #bind(address: string, port: number): Promise<Socket> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => resolve());
    });
    this.#sockets.push(socket);
    return socket;
  }

  /** Runs `step` again and again with a random pause of min..max ms between. */
  async #loop(step: () => Promise<void>, minMs: number, maxMs: number): Promise<void> {
    while (!this.#stopped) {
      try {
        await step();
      } catch (error) {
        if (this.#stopped) return;
        if (!this.#dying) {
          this.#counters.errors++;
          if (this.#counters.errorSamples.length < 5) this.#counters.errorSamples.push((error as Error).message);
        }
      }
      if (this.#stopped) return;
      await sleep(minMs + Math.floor(this.#random() * (maxMs - minMs + 1)));
    }
  }

  #call<T>(method: string, params?: unknown): Promise<T> {
    return callDaemon(this.#target.controlSocket, method, params, 10_000) as Promise<T>;
  }

  async #reserve(): Promise<void> {
    const { first, last } = this.#target.reservable;
    const n = this.#counters.reservations;
    if (first + n > last) return; // every reservable address used: no more config writes this soak
    this.#counters.reservations++;
    const mac = macOf(0x5e, n);
    const address = formatIPv4(first + n);
    await this.#call('reserve', { mac, address, name: `soak ${n}` });
    this.#ledger.reserved(mac, address);
  }

  async #issueVoucher(): Promise<void> {
    const n = ++this.#counters.vouchers;
    const issued = await this.#call<VoucherIssued>('vouchers.issue', { validSeconds: 3600, maxDevices: 1, label: `soak visitor ${n}` });
    this.#ledger.voucherIssued(issued.voucher.id);
  }

  async #listAlerts(): Promise<void> {
    const { alerts } = await this.#call<{ alerts: Alert[] }>('alerts', { all: true, limit: 10_000 });
    for (const alert of alerts) this.#ledger.alertListed(alert.id, alert.count);
    // Now and then a technician deals with one: acknowledged, with the audit entry beside it.
    const open = alerts.filter((a) => a.status === 'open');
    if (open.length === 0 || this.#random() > 0.3) return;
    const alert = open[Math.floor(this.#random() * open.length)]!;
    try {
      await this.#call('alerts.ack', { id: alert.id, note: 'seen in the durability soak' });
      this.#ledger.alertAcknowledged(alert.id);
    } catch (error) {
      // Another acknowledgement may have raced this one; anything else is an error.
      if (!(error instanceof ControlCallError && /already/i.test(error.message))) throw error;
    }
  }

  async #readStatus(): Promise<void> {
    const status = await this.#call<DaemonStatus>('status');
    this.#ledger.queryEventsCommitted(status.queryLog.committed);
  }

  /** A burst of questions from a few pupil devices; one in twenty for a watched name. */
  async #askDns(socket: Socket): Promise<void> {
    const { address, port } = this.#target.dns;
    for (let i = 0; i < 20; i++) {
      const n = ++this.#counters.questions;
      const watched = this.#target.watched;
      const name = n % 20 === 0 ? `w${n % 7}.${watched[n % watched.length]}` : `q${n}.soak.test`;
      const query = dnsPacket.encode({ id: n & 0xffff, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
      socket.send(query, port, address);
    }
  }

  /** One DHCP exchange through the relay for a new MAC; the ACK goes in the ledger. */
  async #lease(relay: Socket): Promise<void> {
    const n = this.#counters.leases++;
    const mac = macOf(0x5d, n);
    const xid = (0x50000000 + n) >>> 0;
    const exchange = (spec: Parameters<typeof requestBytes>[0], expect: number): Promise<ParsedReply | undefined> => new Promise((resolve) => {
      const timer = setTimeout(() => { this.#waiting.delete(xid); resolve(undefined); }, 2000);
      this.#waiting.set(xid, (reply) => {
        if (reply.messageType !== expect && !this.#stopped) return;
        clearTimeout(timer);
        this.#waiting.delete(xid);
        resolve(this.#stopped ? undefined : reply);
      });
      relay.send(requestBytes({ ...spec, mac, xid, giaddr: this.#target.relay, hostname: `soak-${n}` }), 67, this.#target.dhcpServer);
    });
    const offer = await exchange({ type: MESSAGE_TYPE.DISCOVER }, MESSAGE_TYPE.OFFER);
    // No offer: the daemon is restarting DHCP for a configuration change, or dead; a new client tries.
    if (!offer) return;
    const address = formatIPv4(offer.yiaddr);
    const ack = await exchange({ type: MESSAGE_TYPE.REQUEST, requested: address, serverId: this.#target.dhcpServer }, MESSAGE_TYPE.ACK);
    if (ack && formatIPv4(ack.yiaddr) === address) this.#ledger.leased(mac, address);
  }
}

export const ipv4 = (text: string): number => parseIPv4(text)!;
