/**
 * The review plan is the only reader of the configuration: every key of the schema must change
 * the plan (no inert keys), and the plan must say what the keys mean.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine.js';
import type { Catalogue } from '../../src/model.js';
import { planReview, type ReviewPlan } from '../../src/plan.js';

const catalogue: Catalogue = (await createEngine()).catalogue();

const TODAY = '2026-11-28';
const PATHS = ['infra/main.tf', 'infra/prod/main.tf', 'vendor/x.tf', 'node_modules/a.yaml', 'pipelines/train.yaml', 'README.md', 'docs/a.md'];

/** Every leaf key of the schema, as `a.b`, `a[].b` (array items) and `a.*` (record values). */
function leaves(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { def: Record<string, unknown> & { type: string } }).def;
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'pipe':
      return leaves((def.innerType ?? def.in) as z.ZodType, prefix);
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
    }
    case 'array': {
      const element = def.element as z.ZodType;
      const inner = (element as unknown as { def: { type: string } }).def.type;
      return inner === 'object' ? leaves(element, `${prefix}[]`) : [prefix];
    }
    case 'record': {
      const value = def.valueType as z.ZodType;
      const inner = (value as unknown as { def: { type: string } }).def.type;
      return inner === 'object' ? leaves(value, `${prefix}.*`) : [prefix];
    }
    default:
      return [prefix];
  }
}

/** Everything a plan decides, observed on sample paths and rules, as plain data. */
function observe(plan: ReviewPlan): unknown {
  const ruleIds = catalogue.rules.map((r) => r.id).slice(0, 40);
  return {
    today: plan.today,
    wanted: PATHS.map((p) => plan.wanted(p)),
    rules: plan.rules.effective.map((r) => `${r.id}:${r.severity}`),
    context: [...plan.context.kinds].sort(),
    gate: PATHS.map((p) => plan.gate.at(p)),
    global: plan.gate.global,
    floors: plan.gate.floors.map((f) => ({ paths: f.paths, min: f.min, on: PATHS.map((p) => f.test(p)) })),
    weights: plan.weights,
    limits: plan.limits,
    ignores: PATHS.flatMap((p) => ruleIds.map((r) => plan.ignores.match(r, p) ?? null)),
    ignoreProblems: plan.ignores.problems,
    environments: PATHS.map((p) => plan.environmentOf(p, 'churn')),
    publish: plan.publish,
    customRules: plan.customRules,
  };
}

function plan(input: Record<string, unknown>): ReviewPlan {
  return planReview({ config: configSchema.parse(input), catalogue, today: TODAY });
}

