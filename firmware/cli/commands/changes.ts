// `schoolgate changes`: change control through the running daemon. A technician over SSH may ask
// for a change, withdraw their own, apply an approved one or record it as sent to the upstream
// filtering provider, and list them all; approvals are given in the web UI by signed-in approvers,
// never over SSH. Every step is audited under the SSH user's name.
import { callDaemon } from '../../control/client.ts';
import { CHANGE_STATUSES, type ChangeListView, type ChangeRequest, type ExceptionListView } from '../../control/changes/change-schema.ts';
import type { DevicesView } from '../../dhcp/device-methods.ts';
import { dayIn, zonedInstant } from '../../monitor/review/review-schedule.ts';
import { MacAddressError, normaliseMac } from '../../state/mac.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, recordNumber, stringOption, stringsOption, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatChange, formatChangeList, formatExceptions } from '../format-changes.ts';

function required(values: OptionValues, option: string, why: string): string {
  const value = stringOption(values, option);
  if (value === undefined || value.trim() === '') throw new UsageError(`missing --${option}: ${why}`);
  return value;
}

const ids = (value: string | undefined): string[] | undefined => value?.split(',').map((s) => s.trim()).filter((s) => s !== '');

async function call<T>(values: OptionValues, method: string, params: unknown): Promise<T> {
  return await callDaemon(socketOf(values), method, params) as T;
}

const show = (values: OptionValues, change: ChangeRequest): number => {
  printResult(values, change, formatChange(change));
  return EXIT.ok;
};

/**
 * --until on the school's clocks: a day means the end of that day (23:59), a day and a time that
 * minute. Returns the instant, ISO-8601 UTC.
 */
export function untilInstant(value: string, timezone: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?$/.exec(value);
  if (!match) throw new UsageError(`--until "${value}" is not a day (YYYY-MM-DD) or a day and a time (YYYY-MM-DDTHH:MM)`);
  const day = match[1]!;
  const at = zonedInstant(day, match[2] ?? '23:59', timezone);
  // A day that does not exist (2026-02-30) rolls over in Date.parse: refuse it rather than guess.
  if (Number.isNaN(at) || dayIn(at, timezone) !== day) throw new UsageError(`--until "${value}" is not a real day`);
  return new Date(at).toISOString();
}

async function request(values: OptionValues): Promise<number> {
  const allow = stringOption(values, 'allow');
  const block = stringOption(values, 'block');
  if ((allow === undefined) === (block === undefined)) throw new UsageError('say which name: --allow NAME or --block NAME (one of them)');
  const networks = ids(stringOption(values, 'networks'));
  if (!networks || networks.length === 0) throw new UsageError('missing --networks: the networks it applies on, e.g. --networks staff (pupil networks need the headteacher\'s approval)');
  const groups = ids(stringOption(values, 'groups'));
  // Spelled as typed: the daemon says which is not a MAC address, and stores the canonical form.
  const devices = stringsOption(values, 'device').map((d) => d.trim()).filter((d) => d !== '');
  const rationale = required(values, 'why', 'the educational reason, in writing');
  const riskNote = required(values, 'risk', 'benefit against risk: who could reach what, and why that is acceptable');
  const until = stringOption(values, 'until');
  const expires = until === undefined ? undefined : untilInstant(until, (await call<ExceptionListView>(values, 'changes.exceptions', {})).timezone);
  const fromAlert = stringOption(values, 'from-alert');
  const proposal = {
    kind: 'exception', domain: (allow ?? block)!.trim().toLowerCase().replace(/\.$/, ''), action: allow !== undefined ? 'allow' : 'block', networks,
    ...(groups && groups.length > 0 ? { groups } : {}), ...(devices.length > 0 ? { devices } : {}), ...(expires ? { expires } : {}),
  };
  const change = await call<ChangeRequest>(values, 'changes.request', { proposal, rationale, riskNote, ...(fromAlert ? { fromAlert: recordNumber(fromAlert, 'an alert') } : {}) });
  if (!values.json) process.stdout.write(`Asked as change request ${change.id}; approvers are told.\n`);
  return show(values, change);
}

