// `schoolgate classes` on a terminal: each class, its teachers, what the head allows to be unlocked
// for it (and for how long at most), and the unlocks in force. A teacher's reason is printed
// JSON-quoted, so a line break or a control code in it cannot disturb the terminal.
import type { ClassListView } from '../classes/class-schema.ts';
import { table } from './table.ts';

const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function formatClasses(view: ClassListView): string {
  if (view.classes.length === 0) return 'No classes: a class is a device group (schoolgate config, deviceGroups).\n';
  const rows = table([
    ['class', 'name', 'devices', 'teachers', 'may be unlocked (longest)'],
    ...view.classes.map((c) => [
      c.group, JSON.stringify(c.name), String(c.devices), c.teachers.join(', ') || '-',
      c.unlockable.map((u) => `${u.category} (${u.maxMinutes} min)`).join(', ') || '-',
    ]),
  ]);
  const unlocks = view.classes.flatMap((c) => c.unlocks);
  const inForce = unlocks.length === 0
    ? 'No unlocks in force.'
    : `Unlocks in force (end one early: schoolgate classes end-unlock ID):\n${table([
      ['id', 'class', 'category', 'from', 'until', 'by', 'reason'],
      ...unlocks.map((u) => [u.id, u.group, u.category, when(u.from), when(u.until), u.by, JSON.stringify(u.reason)]),
    ])}`;
  return `${rows}\n\n${inForce}\n`;
}
