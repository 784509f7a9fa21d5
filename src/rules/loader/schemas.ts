/**
 * The zod schemas of a rule and of the predicates' arguments, and the form of a rule id.
 */
import { z } from 'zod';
import { ENVIRONMENTS, KINDS, PHASES, PILLARS, SEVERITIES } from '../../model.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'expected a string, number, boolean or null' });
export const path = z.string({ error: 'expected a path such as Properties.KmsKeyId' });
export const strings = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a non-empty list of strings' });

export const ARGS = {
  equals: z.object({ path, value: scalar, default: scalar.optional() }).strict(),
  one_of: z.object({ path, values: z.array(scalar).min(1), default: scalar.optional() }).strict(),
  matches: z.object({ path, pattern: z.string(), default: z.string().optional() }).strict(),
  greater_than: z.object({ path, value: z.number(), default: z.number().optional() }).strict(),
  less_than: z.object({ path, value: z.number(), default: z.number().optional() }).strict(),
  credential: z.object({ path, key: path.optional() }).strict(),
  each: z.object({ path, require: z.unknown() }).strict(),
  count: z
    .object({ path, where: z.unknown().optional(), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .strict(),
} as const;

export const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const example = z.object({ path: z.string().min(1), content: z.string() }).strict();

const clauseSchema = z
  .object({
    kind: z.enum([...KINDS, 'repository']),
    resource: strings.optional(),
    where: z.unknown().optional(),
    require: z.unknown(),
    unknown: z.enum(['pass', 'fail']).optional(),
    anchor: strings.optional(),
  })
  .strict();

export const ruleSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'must be kebab-case (lower-case letters and digits joined by single hyphens)'),
    title: z.string().min(1),
    practices: z.array(z.string()).min(1),
    pillar: z.enum(PILLARS),
    phase: z.enum(PHASES),
    severity: z.enum(SEVERITIES),
    match: z.array(clauseSchema).min(1),
    message: z.string().min(1),
    remediation: z.string().min(1),
    fix: z
      .partialRecord(
        z.enum(KINDS),
        z.object({ insert_attribute: z.string().min(1).optional(), insert_property: z.string().min(1).optional(), insert_argument: z.string().min(1).optional() }).strict(),
      )
      .optional(),
    notes: z.string().optional(),
    generic: z.object({ message: z.string().min(1), remediation: z.string().min(1).optional() }).strict().optional(),
    related: z.array(z.string().regex(RULE_ID, 'must be a rule id')).min(1).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).min(1).optional(),
    examples: z.object({ pass: z.array(example).min(1), fail: z.array(example).min(1) }).strict(),
  })
  .strict();
