// The AUP splash's API shapes, shared with the web UI (types only there): the acceptances are the
// splash's own shape (firmware/portal/splash/schema.ts), the settings the configuration's `aup`
// section (firmware/config/aup-schema.ts), one definition each.
import { Type, type Static } from 'typebox';
import { AupSettings } from '../../config/aup-schema.ts';

export { AupAcceptance, AupAcceptancesView } from '../../portal/splash/schema.ts';

/** A network the splash may be turned on for (never a guest one: visitors accept the portal's terms). */
export const AupSplashNetwork = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
}, { additionalProperties: false });
export type AupSplashNetwork = Static<typeof AupSplashNetwork>;

/** GET /api/aup/settings (policy.view): the `aup` section as it is (null: never set), and who may change it. */
export const AupSettingsView = Type.Object({
  aup: Type.Union([AupSettings, Type.Null()]),
  networks: Type.Array(AupSplashNetwork),
  editable: Type.Boolean({ description: 'the account has policy.edit' }),
}, { additionalProperties: false });
export type AupSettingsView = Static<typeof AupSettingsView>;

/**
 * PUT /api/aup/settings (policy.edit): the whole section; pupilText left out for the built-in
 * pupils' rules. Only the shape is checked here: the version's characters and the text's presence
 * are checked with messages in the school's words (aupSettingsIssues), the rest by the configuration.
 */
export const AupSettingsBody = Type.Object({
  version: Type.String({ maxLength: 200 }),
  text: Type.String({ maxLength: 20_000 }),
  pupilText: Type.Optional(Type.String({ maxLength: 20_000 })),
  splashOn: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
}, { additionalProperties: false });
export type AupSettingsBody = Static<typeof AupSettingsBody>;

export const AupSettingsSaved = Type.Object({
  settings: AupSettingsView,
  /** The version changed: every device on a splash network is asked again. */
  versionChanged: Type.Boolean(),
  changed: Type.Array(Type.String(), { description: 'the fields that changed: version, text, pupilText, splashOn' }),
}, { additionalProperties: false });
export type AupSettingsSaved = Static<typeof AupSettingsSaved>;
