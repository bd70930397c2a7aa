// The lists page's API shapes: status as `schoolgate lists` prints it (dashboard.view), update
// now and import a file (lists.manage) with the CLI's parameters and answers.
import { Type, type Static } from 'typebox';
import { ImportParams, ImportResult } from '../../rules/list-admin.ts';
import { UpdateParams } from '../../rules/list-methods.ts';
import { ListsView, type ListView } from '../../rules/lists-view.ts';

export const ListUpdateResults = Type.Object({
  results: Type.Array(Type.Object({
    list: Type.String(), outcome: Type.String(),
    entries: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    badLines: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  })),
});
export type ListUpdateResults = Static<typeof ListUpdateResults>;

/** Removing a list from the page: by its id, never with the CLI's --force-restricted. */
export const ListRemoveBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) }, { additionalProperties: false });
export type ListRemoveBody = Static<typeof ListRemoveBody>;
export const ListRemoveResult = Type.Object({
  id: Type.String(),
  file: Type.Union([Type.Object({ keptAs: Type.String() }), Type.Object({ unchanged: Type.String(), reason: Type.String() })]),
  namesInService: Type.Integer(),
});
export type ListRemoveResult = Static<typeof ListRemoveResult>;

export const ListImportBody = ImportParams;
export type ListImportBody = Static<typeof ImportParams>;
export const ListUpdateBody = UpdateParams;
export type ListUpdateBody = Static<typeof UpdateParams>;
export { ImportResult, ListsView };
export type { ListView };
