// `schoolgate check`: what the gateway would answer a device on a network for one name, and why:
// which list and line listed it, which category and disposition, which exception or schedule
// decided. Built from the same matcher and policy engine that answer questions, so the
// explanation cannot drift from what the gateway does.
import { Type, type Static } from 'typebox';
import type { Config } from '../../config/schema.ts';
import type { FilterState } from './filter-state.ts';
import { MatchResult } from '../matcher/matcher.ts';
import { isBypassName } from './bypass.ts';
import { Explanation } from './explain-schema.ts';

export const CheckParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 253 }),
  network: Type.String({ minLength: 1, maxLength: 32 }),
  device: Type.Optional(Type.String({ maxLength: 32, description: 'MAC address of the device' })),
  at: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });
export type CheckParams = Static<typeof CheckParams>;

export const CheckListEntry = Type.Object({
  list: Type.String({ description: 'list id' }),
  listName: Type.String(),
  kind: Type.Union([Type.Literal('block'), Type.Literal('allow'), Type.Literal('restricted')]),
  category: Type.Optional(Type.String()),
  listed: Type.Optional(Type.String({ description: 'the listed name (the asked name or a parent); never shown for restricted lists' })),
  mode: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });

export const CheckReport = Type.Object({
  name: Type.String(),
  network: Type.String(),
  device: Type.Union([Type.String(), Type.Null()]),
  answer: Type.Union([
    Type.Literal('allowed'), Type.Literal('blocked'), Type.Literal('rewritten'), Type.Literal('local'), Type.Literal('canary'),
  ]),
  blockAnswer: Type.Optional(Type.String({ description: 'what a blocked device receives' })),
  rewrite: Type.Optional(Type.String({ description: 'the safe-search host the name is answered as' })),
  lists: Type.Array(CheckListEntry),
  policy: Explanation,
  summary: Type.String(),
}, { additionalProperties: false });
export type CheckReport = Static<typeof CheckReport>;

export interface CheckInput {
  name: string;
  networkId: string;
  groupId?: string | undefined;
  /** The policy of the voucher the device is signed in with (a guest), if it names one. */
  policyId?: string | undefined;
  device?: string | undefined;
  at: number;
}

export function checkName(config: Readonly<Config>, state: FilterState, input: CheckInput): CheckReport {
  const name = input.name;
  const lists = config.lists;
  const listMeta = (n: number): { list: string; listName: string } => {
    const id = state.listIds[n] ?? `#${n}`;
    return { list: id, listName: lists.find((l) => l.id === id)?.name ?? id };
  };
  const entries: Static<typeof CheckListEntry>[] = state.matcher.explain(name).map((e) => {
    if (e.kind === 'restricted') return { ...listMeta(e.list), kind: 'restricted' as const };
    if ('withheld' in e) return { ...listMeta(e.list), kind: e.kind, ...(e.category ? { category: e.category } : {}) };
    return { ...listMeta(e.list), kind: e.kind, ...(e.category ? { category: e.category } : {}), listed: e.suffix, mode: e.mode, line: e.line };
  });
  for (const hit of state.side?.explain(name) ?? []) {
    if (hit.kind === 'hashed') entries.push({ ...listMeta(hit.list), kind: 'restricted' });
    else entries.push({ ...listMeta(hit.list), kind: hit.kind === 'regex-allow' ? 'allow' : 'block', mode: 'regex', ...(hit.line !== undefined ? { line: hit.line } : {}) });
  }
  const m = new MatchResult();
  state.matcher.match(name, m);
  state.side?.apply(name, m);
  const policy = state.engine.explain({
    networkId: input.networkId, groupId: input.groupId, policyId: input.policyId, mac: input.device?.toLowerCase(), name, blockLo: m.blockLo, blockHi: m.blockHi, allowed: m.allowed, restricted: m.restricted,
  }, input.at);
  const base = { name, network: input.networkId, device: input.device ?? null, lists: entries, policy };

  const local = config.dns.localDomain;
  if (name === local || name.endsWith(`.${local}`)) {
    return { ...base, answer: 'local', summary: `${name} is one of the gateway's own names: answered by the gateway itself, never forwarded.` };
  }
  if (isBypassName(name)) {
    return { ...base, answer: 'canary', summary: `${name} exists only to switch DNS away from the gateway: answered NXDOMAIN on every network and recorded as a bypass attempt.` };
  }
  if (policy.decision.action === 'block') {
    const policyDoc = config.policies.find((p) => p.id === policy.policy?.id);
    const blockAnswer = policyDoc?.blockAnswer ?? 'nxdomain';
    const shown = blockAnswer === 'block-page' ? 'the block page (the gateway\'s address on this network)' : blockAnswer === 'null-address' ? '0.0.0.0 / ::' : 'NXDOMAIN';
    return { ...base, answer: 'blocked', blockAnswer, summary: `${policy.summary} The device is answered with ${shown}.` };
  }
  const mode = config.policies.find((p) => p.id === policy.policy?.id)?.safeSearch ?? 'off';
  const rewrite = mode === 'off' ? undefined : state.safeSearch.rewriteFor(name, mode);
  if (rewrite) {
    return { ...base, answer: 'rewritten', rewrite, summary: `${policy.summary} Safe search (${mode}) answers it as ${rewrite}.` };
  }
  return { ...base, answer: 'allowed', summary: policy.summary };
}
