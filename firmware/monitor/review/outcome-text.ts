// The weekly review's outcomes and how every surface says them (the page, the CLI, the CSV, the
// printed record). No TypeBox here: the web UI bundles this file, and its shape is in review-schema.ts.
export const OUTCOMES = ['no-concern', 'spoke-to-pupil', 'escalated-to-dsl', 'referred-externally', 'false-positive'] as const;

export const OUTCOME_TEXT: Readonly<Record<(typeof OUTCOMES)[number], string>> = {
  'no-concern': 'No concern',
  'spoke-to-pupil': 'Spoke to the pupil',
  'escalated-to-dsl': 'Escalated to the DSL',
  'referred-externally': 'Referred externally',
  'false-positive': 'False positive: list change proposed',
};
