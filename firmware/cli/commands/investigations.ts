// `schoolgate investigations`: the investigations (one device under reduced filtering while a
// concern is looked into, every lookup kept as evidence on its incident) through the running
// daemon. A technician may end one early (it only narrows what the device reaches) or save its
// evidence so far, both audited under the SSH user's name. Asking for one and approving it are
// for senior staff in the web UI (a change request from the incident).
import { SENIOR_APPROVERS } from '../../control/changes/change-rules.ts';
import { callDaemon } from '../../control/client.ts';
import type { Investigation, InvestigationListView } from '../../monitor/investigations/investigation-schema.ts';
import { INVESTIGATION_STATUSES } from '../../monitor/investigations/investigation-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, recordNumber, stringOption, socketOf, UsageError, type Command } from '../command.ts';
import { formatInvestigation, formatInvestigationList } from '../format-investigations.ts';

export const investigations: Command = {
  positionals: true,
  summary: 'investigations of one device each: list, show, end early, save the evidence so far',
  usage: `schoolgate investigations [list] [--incident ID] [--status in-force|ended|expired] [--json]
schoolgate investigations show ID [--json]
schoolgate investigations end ID [--note TEXT] [--json]
schoolgate investigations save-evidence ID [--json]

An investigation gives one device another policy (reduced filtering; illegal-content lists still
block) until a time, for an open incident. It is asked for as a change request and approved by
\${SENIOR_APPROVERS}. When it ends, early or at its time, every
lookup the device made meanwhile is saved as a CSV attachment on the incident, with its SHA-256.
\`end\` ends one now (audited under your name); \`save-evidence\` saves its lookups so far.

${dataDirHelp}
      --incident ID      only this incident's investigations
      --status STATUS    only in-force, ended or expired ones
      --note TEXT        why it ends early (recorded on the incident)
      --json             print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' }, incident: { type: 'string' }, status: { type: 'string' }, note: { type: 'string' } },
  async run(values, positionals) {
    const [verb = 'list', ...args] = positionals;
    const one = (usage: string): number => {
      if (args.length !== 1) throw new UsageError(`usage: schoolgate investigations ${usage}`);
      return recordNumber(args[0], 'an investigation');
    };
    switch (verb) {
      case 'list': {
        if (args.length !== 0) throw new UsageError('usage: schoolgate investigations [list] [--incident ID] [--status STATUS] [--json]');
        const params: Record<string, unknown> = {};
        const incident = stringOption(values, 'incident');
        if (incident !== undefined) params.incidentId = recordNumber(incident, 'an incident');
        const status = stringOption(values, 'status');
        if (status !== undefined) {
          if (!(INVESTIGATION_STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${INVESTIGATION_STATUSES.join(', ')}`);
          params.status = status;
        }
        const view = await callDaemon(socketOf(values), 'investigations', params) as InvestigationListView;
        printResult(values, view, formatInvestigationList(view));
        return EXIT.ok;
      }
      case 'show': {
        const result = await callDaemon(socketOf(values), 'investigations.show', { id: one('show ID') }) as Investigation;
        printResult(values, result, formatInvestigation(result));
        return EXIT.ok;
      }
      case 'end': {
        const id = one('end ID [--note TEXT]');
        const note = stringOption(values, 'note');
        const result = await callDaemon(socketOf(values), 'investigations.end', { id, ...(note !== undefined ? { note } : {}) }) as Investigation;
        printResult(values, result, `Investigation ${id} ended: the device is back on its usual filtering.\n${formatInvestigation(result)}`);
        return EXIT.ok;
      }
      case 'save-evidence': {
        const id = one('save-evidence ID');
        const result = await callDaemon(socketOf(values), 'investigations.save-evidence', { id }) as Investigation;
        const saved = result.evidence.at(-1);
        printResult(values, result, `Evidence saved: ${saved?.lookups ?? 0} lookups, SHA-256 ${saved?.sha256 ?? '-'} (incident ${result.incidentId}, attachment ${saved?.attachmentId ?? '-'}).\n`);
        return EXIT.ok;
      }
      default: throw new UsageError(`unknown investigations action "${verb}" (list, show, end, save-evidence)`);
    }
  },
};
