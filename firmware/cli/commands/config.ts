// `schoolgate config`: check, create and reload configuration files.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultConfig } from '../../config/defaults.ts';
import { ConfigStore, readConfigFile } from '../../config/store.ts';
import { ConfigError } from '../../config/validate.ts';
import { callDaemon } from '../../control/client.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';

export const config: Command = {
  positionals: true,
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
        return EXIT.invalidInput;
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
      const result = await callDaemon(socketOf(values), 'config.reload') as { reloaded: string };
      process.stdout.write(`reloaded ${result.reloaded}\n`);
      return EXIT.ok;
    }
    throw new UsageError(action ? `unknown config action "${action}"` : 'config needs an action: validate, init or reload');
  },

};
