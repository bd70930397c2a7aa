// The `schoolgate` command: the daemon (`run`) and the technician's tools over SSH, which talk to
// the running daemon through its control socket so every change is live and audited.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ConfigError } from './config/validate.ts';
import { ConfigStore, readConfigFile } from './config/store.ts';
import { defaultConfig } from './config/defaults.ts';
import { CONTROL_SOCKET_NAME } from './control/protocol.ts';
import { callDaemon, ControlCallError, DaemonNotRunning } from './control/client.ts';
import { createLogger } from './log.ts';
import { formatStatus } from './cli/format-status.ts';
import type { DaemonStatus } from './status.ts';
import { VERSION } from './version.ts';

// Exit codes a script on the technician's side can rely on.
export const EXIT = { ok: 0, failure: 1, usage: 2, notRunning: 3, invalidConfig: 4 } as const;

const DEFAULT_DATA_DIR = '/var/lib/schoolgate';

class UsageError extends Error {}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const dataDirOption = { 'data-dir': { type: 'string' as const, short: 'd' } };
const dataDirHelp = `  -d, --data-dir DIR   the daemon's data directory (default: $SCHOOLGATE_DATA_DIR or ${DEFAULT_DATA_DIR})`;

function dataDirOf(values: Record<string, unknown>): string {
  const given = values['data-dir'];
  return resolve(typeof given === 'string' ? given : process.env.SCHOOLGATE_DATA_DIR ?? DEFAULT_DATA_DIR);
}

const commands: Record<string, Command> = {
  run: {
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
      const { startDaemon } = await import('./daemon.ts');
      const dataDir = dataDirOf(values);
      const configFile = typeof values.config === 'string' ? resolve(values.config) : undefined;
      let daemon;
      try {
        daemon = await startDaemon({ dataDir, logger, ...(configFile ? { configFile } : {}) });
      } catch (err) {
        logger.fatal(err instanceof ConfigError ? { issues: err.issues } : { err }, 'schoolgate did not start');
        logger.flush();
        process.stderr.write(`schoolgate: ${(err as Error).message}\n`);
        return err instanceof ConfigError ? EXIT.invalidConfig : EXIT.failure;
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
      return new Promise<number>((resolveExit) => {
        let stopping = false;
        const stop = (signal: string): void => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping');
          daemon.stop().then(() => resolveExit(EXIT.ok), (err: unknown) => {
            logger.error({ err }, 'error while stopping');
            resolveExit(EXIT.failure);
          });
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
        process.on('SIGHUP', () => {
          daemon.reloadFromDisk().catch((err: unknown) => {
            logger.error(err instanceof ConfigError ? { issues: err.issues } : { err }, 'configuration not reloaded; the running one is kept');
          });
        });
      });
    },
  },

  status: {
    summary: 'show what the running daemon is doing',
    usage: `schoolgate status [--data-dir DIR] [--json]

Asks the running daemon over its control socket. Exit code 3 when no daemon is running.

${dataDirHelp}
      --json           print the status as JSON (stable shape, for scripts and monitoring)`,
    options: { ...dataDirOption, json: { type: 'boolean' } },
    async run(values) {
      const status = await callDaemon(join(dataDirOf(values), CONTROL_SOCKET_NAME), 'status') as DaemonStatus;
      process.stdout.write(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      return EXIT.ok;
    },
  },

  config: {
    summary: 'check or create configuration files (validate FILE | init FILE | reload)',
    usage: `schoolgate config validate FILE [--json]
schoolgate config init FILE
schoolgate config reload [--data-dir DIR]

  validate   checks FILE against the schema and the cross-checks; lists every problem with its
             JSON path. Exit code 4 when the file is not valid. Changes nothing.
  init       writes the embedded defaults to FILE as a starting point (refuses to overwrite).
  reload     asks the running daemon to re-read its configuration file; a bad file is refused
             and the running configuration kept.

${dataDirHelp}
      --json           (validate) print {"valid": bool, "issues": [{path, message}]}`,
    options: { ...dataDirOption, json: { type: 'boolean' } },
    async run(values, positionals) {
      const [action, file, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
      if (action === 'validate') {
        if (!file) throw new UsageError('config validate needs a FILE');
        try {
          await readConfigFile(resolve(file));
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          if (values.json) process.stdout.write(`${JSON.stringify({ valid: false, issues: err.issues })}\n`);
          else process.stderr.write(`${err.message}\n`);
          return EXIT.invalidConfig;
        }
        process.stdout.write(values.json ? `${JSON.stringify({ valid: true, issues: [] })}\n` : `${file}: valid\n`);
        return EXIT.ok;
      }
      if (action === 'init') {
        if (!file) throw new UsageError('config init needs a FILE');
        const target = resolve(file);
        if (existsSync(target)) throw new UsageError(`${file} already exists; config init never overwrites a configuration`);
        await ConfigStore.open(target, { createWith: defaultConfig });
        process.stdout.write(`${file}: written from the embedded defaults; edit it, then run "schoolgate config validate ${file}"\n`);
        return EXIT.ok;
      }
      if (action === 'reload') {
        if (file) throw new UsageError('config reload takes no FILE: it re-reads the daemon\'s own');
        const result = await callDaemon(join(dataDirOf(values), CONTROL_SOCKET_NAME), 'config.reload') as { reloaded: string };
        process.stdout.write(`reloaded ${result.reloaded}\n`);
        return EXIT.ok;
      }
      throw new UsageError(action ? `unknown config action "${action}"` : 'config needs an action: validate, init or reload');
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `schoolgate ${VERSION}: the school Wi-Fi gateway

Usage: schoolgate COMMAND [options]   (schoolgate COMMAND --help for details)

Commands:
${lines.join('\n')}

Exit codes: 0 ok, 1 failure, 2 wrong usage, 3 no daemon running, 4 invalid configuration.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands[topic] : undefined;
    process.stdout.write(command ? `${command.usage}\n` : mainHelp());
    return EXIT.ok;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`schoolgate: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${command.usage}\n`);
      return EXIT.ok;
    }
    if (name !== 'config' && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return await command.run(values, positionals);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`schoolgate ${name}: ${(err as Error).message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    if (err instanceof DaemonNotRunning) {
      process.stderr.write(`schoolgate ${name}: ${err.message}\n`);
      return EXIT.notRunning;
    }
    if (err instanceof ControlCallError || err instanceof ConfigError) {
      process.stderr.write(`schoolgate ${name}: ${err.message}\n`);
      return err instanceof ConfigError || err.code === 'invalid-config' ? EXIT.invalidConfig : EXIT.failure;
    }
    process.stderr.write(`schoolgate ${name}: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}

// Run only when executed, so tests can import main() and EXIT.
if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
  // A stopped daemon should leave promptly even if a library left a handle open.
  setTimeout(() => process.exit(code), 3000).unref();
}
