// The parts people play in the annual review and how the pack and the pages name them, in the
// words of the DfE's filtering and monitoring standards. No imports, so the web UI bundles it as is.
export const PARTICIPANT_ROLES = ['senior-leader', 'dsl', 'it-provider', 'governor', 'other'] as const;
export type ParticipantRoleName = (typeof PARTICIPANT_ROLES)[number];

export const PARTICIPANT_ROLE_NAMES: Readonly<Record<ParticipantRoleName, string>> = {
  'senior-leader': 'Senior leader responsible for filtering and monitoring',
  dsl: 'Designated safeguarding lead',
  'it-provider': 'IT service provider',
  governor: 'Governor or trustee',
  other: 'Other',
};