async function endException(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('usage: schoolgate changes end-exception ID --why TEXT --risk TEXT');
  const rationale = required(values, 'why', 'why it should end early');
  const riskNote = required(values, 'risk', 'what ending it changes for the people it covers');
  const change = await call<ChangeRequest>(values, 'changes.request', { proposal: { kind: 'exception-end', exceptionId: args[0] }, rationale, riskNote });
  if (!values.json) process.stdout.write(`Asked as change request ${change.id}; approvers are told.\n`);
  return show(values, change);
}

/** A device moved into a group that lets it reach more: asked for from the group it is in now. */
async function moveDevice(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 2) throw new UsageError('usage: schoolgate changes move-device MAC GROUP --why TEXT --risk TEXT (GROUP "none": the network\'s default)');
  let mac: string;
  try {
    mac = normaliseMac(args[0]!);
  } catch (error) {
    if (error instanceof MacAddressError) throw new UsageError(error.message);
    throw error;
  }
  const rationale = required(values, 'why', 'why the device should be in that group');
  const riskNote = required(values, 'risk', 'benefit against risk: what the device could reach there, and why that is acceptable');
  const device = (await call<DevicesView>(values, 'devices', {})).devices.find((d) => d.mac === mac);
  if (device === undefined) throw new UsageError(`the device ${mac} is not in the devices table (schoolgate devices lists them)`);
  const proposal = { kind: 'device-group', mac, from: device.groupId, to: args[1] === 'none' ? null : args[1] };
  const change = await call<ChangeRequest>(values, 'changes.request', { proposal, rationale, riskNote });
  if (!values.json) process.stdout.write(`Asked as change request ${change.id}; approvers are told.\n`);
  return show(values, change);
}

export const NO_APPROVAL_OVER_SSH = 'approvals are given in the web UI by a signed-in approver (Change requests), never over SSH: two people other than the one who asked must each sign in and approve';

