/**
 * Rules the pipeline reports itself, defined in code because no predicate can express them. They
 * cannot be disabled: a file the review could not read must always be said.
 */
import type { Rule } from '../model.js';

/**
 * A file whose parse or evaluation went over the per-file time budget (a pathological file: deep
 * nesting, a huge table, adversarial YAML). The review runs in a worker that is stopped when a file
 * overruns; the review is then run again without that file, which is reported with this rule and
 * listed as not reviewed. `{{actual}}` says what took too long.
 */
export const TIME_BUDGET_RULE: Rule = {
  id: 'time-budget',
  title: 'File is reviewed within the time budget',
  practices: ['MLOPS04-BP01'],
  pillar: 'operational-excellence',
  phase: 'deployment',
  severity: 'medium',
  match: [],
  message: '{{path}} was not reviewed: {{actual}}',
  remediation:
    'Split the file or simplify it (fewer keys in one mapping, less nesting, smaller tables) so that it can be read within the time budget; until then no rule checks it.',
  notes: 'Reported by the pipeline, never evaluated on documents. The budget is ML_LENS_FILE_TIMEOUT_MS (default 10 s) per file.',
  examples: { pass: [], fail: [] },
  source: '<built-in>',
};
