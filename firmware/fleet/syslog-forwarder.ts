// Alerts and events to every configured collector: each event is formatted once (the
// configuration's facility, names and the school's identifier) and queued on each collector's
// own connection. The collectors are rebuilt when their settings change (their files are read
// again then); the message settings are read at every event.
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { SyslogCollector, SyslogSettings } from '../config/syslog-schema.ts';
import type { Logger } from '../log.ts';
import type { SyslogCollectorStatus } from './fleet-status-schema.ts';
import type { GatewayEvent } from './gateway-events.ts';
import { DEFAULT_QUEUE_SIZE, SyslogConnection, type CollectorTls } from './syslog-collector.ts';
import { formatMessage, type SyslogMessage } from './syslog-message.ts';

import { DEFAULT_PORTS } from './syslog-defaults.ts';

export interface ForwarderSettings {
  dataDir: string;
  logger: Logger;
  /** The version in every message's structured data. */
  version: string;
  /** Tests shorten the reconnect pauses. */
  maxBackoffMs?: number;
  hostname?: () => string;
}

const fileOf = (file: string, dataDir: string): string => (isAbsolute(file) ? file : resolve(dataDir, file));

/** The collector's certificate files, read now; a private key others could read is refused, as the alerts' secrets are. */
async function tlsFiles(c: SyslogCollector, dataDir: string): Promise<CollectorTls> {
  const read = async (file: string, what: string): Promise<string> => {
    const path = fileOf(file, dataDir);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`);
    }
  };
  const files: CollectorTls = {};
  if (c.caFile !== undefined) files.ca = await read(c.caFile, 'CA file (syslog.collectors[].caFile)');
  if (c.certFile !== undefined) files.cert = await read(c.certFile, 'client certificate (syslog.collectors[].certFile)');
  if (c.keyFile !== undefined) {
    const path = fileOf(c.keyFile, dataDir);
    const mode = (await stat(path).catch(() => undefined))?.mode;
    if (mode !== undefined && (mode & 0o077) !== 0) throw new Error(`the client key ${path} is open to group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${path}`);
    files.key = await read(c.keyFile, 'client key (syslog.collectors[].keyFile)');
  }
  return files;
}

/** The collectors' settings as one string: a change to any of them rebuilds the connections. */
const collectorsKey = (s: SyslogSettings | undefined): string => JSON.stringify(s?.collectors ?? []);

export class SyslogForwarder {
  readonly #o: ForwarderSettings;
  #settings: SyslogSettings | undefined;
  #site = '';
  #connections: SyslogConnection[] = [];
  #key = '[]';
  #events = 0;

  constructor(settings: ForwarderSettings) {
    this.#o = settings;
  }

  /** Takes a configuration's syslog section: new collectors if theirs changed, the new message settings at once. */
  configure(settings: SyslogSettings | undefined, site: string): void {
    this.#settings = settings;
    this.#site = site;
    const key = collectorsKey(settings);
    if (key === this.#key) return;
    this.#key = key;
    const previous = this.#connections;
    this.#connections = (settings?.collectors ?? []).map((c) => this.#open(c));
    for (const old of previous) {
      old.close(1000).catch((err: Error) => this.#o.logger.warn({ err, collector: old.name }, 'a syslog collector did not close cleanly'));
    }
  }

  #open(c: SyslogCollector): SyslogConnection {
    const connection = new SyslogConnection({
      host: c.host, port: c.port ?? DEFAULT_PORTS[c.transport], transport: c.transport, queueSize: c.queueSize ?? DEFAULT_QUEUE_SIZE,
      logger: this.#o.logger, ...(this.#o.maxBackoffMs !== undefined ? { maxBackoffMs: this.#o.maxBackoffMs } : {}),
    });
    if (c.transport === 'tcp') {
      connection.start();
    } else {
      tlsFiles(c, this.#o.dataDir).then((files) => connection.start(files), (err: Error) => {
        connection.fail(err.message);
        this.#o.logger.error({ collector: connection.name, reason: err.message }, 'a syslog collector cannot be set up; its messages queue until the configuration changes');
      });
    }
    return connection;
  }

  /** Formats the event and queues it for every collector; never throws, never waits. */
  forward(event: GatewayEvent): void {
    const s = this.#settings;
    if (s === undefined || this.#connections.length === 0) return;
    this.#events++;
    let bytes: Buffer;
    try {
      bytes = formatMessage(messageOf(event, s, this.#site, this.#o.version, this.#o.hostname ?? hostname));
    } catch (err) {
      this.#o.logger.error({ err, type: event.type }, 'an event could not be formatted for syslog');
      return;
    }
    for (const c of this.#connections) c.send(bytes);
  }

  get events(): number {
    return this.#events;
  }

  status(): SyslogCollectorStatus[] {
    return this.#connections.map((c) => c.status());
  }

  /** Waits until every collector has been sent what is queued, or `waitMs`. */
  async flushed(waitMs: number): Promise<boolean> {
    return (await Promise.all(this.#connections.map((c) => c.flushed(waitMs)))).every(Boolean);
  }

  async close(flushMs = 2000): Promise<void> {
    const all = this.#connections;
    this.#connections = [];
    await Promise.all(all.map((c) => c.close(flushMs)));
  }
}

/** The event as a syslog message: the school and the gateway first in the structured data, then the event's own facts. */
export function messageOf(event: GatewayEvent, s: SyslogSettings, site: string, version: string, host: () => string): SyslogMessage {
  return {
    facility: s.facility ?? 'local0',
    severity: event.severity,
    at: event.at,
    hostname: s.hostname ?? host(),
    appName: s.appName ?? 'schoolgate',
    procId: String(process.pid),
    msgId: event.type,
    params: [['school', s.school], ['site', site], ['version', version], ...event.params],
    text: event.text,
  };
}