export const changes: Command = {
  positionals: true,
  summary: 'change control: ask for a filtering change, see requests, apply approved ones or record them as sent upstream',
  usage: `schoolgate changes [list] [--status S] [--mine] [--json]
schoolgate changes show ID [--json]
schoolgate changes request --allow NAME|--block NAME --networks a,b [--groups g,h] [--device MAC ...] [--until YYYY-MM-DD[THH:MM]] --why TEXT --risk TEXT [--from-alert ID]
schoolgate changes end-exception EXCEPTION --why TEXT --risk TEXT
schoolgate changes move-device MAC GROUP --why TEXT --risk TEXT
schoolgate changes withdraw ID [--note TEXT]
schoolgate changes apply ID
schoolgate changes sent-upstream ID --reference REF [--note TEXT]
schoolgate changes exceptions [--json]

Any change to what is filtered is a request with a written reason and a benefit-against-risk
note. Two approvers other than the person who asked agree in the web UI (Change requests); when
an allow reaches any network that is not a staff network or names devices (--device), or a
page's policy edit is asked for, the headteacher must be one of them. Approvals are never given over SSH.

Once approved, the IT provider either applies it here (\`apply\`: an exception joins the
configuration as change-ID; ending one removes it; a policy edit is made only if the values are
still those the approvers saw, otherwise it is refused and recorded) or records it as sent to the
upstream filtering provider with that provider's reference (\`sent-upstream\`). A declined or
withdrawn request is final: ask again with a new one. Every step is audited under your name.

An investigation request is for safeguarding staff only: here it is one line, "Investigation
request N (details for safeguarding staff only)", with its status; \`show\` and \`apply\` refuse
it. The gateway applies it itself on its second approval.

\`move-device\` asks to move a device into a device group (GROUP "none": its network's default)
when \`schoolgate devices group\` refuses because the group lets it reach more; applying it moves
the device only if it is still in the group it was in when asked. The headteacher approves a move
of a device that is not on a staff network.

--until is on the school's clocks: a day alone means the end of that day (23:59).
\`exceptions\` lists the exceptions in the configuration, where they apply, until when, and the
request that made each.

${dataDirHelp}
      --status S         (list) ${CHANGE_STATUSES.join(', ')}
      --mine             (list) only the requests you made
      --allow NAME       (request) let NAME and every name under it through (*.NAME: only names under it)
      --block NAME       (request) block NAME and every name under it
      --networks a,b     (request) network ids it applies on
      --groups g,h       (request) only devices in these groups
      --device MAC       (request) only this device (repeat for each, at most 16); one the gateway
                         has not seen yet may be named, it applies once the device joins
      --until DAY[THH:MM] (request) when it ends (default: no end date)
      --why TEXT         (request, end-exception, move-device) the educational reason
      --risk TEXT        (request, end-exception, move-device) benefit against risk
      --from-alert ID    (request) the alert whose review proposed it
      --note TEXT        (withdraw, sent-upstream) a note
      --reference REF    (sent-upstream) the filtering provider's reference
      --json             print the result as JSON`,
  options: {
    ...dataDirOption, json: { type: 'boolean' }, status: { type: 'string' }, mine: { type: 'boolean' }, allow: { type: 'string' }, block: { type: 'string' },
    networks: { type: 'string' }, groups: { type: 'string' }, device: { type: 'string', multiple: true }, until: { type: 'string' }, why: { type: 'string' }, risk: { type: 'string' },
    'from-alert': { type: 'string' }, note: { type: 'string' }, reference: { type: 'string' },
  },
  async run(values, positionals) {
    const [verb = 'list', ...args] = positionals;
    const note = stringOption(values, 'note');
    switch (verb) {
      case 'list': {
        const status = stringOption(values, 'status');
        if (status !== undefined && !(CHANGE_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${CHANGE_STATUSES.join(', ')}`);
        const view = await call<ChangeListView>(values, 'changes', { ...(status ? { status } : {}), ...(values.mine ? { mine: true } : {}) });
        printResult(values, view, formatChangeList(view));
        return EXIT.ok;
      }
      case 'show':
        if (args.length !== 1) throw new UsageError('usage: schoolgate changes show ID');
        return show(values, await call(values, 'changes.show', { id: recordNumber(args[0], 'a change request') }));
      case 'request': return request(values);
      case 'end-exception': return endException(values, args);
      case 'move-device': return moveDevice(values, args);
      case 'withdraw':
        if (args.length !== 1) throw new UsageError('usage: schoolgate changes withdraw ID [--note TEXT]');
        return show(values, await call(values, 'changes.withdraw', { id: recordNumber(args[0], 'a change request'), ...(note ? { note } : {}) }));
      case 'apply': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate changes apply ID');
        const change = await call<ChangeRequest>(values, 'changes.apply', { id: recordNumber(args[0], 'a change request') });
        if (!values.json) process.stdout.write(`Change request ${change.id} applied: the configuration is changed and in force.\n`);
        return show(values, change);
      }
      case 'sent-upstream': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate changes sent-upstream ID --reference REF [--note TEXT]');
        const reference = required(values, 'reference', "the filtering provider's reference for the change");
        return show(values, await call(values, 'changes.upstream', { id: recordNumber(args[0], 'a change request'), reference, ...(note ? { note } : {}) }));
      }
      case 'exceptions': {
        const view = await call<ExceptionListView>(values, 'changes.exceptions', {});
        printResult(values, view, formatExceptions(view));
        return EXIT.ok;
      }
      case 'approve':
      case 'decline':
        process.stderr.write(`schoolgate changes ${verb}: ${NO_APPROVAL_OVER_SSH}.\n`);
        return EXIT.failure;
      default: throw new UsageError(`unknown changes action "${verb}" (list, show, request, end-exception, move-device, withdraw, apply, sent-upstream, exceptions)`);
    }
  },
};
