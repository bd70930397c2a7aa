// An approved request made real (pure): the edit of a configuration draft that ConfigStore.update
// then validates as a whole and writes. A page's edits are applied only if every value is still
// what the approvers saw (`before`, deep-equal): two approvers agreed to a change from that value,
// not from whatever someone saved since.
import { isDeepStrictEqual } from 'node:util';
import type { Config, FilterException } from '../../config/schema.ts';
import { ChangeStateError } from './change-rules.ts';
import type { ConfigEdit, Proposal } from './change-schema.ts';
import { exceptionIdOf } from './change-words.ts';

/** The configuration no longer holds what the request was made against. */
export class StaleChangeError extends ChangeStateError {
  override name = 'StaleChangeError';
  readonly path: string;
  constructor(path: string) {
    super(`the configuration changed since this was requested (${path}): withdraw it and request again`);
    this.path = path;
  }
}

export interface ApplyInput {
  id: number;
  proposal: Proposal;
  rationale: string;
  /** The requester's name as people know it (the exception's "asked by"). */
  requestedByName: string;
  /** When it is applied: an investigation runs from then. */
  now: Date;
}

export interface Applied {
  /** The exception's id, for the applied step's reference; null for a page's edits. */
  reference: string | null;
  /** What the change.apply audit entry records. */
  details: Record<string, unknown>;
}

const REASON_MAX = 500;
const REQUESTED_BY_MAX = 120;

const unescape = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~');

function segmentsOf(path: string): string[] {
  if (!path.startsWith('/')) throw new ChangeStateError(`"${path}" is not a path in the configuration`);
  return path.split('/').slice(1).map(unescape);
}

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] => typeof value === 'object' && value !== null;

/** The value at a JSON pointer, or undefined when it (or its parent) does not exist. */
export function valueAt(document: unknown, path: string): unknown {
  let here: unknown = document;
  for (const key of segmentsOf(path)) {
    if (!isContainer(here)) return undefined;
    if (Array.isArray(here)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      here = here[Number(key)];
    } else {
      here = Object.hasOwn(here, key) ? here[key] : undefined;
    }
  }
  return here;
}

/** Sets (or, with `value` undefined, removes) the value at a JSON pointer whose parent exists. */
function writeAt(document: unknown, path: string, value: unknown): void {
  const keys = segmentsOf(path);
  const last = keys.pop();
  if (last === undefined) throw new ChangeStateError('a change cannot replace the whole configuration');
  const parent = keys.length === 0 ? document : valueAt(document, `/${keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`);
  if (!isContainer(parent)) throw new StaleChangeError(path);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!/^(0|[1-9]\d*)$/.test(last) || index > parent.length) throw new StaleChangeError(path);
    if (value === undefined) parent.splice(index, 1);
    else parent[index] = value;
    return;
  }
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/** Refuses (naming the first path) when any edit's value is no longer its `before`. */
export function checkEdits(config: Readonly<Config>, edits: readonly ConfigEdit[]): void {
  for (const edit of edits) {
    if (!isDeepStrictEqual(valueAt(config, edit.path), edit.before)) throw new StaleChangeError(edit.path);
  }
}

/** Edits `draft` as the approved request says; throws ChangeStateError (StaleChangeError) when it cannot. */
export function applyChange(draft: Config, input: ApplyInput): Applied {
  const p = input.proposal;
  switch (p.kind) {
    case 'exception': {
      const id = exceptionIdOf(input.id);
      if (draft.exceptions.some((e) => e.id === id)) throw new ChangeStateError(`an exception "${id}" is already in the configuration: this request has been applied`);
      const exception: FilterException = {
        id, domain: p.domain, action: p.action, networks: [...p.networks],
        ...(p.groups !== undefined ? { groups: [...p.groups] } : {}),
        ...(p.devices !== undefined ? { devices: [...p.devices] } : {}),
        reason: input.rationale.trim().slice(0, REASON_MAX),
        requestedBy: input.requestedByName.trim().slice(0, REQUESTED_BY_MAX) || 'unknown',
        ...(p.expires !== undefined ? { expires: p.expires } : {}),
      };
      draft.exceptions.push(exception);
      return { reference: id, details: { proposal: p, exception: id } };
    }
    case 'exception-end': {
      const index = draft.exceptions.findIndex((e) => e.id === p.exceptionId);
      if (index < 0) throw new StaleChangeError(`/exceptions (${p.exceptionId})`);
      const [removed] = draft.exceptions.splice(index, 1);
      return { reference: p.exceptionId, details: { proposal: p, exception: p.exceptionId, removed } };
    }
    case 'config': {
      checkEdits(draft, p.edits);
      for (const edit of p.edits) writeAt(draft, edit.path, edit.after === undefined ? undefined : structuredClone(edit.after));
      return { reference: null, details: { proposal: p, action: p.action, subject: p.subject } };
    }
    case 'investigation': {
      const list = draft.investigations ?? [];
      if (list.some((i) => i.id === input.id)) throw new ChangeStateError(`investigation ${input.id} is already in the configuration: this request has been applied`);
      if (!(Date.parse(p.until) > input.now.getTime())) throw new ChangeStateError('the investigation\'s end has passed since it was approved: ask again with a new request');
      if (list.some((i) => i.device === p.device && Date.parse(i.until) > input.now.getTime())) throw new ChangeStateError(`device ${p.device} is already under investigation: end that one first`);
      const entry = { id: input.id, incidentId: p.incidentId, device: p.device, policy: p.policy, from: input.now.toISOString(), until: p.until };
      draft.investigations = [...list, entry];
      return { reference: `investigation-${input.id}`, details: { proposal: p, investigation: entry } };
    }
    // The devices table holds a device's group: change-service.ts moves it there.
    case 'device-group': throw new ChangeStateError('a device is moved between groups in the devices table, not the configuration');
  }
}
