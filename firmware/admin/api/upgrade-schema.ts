// The System > Upgrade page's API shapes: the overview (running version, an upgrade in progress,
// the history with rollbacks, the names of the accounts that asked), a checked upload waiting for
// confirmation, and the confirmation.
import { Type, type Static } from 'typebox';
import { UploadId } from '../../control/upload-schema.ts';
import { ActorNames } from './actor-names-schema.ts';
import { ReleaseManifest } from '../../upgrade/manifest-schema.ts';
import { UpgradeHistoryEntry, UpgradeProgress, UpgradeRequest } from '../../upgrade/upgrade-schema.ts';

export const UpgradeView = Type.Object({
  running: Type.String(),
  installed: Type.Optional(Type.String()),
  pending: Type.Optional(UpgradeRequest),
  progress: Type.Optional(UpgradeProgress),
  history: Type.Array(UpgradeHistoryEntry),
  names: ActorNames,
});
export type UpgradeView = Static<typeof UpgradeView>;

export const UpgradeChecked = Type.Object({
  upload: UploadId,
  manifest: ReleaseManifest,
  from: Type.String(),
  requested: Type.Boolean(),
});
export type UpgradeChecked = Static<typeof UpgradeChecked>;

export const UpgradeConfirmBody = Type.Object({
  upload: UploadId,
  force: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type UpgradeConfirmBody = Static<typeof UpgradeConfirmBody>;
