/**
 * A stack of many buckets missing the same settings, through the real engine and renderers: the
 * gate and the full report count every finding, the summary and the inline review tell each rule
 * once per file.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { planInline } from '../src/publish/github/inline-plan.js';
import { renderMarkdownReport, renderSummary } from '../src/render/markdown.js';
import { reportItems } from '../src/report-items.js';
import { changeSetOf, reviewer } from './helpers/engine.js';

const N = 30;
const tf = [
  'resource "aws_sagemaker_model" "churn" {\n  name               = "churn"\n  execution_role_arn = "arn:aws:iam::111122223333:role/churn"\n  enable_network_isolation = true\n}\n',
  ...Array.from({ length: N }, (_, i) => `resource "aws_s3_bucket" "data_${i}" {\n  bucket = "acme-training-data-${i}"\n}\n`),
].join('\n');
const patch = ['@@ -0,0 +1,' + tf.split('\n').length + ' @@', ...tf.split('\n').map((l) => '+' + l)].join('\n');
const review = await reviewer();

describe('one rule on many targets of a file', () => {
  const r = review(changeSetOf([{ path: 'infra/buckets.tf', status: 'added', head: tf, base: null, patch }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'] }));
  const perBucket = r.findings.filter((f) => f.address === 'aws_s3_bucket.data_0').map((f) => f.rule);
  const rules = new Set(r.findings.map((f) => f.rule));

  it('every bucket has its findings: the gate and the full report count them all', () => {
    expect(perBucket.length).toBeGreaterThan(1);
    for (const rule of perBucket) expect(r.findings.filter((f) => f.rule === rule)).toHaveLength(N);
    const report = renderMarkdownReport(r, { failOn: 'high', minScore: 0 });
    expect(report.split('aws_s3_bucket.data_29').length - 1).toBeGreaterThanOrEqual(perBucket.length);
  });

  it('the summary has one line a rule, naming the count of further targets', () => {
    const summary = renderSummary(r, { failOn: 'high', minScore: 0 });
    const lines = summary.split('\n').filter((l) => l.startsWith('- ') && l.includes('aws_s3_bucket.data_0'));
    expect(lines).toHaveLength(perBucket.length);
    for (const l of lines) expect(l).toContain(`and ${N - 1} more targets`);
    expect(summary).toContain(`${r.findings.length} new findings`);
  });

  it('group_from 0 lists every finding (up to the cap)', () => {
    const summary = renderSummary(r, { failOn: 'high', minScore: 0, groupFrom: 0, maxFindings: 1000 });
    const lines = summary.split('\n').filter((l) => l.startsWith('- ') && l.includes('<br>'));
    // Related rules on one target are still told together.
    expect(lines).toHaveLength(reportItems(r.findings, 0).length);
    expect(lines.filter((l) => l.includes('aws_s3_bucket.data_'))).toHaveLength(N * perBucket.length);
  });

  it('the inline review posts one comment a rule', () => {
    const settings = configSchema.parse({});
    const plan = planInline({ review: r, settings, pullNumber: 1, headSha: 'h', patches: new Map([['infra/buckets.tf', patch]]) }, new Set());
    expect(plan.comments.filter((c) => c.finding.address.startsWith('aws_s3_bucket.'))).toHaveLength(perBucket.length);
    expect(plan.comments).toHaveLength(rules.size);
    expect(plan.comments.reduce((n, c) => n + c.findings.length, 0)).toBe(r.findings.length);
    expect(plan.folded).toEqual([]);
  });
});
