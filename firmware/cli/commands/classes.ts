// `schoolgate classes`: the classes (device groups), their teachers, what the head allows teachers
// to unlock for them and the unlocks in force, through the running daemon; `end-unlock ID` ends
// one early, audited under the SSH user's name. Watching a class's lookups and making an unlock
// are for its teachers in the web UI, not for SSH.
import { callDaemon } from '../../control/client.ts';
import type { ClassListView } from '../../classes/class-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command } from '../command.ts';
import { formatClasses } from '../format-classes.ts';

export const classes: Command = {
  positionals: true,
  summary: "the teacher's class view: classes, teachers, what may be unlocked, unlocks in force; end an unlock",
  usage: `schoolgate classes [list] [--json]
schoolgate classes end-unlock ID

A class is a device group. Its teachers (configuration: classes.teachers) watch its devices'
lookups during a lesson in the web UI, and may open a category the headteacher allows for it
(classes.unlocks, changed through change control) for at most the minutes the head set, with a
reason. Each unlock is audited and listed in the week's filtering changes. \`end-unlock\` ends one
before its time (audited under your name); the DNS filter follows at once.

${dataDirHelp}
      --json             print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' } },
  async run(values, positionals) {
    const [verb = 'list', ...args] = positionals;
    switch (verb) {
      case 'list': {
        if (args.length !== 0) throw new UsageError('usage: schoolgate classes [list] [--json]');
        const view = await callDaemon(socketOf(values), 'classes', {}) as ClassListView;
        process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatClasses(view));
        return EXIT.ok;
      }
      case 'end-unlock': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate classes end-unlock ID (the id in `schoolgate classes`, e.g. unlock-3)');
        const result = await callDaemon(socketOf(values), 'classes.end-unlock', { id: args[0] });
        process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${args[0]} ended: the category is blocked for the class again.\n`);
        return EXIT.ok;
      }
      default: throw new UsageError(`unknown classes action "${verb}" (list, end-unlock)`);
    }
  },
};
