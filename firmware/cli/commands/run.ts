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
    const status = daemon.status();
    logger.info({
      site: status.site,
      dns: status.dns.listening.map((l) => `${l.transport}://${l.address}:${l.port}`),
      admin: status.admin.url,
      networks: status.networks.filter((n) => n.enabled).map((n) => `${n.id} ${n.subnets.join(' ')}`),
      dataDir: status.dataDir,
      configFile: status.configFile,
    }, 'schoolgate ready');
    const serving = (): string => {
      const now = daemon.status();
      return servingStatus({ dnsListening: now.dns.listening.length, networksEnabled: now.networks.filter((n) => n.enabled).length });
    };
    notifier.status(serving());
    // Every module the daemon runs is loaded by now: keep their compiled code for the next start
    // (NODE_COMPILE_CACHE, set by bin/schoolgate), even if this one never exits cleanly.
    flushCompileCache();
    return new Promise<number>((resolveExit) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        notifier.stopping();
        daemon.stop().finally(() => notifier.close()).then(() => resolveExit(EXIT.ok), (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          resolveExit(EXIT.failure);
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // systemctl reload sends SIGHUP (ExecReload): RELOADING=1 holds it until READY=1 comes back.
      process.on('SIGHUP', () => {
        if (stopping) return;
        notifier.reloading();
        daemon.reloadFromDisk().catch((err: unknown) => {
          logger.error(err instanceof ConfigError ? { issues: err.issues } : { err }, 'configuration not reloaded; the running one is kept');
        }).finally(() => notifier.ready(serving()));
      });
    });
  },

};
