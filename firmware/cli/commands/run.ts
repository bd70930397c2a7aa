// `schoolgate run`: the daemon in the foreground, as systemd and `npm start` run it.
import { flushCompileCache } from 'node:module';
import { resolve } from 'node:path';
import { ConfigError } from '../../config/validate.ts';
import { createLogger } from '../../log.ts';
import { serviceNotifier } from '../../service/notifier.ts';
import { servingStatus } from '../../service/sd-notify.ts';
import { dataDirHelp, dataDirOf, dataDirOption, EXIT, UsageError, type Command } from '../command.ts';

export const run: Command = {
  summary: 'run the gateway daemon in the foreground (systemd runs it this way)',
  usage: `schoolgate run [--config FILE] [--data-dir DIR] [--log-level LEVEL]

Runs DNS, the admin web page and the control socket until stopped (SIGTERM/Ctrl-C).
SIGHUP re-reads the configuration file; a bad file is refused and the running one kept.

  -c, --config FILE    the configuration document (default: DIR/config.json, created from the
                       embedded defaults when missing)
${dataDirHelp}
      --log-level L    fatal, error, warn, info, debug or trace (default: info)`,
  options: { config: { type: 'string', short: 'c' }, ...dataDirOption, 'log-level': { type: 'string' } },
  async run(values) {
    const logLevel = typeof values['log-level'] === 'string' ? values['log-level'] : undefined;
    const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
    if (logLevel && !levels.includes(logLevel)) throw new UsageError(`--log-level must be one of ${levels.join(', ')}`);
    const logger = createLogger(logLevel ? { level: logLevel } : {});
    const { startDaemon } = await import('../../daemon.ts');
    const dataDir = dataDirOf(values);
    const configFile = typeof values.config === 'string' ? resolve(values.config) : undefined;
    // systemd (Type=notify): READY=1 once DNS answers, the watchdog fed from this event loop.
    const notifier = serviceNotifier({ logger });
    notifier.status('starting: loading the lists');
    // Signals are taken from the start: systemd may stop or reload the daemon as soon as READY=1,
    // while the firewall, DHCP and the web pages are still starting, and Node's default for
    // SIGTERM and SIGHUP is to die without closing the stores. What arrives meanwhile is done
    // once the start is over.
    let running: { stop: (signal: string) => void; reload: () => void } | undefined;
    let stopAsked: string | undefined;
    let reloadAsked = false;
    const onStop = (signal: string): void => {
      if (running) running.stop(signal);
      else stopAsked ??= signal;
    };
    process.on('SIGTERM', () => onStop('SIGTERM'));
    process.on('SIGINT', () => onStop('SIGINT'));
    // A technician's kill -HUP (systemctl reload goes through the control socket: ExecReload).
    process.on('SIGHUP', () => {
      if (running) running.reload();
      else reloadAsked = true;
    });
    let daemon;
    try {
      daemon = await startDaemon({
        dataDir, logger, ...(configFile ? { configFile } : {}),
        onDnsAnswering: () => notifier.ready('answering DNS; starting the firewall, DHCP and the web pages'),
      });
    } catch (err) {
      logger.fatal(err instanceof ConfigError ? { issues: err.issues } : { err }, 'schoolgate did not start');
      notifier.status(`did not start: ${(err as Error).message}`);
      notifier.close();
      logger.flush();
      process.stderr.write(`schoolgate: ${(err as Error).message}\n`);
      return err instanceof ConfigError ? EXIT.invalidInput : EXIT.failure;
    }
    const started = daemon;
    const status = started.status();
    logger.info({
      site: status.site,
      dns: status.dns.listening.map((l) => `${l.transport}://${l.address}:${l.port}`),
      admin: status.admin.url,
      networks: status.networks.filter((n) => n.enabled).map((n) => `${n.id} ${n.subnets.join(' ')}`),
      dataDir: status.dataDir,
      configFile: status.configFile,
    }, 'schoolgate ready');
    const serving = (): string => {
      const now = started.status();
      return servingStatus({ dnsListening: now.dns.listening.length, networksEnabled: now.networks.filter((n) => n.enabled).length });
    };
    notifier.status(serving());
    // Every module the daemon runs is loaded by now: keep their compiled code for the next start
    // (NODE_COMPILE_CACHE, set by bin/schoolgate), even if this one never exits cleanly.
    flushCompileCache();
    return new Promise<number>((resolveExit) => {
      let stopping = false;
      running = {
        stop: (signal) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping');
          notifier.stopping();
          started.stop().finally(() => notifier.close()).then(() => resolveExit(EXIT.ok), (err: unknown) => {
            logger.error({ err }, 'error while stopping');
            resolveExit(EXIT.failure);
          });
        },
        // RELOADING=1 holds systemd's view of the unit until READY=1 comes back.
        reload: () => {
          if (stopping) return;
          notifier.reloading();
          started.reloadFromDisk().catch((err: unknown) => {
            logger.error(err instanceof ConfigError ? { issues: err.issues } : { err }, 'configuration not reloaded; the running one is kept');
          }).finally(() => notifier.ready(serving()));
        },
      };
      if (stopAsked !== undefined) running.stop(stopAsked);
      else if (reloadAsked) running.reload();
    });
  },

};
