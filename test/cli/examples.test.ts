/**
 * The example repository of the demo: examples/before on main, examples/after on a branch, reviewed
 * as the pull request would be. The "after" state is the risky change the README describes.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '../sources/git-helpers.js';
import { runCli } from './run.js';

const EXAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'examples');

interface Report {
  gate: { conclusion: string };
  scores: Record<string, { head: number | null; base: number | null }>;
  findings: { rule: string; path: string; status: string; extra?: { suppression?: { reason: string; until?: string } } }[];
  extra: { skipped: unknown[]; suppressionProblems: unknown[]; meta: { source: string } };
}

describe('examples: the risky change', () => {
  let repo: TempRepo;
  let report: Report;
  let code: number;

  beforeAll(async () => {
    repo = tempRepo();
    repo.copyTree(join(EXAMPLES, 'before'));
    repo.commit('before');
    repo.git('checkout', '-q', '-b', 'cost-cuts');
    repo.copyTree(join(EXAMPLES, 'after'));
    repo.commit('after');
    const r = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'json']);
    expect(r.stderr).toBe('');
    code = r.code;
    report = JSON.parse(r.stdout) as Report;
  });
  afterAll(() => repo.cleanup());

  it('fails the gate', () => {
    expect(code).toBe(1);
    expect(report.gate.conclusion).toBe('failure');
  });

  it('finds each risk the change introduces, as new', () => {
    const newFindings = report.findings.filter((f) => f.status === 'new').map((f) => `${f.rule} ${f.path}`);
    expect(newFindings).toEqual(
      expect.arrayContaining([
        'sagemaker-endpoint-kms infra/sagemaker.tf',
        'sagemaker-endpoint-data-capture infra/sagemaker.tf',
        'sagemaker-training-max-runtime pipelines/training-pipeline.json',
        'sagemaker-pipeline-approval-not-hardcoded pipelines/training-pipeline.json',
        'github-workflow-static-aws-keys .github/workflows/deploy.yml',
        'model-card-limitations model/README.md',
        // Written in code: the SageMaker SDK estimator loses its KMS keys and isolation, the notebook's deploy() its KMS key.
        'sagemaker-pipeline-job-kms pipelines/pipeline.py',
        'sagemaker-pipeline-job-network-isolation pipelines/pipeline.py',
        'sagemaker-endpoint-kms notebooks/deploy.ipynb',
      ]),
    );
  });

  it('honours the inline suppression, with its reason and expiry', () => {
    const suppressed = report.findings.filter((f) => f.status === 'suppressed');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ rule: 'sagemaker-endpoint-multi-instance', path: 'infra/sagemaker.tf' });
    expect(suppressed[0]!.extra?.suppression?.until).toBe('2027-06-30');
    expect(report.extra.suppressionProblems).toEqual([]);
  });

  it('reports nothing new for the renamed, unchanged file', () => {
    expect(report.findings.filter((f) => f.path === 'infra/security-groups.tf' && f.status === 'new')).toEqual([]);
  });

  it('shows the scores falling from the base', () => {
    expect(report.scores.security!.base).toBe(100);
    expect(report.scores.security!.head).toBeLessThan(100);
    expect(report.extra.meta.source).toBe('git');
  });
});
