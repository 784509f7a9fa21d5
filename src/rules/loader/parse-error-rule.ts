/**
 * The built-in parse-error rule, and the rules defined in code that every catalogue contains.
 */
import type { Rule } from '../../model.js';

/**
 * Not evaluated on documents: the pipeline reports a file that does not parse with this rule,
 * `{{actual}}` being the parser's message. Defined in code because no predicate can express it.
 */
export const PARSE_ERROR_RULE: Rule = {
  id: 'parse-error',
  title: 'File parses',
  practices: ['MLOPS04-BP01'],
  pillar: 'operational-excellence',
  phase: 'deployment',
  severity: 'medium',
  match: [],
  message: '{{path}} does not parse: {{actual}}',
  remediation: 'Fix the syntax error at the reported line. Until the file parses, no other rule can check it and the pipeline that uses it will fail.',
  notes: 'Reported by the pipeline for any recognised artifact whose parser fails; the finding is anchored on the line the parser names.',
  examples: {
    pass: [
      {
        path: 'infra/main.tf',
        content: 'resource "aws_s3_bucket" "datasets" {\n  bucket = "acme-ml-datasets"\n}\n',
      },
    ],
    fail: [
      {
        path: 'infra/main.tf',
        content: 'resource "aws_s3_bucket" "datasets" {\n  bucket = "acme-ml-datasets"\n\nresource "aws_s3_bucket" "models" {\n  bucket = \n}\n',
      },
    ],
  },
  source: '<built-in>',
};

/** The rules defined in code, which every catalogue contains. */
export function pipelineRules(): Rule[] {
  return [PARSE_ERROR_RULE];
}
