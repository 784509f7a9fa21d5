/**
 * Fixed findings: what the base had and the head does not is reported as fixed, never counted by
 * the gate, and a finding that only moved (a renamed file) is not fixed.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/fingerprint.js';
import { renderJson } from '../../src/render/json.js';
import { renderSummary } from '../../src/render/markdown.js';
import { renderTerminal } from '../../src/render/terminal.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

const review = await reviewer();
const TREE = { tree: ['CODEOWNERS', 'docs/ml-profile.md'] };

const endpoint = (kms: boolean) => `resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn"
${kms ? '  kms_key_arn = aws_kms_key.ml.arn\n' : ''}  production_variants {
    variant_name           = "main"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
}
`;

describe('fixed findings', () => {
  it('a KMS key added: the base finding is fixed, the gate does not count it, every output says so', () => {
    const r = review(changeSetOf([{ path: 'infra/endpoint.tf', status: 'modified', head: endpoint(true), base: endpoint(false) }], TREE));
    expect(r.findings.map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
    expect(r.fixed?.map((f) => [f.rule, f.path, f.address, f.status])).toEqual([['sagemaker-endpoint-kms', 'infra/endpoint.tf', 'aws_sagemaker_endpoint_configuration.churn', 'fixed']]);
    const summary = renderSummary(r, { failOn: 'high', minScore: 0 });
    expect(summary).toContain('#### Fixed (1)');
    expect(summary).toMatch(/· 1 fixed/);
    expect(summary).toMatch(/\| Security \| \d+ \| \d+ \| \+\d+ \(1 fixed\) \|/);
    expect(JSON.parse(renderJson(r)).findings.filter((f: { status: string }) => f.status === 'fixed')).toHaveLength(1);
    expect(renderTerminal(r, { color: false })).toContain('Fixed (1 finding of the base this change removed)');
  });

  it('a whole stack deleted: each of its findings is fixed', () => {
    const r = review(changeSetOf([{ path: 'infra/endpoint.tf', status: 'removed', head: null, base: endpoint(false) }], TREE));
    expect(r.findings).toEqual([]);
    expect(r.fixed!.map((f) => f.rule)).toContain('sagemaker-endpoint-kms');
    expect(r.fixed!.every((f) => f.path === 'infra/endpoint.tf')).toBe(true);
  });

  it('a renamed file with the same finding: it is existing, not fixed and new', () => {
    const r = review(changeSetOf([{ path: 'infra/serving.tf', previousPath: 'infra/endpoint.tf', status: 'renamed', head: endpoint(false), base: endpoint(false) }], TREE));
    const kms = r.findings.find((f) => f.rule === 'sagemaker-endpoint-kms')!;
    expect(kms.status).toBe('existing');
    expect(r.fixed ?? []).toEqual([]);
    // Its identity before the move, for the issues and comments made under it.
    expect(kms.previousFingerprint).toBe(fingerprint('sagemaker-endpoint-kms', 'infra/endpoint.tf', 'aws_sagemaker_endpoint_configuration.churn'));
    expect(kms.fingerprint).toBe(fingerprint('sagemaker-endpoint-kms', 'infra/serving.tf', 'aws_sagemaker_endpoint_configuration.churn'));
  });

  it('nothing removed: no fixed list at all, and no previous fingerprint where nothing moved', () => {
    const r = review(changeSetOf([{ path: 'infra/endpoint.tf', status: 'added', head: endpoint(false), base: null }], TREE));
    expect(r.fixed).toBeUndefined();
    expect(r.findings.some((f) => f.previousFingerprint !== undefined)).toBe(false);
  });
});

describe('fixed findings and unread heads', () => {
  it('a head that does not parse fixed nothing: its base findings are not listed as fixed', () => {
    const broken = 'resource "aws_sagemaker_endpoint_configuration" "churn" {\n  name = \n';
    const r = review(changeSetOf([{ path: 'infra/endpoint.tf', status: 'modified', head: broken, base: endpoint(false) }], TREE));
    expect(r.findings.map((f) => f.rule)).toContain('parse-error');
    expect(r.fixed).toBeUndefined();
  });
});
