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

/**
 * A YAML mapping that sets a key twice: the tools that read the file (PyYAML, the KFP SDK,
 * CloudFormation's reader) keep the last value, so the file is read that way, and the first value,
 * which a reader of the file may take for the one in force, is said here. Reported by the pipeline
 * from what the parser noted (formats/problem.ts), on the line of the later key.
 */
export const DUPLICATE_KEY_RULE: Rule = {
  id: 'duplicate-key',
  title: 'Mappings set each key once',
  practices: ['MLOPS04-BP01'],
  pillar: 'operational-excellence',
  phase: 'deployment',
  severity: 'low',
  match: [],
  message: '{{path}} sets a key twice in one mapping: {{actual}}.',
  remediation: 'Keep one of the two entries: the value the file should have. Everything that reads the file uses the last one, whatever a reader of the first believes.',
  notes: 'Reported by the pipeline for YAML artifacts; the file is read with the last value, as PyYAML and CloudFormation read it. JSON pipeline and template files still refuse duplicate keys.',
  examples: {
    pass: [{ path: 'deploy/serving.yaml', content: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    minReplicas: 2\n' }],
    fail: [{ path: 'deploy/serving.yaml', content: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    minReplicas: 2\n    minReplicas: 0\n' }],
  },
  source: '<built-in>',
};

/** The rules defined in code, which every catalogue contains. */
export function pipelineRules(): Rule[] {
  return [PARSE_ERROR_RULE, DUPLICATE_KEY_RULE];
}

/** Whether a rule is one the pipeline reports itself (never evaluated on documents). */
export function isPipelineRule(rule: Rule): boolean {
  return rule === PARSE_ERROR_RULE || rule === DUPLICATE_KEY_RULE;
}
