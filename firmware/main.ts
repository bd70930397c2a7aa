// The `schoolgate` command: the daemon (`run`) and the technician's tools over SSH, which talk to
// the running daemon through its control socket so every change is live and audited.
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command } from './cli/command.ts';
import { alerts } from './cli/commands/alerts.ts';
import { review } from './cli/commands/review.ts';
import { accounts } from './cli/commands/accounts.ts';
import { audit } from './cli/commands/audit.ts';
import { backup } from './cli/commands/backup.ts';
import { changes } from './cli/commands/changes.ts';
import { check } from './cli/commands/check.ts';
import { config } from './cli/commands/config.ts';
import { data } from './cli/commands/data.ts';
import { exportCommand } from './cli/commands/export.ts';
import { devices } from './cli/commands/devices.ts';
import { incidents } from './cli/commands/incidents.ts';
import { classes } from './cli/commands/classes.ts';
import { investigations } from './cli/commands/investigations.ts';
import { leases, reserve } from './cli/commands/leases.ts';
import { lists } from './cli/commands/lists.ts';
import { net } from './cli/commands/net.ts';
import { reports } from './cli/commands/reports.ts';
import { aup } from './cli/commands/aup.ts';
import { run } from './cli/commands/run.ts';
import { selftest } from './cli/commands/selftest.ts';
import { annual } from './cli/commands/annual.ts';
import { status } from './cli/commands/status.ts';
import { upgrade } from './cli/commands/upgrade.ts';
import { vouchers } from './cli/commands/vouchers.ts';
import { ConfigError } from './config/validate.ts';
import { ControlCallError, DaemonNotRunning } from './control/client.ts';
import { VERSION } from './version.ts';

export { EXIT };

const commands: Record<string, Command> = { run, status, check, lists, config, leases, devices, reserve, net, alerts, audit, accounts, selftest, data, export: exportCommand, vouchers, reports, aup, incidents, investigations, classes, changes, annual, review, backup, upgrade };

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `schoolgate ${VERSION}: the school Wi-Fi gateway

Usage: schoolgate COMMAND [options]   (schoolgate COMMAND --help for details)

Commands:
${lines.join('\n')}

Exit codes: 0 ok, 1 failure, 2 wrong usage, 3 no daemon running, 4 invalid input (a configuration or list file with problems, each named).
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
    if (!command.positionals && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
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
      return err instanceof ConfigError || err.code === 'invalid-config' || err.code === 'invalid-input' ? EXIT.invalidInput : EXIT.failure;
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
