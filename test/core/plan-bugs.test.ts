/**
 * Four bugs of review policy with no single owner, each reproduced end to end (they failed before
 * the review plan, src/plan.ts, and the two-tree ChangeSet):
 *
 * 1. `rules.disable: [parse-error]` dropped parse errors, so a broken file passed the gate;
 * 2. `overrides[].gate.min_score` and `pillars.<pillar>.weight` had no effect;
 * 3. an unchanged CloudFormation `*.template` was never read as context, yet the context was
 *    reported complete, so a repository rule reported a (false) failure;
 * 4. repository rules on the base side were evaluated against the head tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine.js';
import { gitChangeSet } from '../../src/sources/git.js';
import { changeSetOf, reviewer, TODAY } from '../helpers/engine.js';

const engine = await createEngine();
const review = await reviewer();

const ENDPOINT = `resource "aws_sagemaker_endpoint" "churn" {
  name                 = "churn"
  endpoint_config_name = "churn-config"
}
`;

describe('rules.disable cannot drop parse errors', () => {
  it('reports a file that does not parse and fails the gate, even with parse-error disabled', () => {
    const config = configSchema.parse({ rules: { disable: ['parse-error'] }, gate: { fail_on: 'medium' } });
    const r = review(changeSetOf([{ path: 'infra/main.tf', status: 'added', base: null, head: 'resource "aws_s3_bucket" "b" {\n' }]), { config });
    expect(r.findings.map((f) => f.rule)).toContain('parse-error');
    expect(r.gate.conclusion).toBe('failure');
  });
});

describe('score keys act', () => {
  const serving = `resource "aws_sagemaker_endpoint_configuration" "c" {
  name = "c"
  production_variants {
    variant_name           = "a"
    model_name             = "m"
    instance_type          = "ml.m5.large"
    initial_instance_count = 1
  }
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
}
`;
  const files = [
    { path: 'infra/prod/ml.tf', status: 'added' as const, base: null, head: serving },
    { path: 'infra/dev/data.tf', status: 'added' as const, base: null, head: 'resource "aws_budgets_budget" "b" {\n  budget_type = "COST"\n}\n' },
  ];

  it('overrides[].gate.min_score fails the gate on the scores of its paths only', () => {
    const lenient = review(changeSetOf(files), { config: configSchema.parse({ gate: { fail_on: 'critical' } }) });
    expect(lenient.gate.conclusion).not.toBe('failure');
    const strict = review(changeSetOf(files), {
      config: configSchema.parse({ gate: { fail_on: 'critical' }, overrides: [{ paths: ['infra/prod/**'], gate: { min_score: 100 } }] }),
    });
    expect(strict.gate.conclusion).toBe('failure');
    expect(strict.gate.reasons.join('\n')).toMatch(/scores \d+ in infra\/prod\/\*\*, below the minimum of 100/);
    const elsewhere = review(changeSetOf(files), {
      config: configSchema.parse({ gate: { fail_on: 'critical' }, overrides: [{ paths: ['models/**'], gate: { min_score: 100 } }] }),
    });
    expect(elsewhere.gate.conclusion).not.toBe('failure');
  });

  it('pillars.<pillar>.weight weighs the overall score', () => {
    const even = review(changeSetOf(files));
    const assessed = Object.entries(even.scores).filter(([, s]) => s.head !== null);
    expect(new Set(assessed.map(([, s]) => s.head)).size).toBeGreaterThan(1);
    const [lowest] = assessed.sort(([, a], [, b]) => a.head! - b.head!)[0]!;
    const heavy = review(changeSetOf(files), { config: configSchema.parse({ pillars: { [lowest]: { weight: 10 } } }) });
    expect(even.overall.head).not.toBeNull();
    expect(heavy.overall.head!).toBeLessThan(even.overall.head!);
    const without = review(changeSetOf(files), { config: configSchema.parse({ pillars: { [lowest]: { weight: 0 } } }) });
    expect(without.overall.head!).toBeGreaterThan(even.overall.head!);
  });
});

describe('context and trees from a real clone', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  function repo(files: Record<string, string>): { dir: string; commit(message: string, change: Record<string, string | null>): void } {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-plan-'));
    dirs.push(dir);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    const write = (change: Record<string, string | null>) => {
      for (const [path, text] of Object.entries(change)) {
        const abs = join(dir, path);
        if (text === null) unlinkSync(abs);
        else {
          mkdirSync(dirname(abs), { recursive: true });
          writeFileSync(abs, text);
        }
      }
    };
    write(files);
    git('add', '-A');
    git('commit', '-q', '-m', 'base');
    git('checkout', '-q', '-b', 'change');
    return {
      dir,
      commit(message, change) {
        write(change);
        git('add', '-A');
        git('commit', '-q', '-m', message);
      },
    };
  }

  async function reviewBranch(dir: string) {
    const plan = engine.plan({ config: configSchema.parse({}), catalogue: engine.catalogue(), today: TODAY });
    const changeSet = await gitChangeSet(dir, { plan, base: 'main', head: 'change' });
    return { changeSet, review: engine.review(changeSet, plan) };
  }

  it('reads an unchanged CloudFormation *.template as context: its budget counts', async () => {
    const r = repo({
      'CODEOWNERS': '* @acme/ml\n',
      'infra/budget.template': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Budget:\n    Type: AWS::Budgets::Budget\n    Properties:\n      Budget:\n        BudgetType: COST\n        TimeUnit: MONTHLY\n',
    });
    r.commit('endpoint', { 'infra/endpoint.tf': ENDPOINT });
    const { changeSet, review: result } = await reviewBranch(r.dir);
    expect(changeSet.context.files.map((f) => f.path)).toEqual(['infra/budget.template']);
    expect(changeSet.context.complete).toBe(true);
    expect(result.findings.map((f) => f.rule)).not.toContain('budgets-sagemaker-budget');
  });

  it('a change that deletes CODEOWNERS gets the missing-owners finding as new', async () => {
    const r = repo({ CODEOWNERS: '* @acme/ml\n', 'infra/main.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n' });
    r.commit('drop owners', { CODEOWNERS: null, 'infra/main.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "b2"\n}\n' });
    const { changeSet, review: result } = await reviewBranch(r.dir);
    expect(changeSet.trees.base).toContain('CODEOWNERS');
    expect(changeSet.trees.head).not.toContain('CODEOWNERS');
    expect(result.findings.find((f) => f.rule === 'repository-codeowners')?.status).toBe('new');
  });

  it('a change that only adds files gets a repository-wide finding the base had as existing', async () => {
    const r = repo({ 'infra/main.tf': 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n' });
    r.commit('add a bucket', { 'infra/extra.tf': 'resource "aws_s3_bucket" "c" {\n  bucket = "c"\n}\n' });
    const { review: result } = await reviewBranch(r.dir);
    expect(result.findings.find((f) => f.rule === 'repository-codeowners')?.status).toBe('existing');
  });
});
