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

export const ListImportBody = ImportParams;
export type ListImportBody = Static<typeof ImportParams>;
export const ListUpdateBody = UpdateParams;
export type ListUpdateBody = Static<typeof UpdateParams>;
export { ImportResult, ListsView };
export type { ListView };