/** For each key: the configuration it is varied in (default: none) and the variation. */
function variations(): Record<string, { base?: Record<string, unknown>; changed: Record<string, unknown> }> {
  const rule = catalogue.rules.find((r) => r.pillar === 'security' && r.id !== 'parse-error')!;
  const ignore = { rule: rule.id, reason: 'accepted by the platform team' };
  const override = { paths: ['infra/prod/**'], gate: {} };
  const environment = { environment: 'development', paths: ['infra/**'] };
  return {
    'paths.include': { changed: { paths: { include: ['infra/**'] } } },
    'paths.exclude': { changed: { paths: { exclude: ['docs/**'] } } },
    'pillars.*.weight': { changed: { pillars: { security: { weight: 3 } } } },
    'pillars.*.enabled': { changed: { pillars: { security: { enabled: false } } } },
    'gate.fail_on': { changed: { gate: { fail_on: 'critical' } } },
    'gate.min_score': { changed: { gate: { min_score: 70 } } },
    'gate.only_new': { changed: { gate: { only_new: false } } },
    'gate.fail_on_unreviewed': { changed: { gate: { fail_on_unreviewed: false } } },
    'limits.max_findings_per_file': { changed: { limits: { max_findings_per_file: 5 } } },
    'limits.max_findings': { changed: { limits: { max_findings: 5 } } },
    'comments.summary': { changed: { comments: { summary: false } } },
    'comments.inline': { changed: { comments: { inline: false } } },
    'comments.max_inline': { changed: { comments: { max_inline: 3 } } },
    'comments.suggestions': { changed: { comments: { suggestions: false } } },
    'comments.group_from': { changed: { comments: { group_from: 0 } } },
    'checks.annotations': { changed: { checks: { annotations: false } } },
    'checks.max_annotations': { changed: { checks: { max_annotations: 10 } } },
    'issues.create': { changed: { issues: { create: 'on-pr' } } },
    'issues.min_severity': { changed: { issues: { min_severity: 'critical' } } },
    'issues.labels': { changed: { issues: { labels: ['ml-risk'] } } },
    'issues.assign_codeowners': { changed: { issues: { assign_codeowners: false } } },
    'rules.disable': { changed: { rules: { disable: [rule.id] } } },
    'rules.severity': { changed: { rules: { severity: { [rule.id]: rule.severity === 'low' ? 'high' : 'low' } } } },
    'rules.custom': { changed: { rules: { custom: 'ml/rules' } } },
    'ignore[].rule': { base: { ignore: [ignore] }, changed: { ignore: [{ ...ignore, rule: '*' }] } },
    'ignore[].paths': { base: { ignore: [ignore] }, changed: { ignore: [{ ...ignore, paths: ['infra/**'] }] } },
    'ignore[].reason': { base: { ignore: [ignore] }, changed: { ignore: [{ ...ignore, reason: 'another reason' }] } },
    'ignore[].until': { base: { ignore: [ignore] }, changed: { ignore: [{ ...ignore, until: '2026-01-01' }] } },
    'overrides[].paths': { base: { overrides: [{ ...override, gate: { fail_on: 'low' } }] }, changed: { overrides: [{ paths: ['infra/**'], gate: { fail_on: 'low' } }] } },
    'overrides[].gate.fail_on': { base: { overrides: [override] }, changed: { overrides: [{ ...override, gate: { fail_on: 'low' } }] } },
    'overrides[].gate.min_score': { base: { overrides: [override] }, changed: { overrides: [{ ...override, gate: { min_score: 80 } }] } },
    'overrides[].gate.only_new': { base: { overrides: [override] }, changed: { overrides: [{ ...override, gate: { only_new: false } }] } },
    'overrides[].gate.fail_on_unreviewed': { base: { overrides: [override] }, changed: { overrides: [{ ...override, gate: { fail_on_unreviewed: false } }] } },
    'environments[].environment': { base: { environments: [environment] }, changed: { environments: [{ ...environment, environment: 'test' }] } },
    'environments[].paths': { base: { environments: [environment] }, changed: { environments: [{ ...environment, paths: ['pipelines/**'] }] } },
    'environments[].names': { base: { environments: [environment] }, changed: { environments: [{ ...environment, names: ['churn'] }] } },
  };
}

describe('the review plan', () => {
  it('has a variation for every key of the configuration schema, and no other', () => {
    expect(Object.keys(variations()).sort()).toEqual(leaves(configSchema).sort());
  });

  it.each(Object.keys(variations()))('changes when %s changes', (key) => {
    const v = variations()[key]!;
    const before = observe(plan(v.base ?? {}));
    const after = observe(plan({ ...(v.base ?? {}), ...v.changed }));
    expect(after).not.toEqual(before);
  });

  it('keeps parse-error whatever rules.disable and pillars say', () => {
    const p = plan({ rules: { disable: ['parse-error'] }, pillars: { 'operational-excellence': { enabled: false } } });
    expect(p.rules.effective.map((r) => r.id)).toContain('parse-error');
    expect(p.rules.effective.some((r) => r.pillar === 'operational-excellence' && r.id !== 'parse-error')).toBe(false);
  });

  it('weighs a disabled pillar 0 and the others as configured', () => {
    const p = plan({ pillars: { security: { weight: 2 }, sustainability: { enabled: false } } });
    expect(p.weights.security).toBe(2);
    expect(p.weights.sustainability).toBe(0);
    expect(p.weights.reliability).toBe(1);
  });

  it('turns min_score into floors: the global one everywhere, an override only in its paths', () => {
    const p = plan({ gate: { min_score: 50 }, overrides: [{ paths: ['infra/prod/**'], gate: { min_score: 90 } }] });
    expect(p.gate.floors.map((f) => [f.min, f.test('infra/prod/main.tf'), f.test('infra/dev/main.tf')])).toEqual([
      [50, true, true],
      [90, true, false],
    ]);
  });

  it('reads context only for the kinds the repository rules look for', () => {
    expect([...plan({}).context.kinds].sort()).toEqual(['cloudformation', 'mct-model-card', 'model-card', 'sagemaker-model-card', 'terraform']);
    const repositoryRules = catalogue.rules.filter((r) => r.match.some((m) => m.kind === 'repository')).map((r) => r.id);
    expect([...plan({ rules: { disable: repositoryRules } }).context.kinds]).toEqual([]);
  });

  it('is the same plan for the same input (pure)', () => {
    const config: Config = configSchema.parse({ overrides: [{ paths: ['a/**'], gate: { fail_on: 'low' } }] });
    expect(observe(planReview({ config, catalogue, today: TODAY }))).toEqual(observe(planReview({ config, catalogue, today: TODAY })));
  });
});
