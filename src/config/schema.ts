/**
 * The schema of `.github/ml-lens.yml`: the one source of truth for configuration. The TypeScript
 * type, the defaults, validation messages and the published JSON Schema all come from it.
 */
import { z } from 'zod';
import { globProblem } from '../glob.js';
import { PILLARS, SEVERITIES } from '../model.js';
import { isValidDate } from '../dates.js';

const severity = z.enum(SEVERITIES);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine(isValidDate, 'not a calendar date');
/** YAML reads an unquoted 2027-01-31 as a string under the core schema; accept Date objects too. */
const dateLike = z.preprocess((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v), isoDate);
/** Globs are compiled on load: a refused one (too long, too complex, unsupported syntax) is a configuration error at its key. */
const globs = z.array(
  z
    .string()
    .min(1)
    .superRefine((glob, ctx) => {
      const problem = glob.length > 0 ? globProblem(glob) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
);

const gateFields = {
  fail_on: severity.describe('A new unsuppressed finding at or above this severity fails the check.'),
  min_score: z.number().min(0).max(100).describe('The check fails when any assessed pillar scores below this on the head.'),
  only_new: z.boolean().describe('Gate on new findings only (true) or on every finding in the changed files (false).'),
  fail_on_unreviewed: z
    .boolean()
    .describe(
      'Fail the check when a changed file whose path an artifact kind claims (*.tf, .github/workflows/*.yml, model_card.md...) could not be reviewed (too large, binary, unparseable, over the time budget). Other unreviewed artifact-looking files make the check at least neutral.',
    ),
};

const gate = z
  .object({
    fail_on: gateFields.fail_on.default('high'),
    min_score: gateFields.min_score.default(0),
    only_new: gateFields.only_new.default(true),
    fail_on_unreviewed: gateFields.fail_on_unreviewed.default(true),
  })
  .strict();

/** An override sets only the keys it names; the rest come from the top-level gate. */
const gateOverride = z
  .object({
    fail_on: gateFields.fail_on.optional(),
    min_score: gateFields.min_score.optional(),
    only_new: gateFields.only_new.optional(),
    fail_on_unreviewed: gateFields.fail_on_unreviewed.optional(),
  })
  .strict();

const pillarSettings = z
  .object({
    weight: z.number().min(0).default(1).describe('Weight of the pillar in the overall score (the weighted mean of the assessed pillars, head and base); 0 leaves it out.'),
    enabled: z.boolean().default(true).describe('false: the pillar is neither scored nor gated.'),
  })
  .strict();

export const configSchema = z
  .object({
    paths: z
      .object({
        include: globs.default(['**']).describe('Globs of files to review.'),
        exclude: globs.default(['vendor/**', 'node_modules/**']).describe('Globs of files never reviewed.'),
      })
      .strict()
      .default({ include: ['**'], exclude: ['vendor/**', 'node_modules/**'] }),
    pillars: z
      .partialRecord(z.enum(PILLARS), pillarSettings)
      .default({})
      .describe('Per-pillar settings, keyed by pillar name.'),
    gate: gate.default({ fail_on: 'high', min_score: 0, only_new: true, fail_on_unreviewed: true }),
    limits: z
      .object({
        max_findings_per_file: z
          .number()
          .int()
          .min(1)
          .default(200)
          .describe('At most this many findings of one file are reported (most severe and new first); the rest are counted as folded. The gate sees them all.'),
        max_findings: z
          .number()
          .int()
          .min(1)
          .default(25_000)
          .describe('At most this many findings of a review are reported (most severe and new first); the rest are counted as folded. The gate sees them all.'),
      })
      .strict()
      .default({ max_findings_per_file: 200, max_findings: 25_000 }),
    comments: z
      .object({
        summary: z.boolean().default(true).describe('Post the sticky summary comment.'),
        inline: z.boolean().default(true).describe('Post inline review comments on changed lines.'),
        max_inline: z.number().int().min(0).max(100).default(25).describe('At most this many inline comments per run; the rest go to the summary.'),
        suggestions: z.boolean().default(true).describe('Attach suggestion blocks where a rule has a safe fix.'),
      })
      .strict()
      .default({ summary: true, inline: true, max_inline: 25, suggestions: true }),
    checks: z
      .object({
        annotations: z.boolean().default(true).describe('Attach line annotations to the check run.'),
        max_annotations: z.number().int().min(0).max(5000).default(500).describe('Cap on annotations per run.'),
      })
      .strict()
      .default({ annotations: true, max_annotations: 500 }),
    issues: z
      .object({
        create: z.enum(['never', 'on-merge', 'on-pr']).default('on-merge').describe('When tracking issues are opened.'),
        min_severity: severity.default('high').describe('Findings at or above this severity get a tracking issue.'),
        labels: z.array(z.string()).default(['ml-lens']).describe('Labels added to every tracking issue.'),
        assign_codeowners: z.boolean().default(true).describe("Assign the file's CODEOWNERS."),
      })
      .strict()
      .default({ create: 'on-merge', min_severity: 'high', labels: ['ml-lens'], assign_codeowners: true }),
    rules: z
      .object({
        disable: z.array(z.string()).default([]).describe('Rule ids that are not run.'),
        severity: z.record(z.string(), severity).default({}).describe('Severity overrides by rule id.'),
        custom: z.string().default('.github/ml-lens/rules').describe('Folder of the repository\'s own rules (*.yaml).'),
      })
      .strict()
      .default({ disable: [], severity: {}, custom: '.github/ml-lens/rules' }),
    ignore: z
      .array(
        z
          .object({
            rule: z.string().describe('Rule id, or * for every rule.'),
            paths: globs.default(['**']).describe('Globs of the files the ignore covers.'),
            reason: z.string().min(1, 'a reason is required').describe('Why the finding is accepted; shown in the summary.'),
            until: dateLike.optional().describe('The ignore stops applying after this date.'),
          })
          .strict(),
      )
      .default([])
      .describe('Findings accepted by configuration instead of an inline comment.'),
    overrides: z
      .array(
        z
          .object({
            paths: globs.min(1).describe('Globs of the files the override applies to.'),
            gate: gateOverride.describe('Gate keys that differ in these paths: for the findings and unreviewed files there, and min_score as a floor on the pillar scores of the evaluations there.'),
          })
          .strict(),
      )
      .default([])
      .describe('Gate settings for findings in particular paths.'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type IgnoreEntry = Config['ignore'][number];

export function defaultConfig(): Config {
  return configSchema.parse({});
}

/** The JSON Schema published for editors (`ml-lens schema`, docs/config.schema.json). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
