/**
 * Report items: related rules on one target told as one, one rule on many targets of a file told
 * once. Pure.
 */
import { describe, expect, it } from 'vitest';
import { groupKey, ledBy, reportItems } from '../src/report-items.js';
import { finding } from './render/fixtures.js';

const bucket = (n: number, rule = 's3-bucket-versioning', over = {}) =>
  finding({ rule, address: `aws_s3_bucket.b${n}`, startLine: n * 10, endLine: n * 10 + 5, ...over });

describe('reportItems', () => {
  it('one rule on three targets of a file is one item, told by the first, keyed by rule and file', () => {
    const items = reportItems([bucket(1), bucket(2), bucket(3)]);
    expect(items).toHaveLength(1);
    expect(items[0]!.lead.address).toBe('aws_s3_bucket.b1');
    expect(items[0]!.targets.map((f) => f.address)).toEqual(['aws_s3_bucket.b2', 'aws_s3_bucket.b3']);
    expect(items[0]!.findings).toHaveLength(3);
    expect(items[0]!.key).toBe(groupKey('s3-bucket-versioning', 'infra/main.tf'));
  });

  it('two targets stay two items (below group_from), and group_from 2 joins them; 0 never groups', () => {
    expect(reportItems([bucket(1), bucket(2)]).map((i) => i.key)).toEqual([bucket(1).fingerprint, bucket(2).fingerprint]);
    expect(reportItems([bucket(1), bucket(2)], 2)).toHaveLength(1);
    expect(reportItems([bucket(1), bucket(2), bucket(3)], 0)).toHaveLength(3);
  });

  it('does not group across files, rules or statuses', () => {
    const other = (n: number) => bucket(n, 's3-bucket-versioning', { path: 'infra/other.tf' });
    const existing = (n: number) => bucket(n, 's3-bucket-versioning', { status: 'existing' });
    const items = reportItems([bucket(1), bucket(2), other(3), other(4), bucket(5, 's3-bucket-kms'), existing(6), existing(7)]);
    expect(items.map((i) => i.findings.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps report order: a group stands where its first finding stood', () => {
    const kms = bucket(9, 's3-bucket-kms');
    const items = reportItems([kms, bucket(1), bucket(2), bucket(3)]);
    expect(items.map((i) => i.lead.rule)).toEqual(['s3-bucket-kms', 's3-bucket-versioning']);
  });

  it('related rules on one target join the first of them; on another target or unrelated they do not', () => {
    const vpc = finding({ rule: 'sagemaker-model-vpc', address: 'aws_sagemaker_model.m', severity: 'medium', related: ['sagemaker-model-network-isolation'] });
    const iso = finding({ rule: 'sagemaker-model-network-isolation', address: 'aws_sagemaker_model.m', severity: 'medium' });
    const isoElsewhere = finding({ rule: 'sagemaker-model-network-isolation', address: 'aws_sagemaker_model.other' });
    const kms = finding({ rule: 'sagemaker-endpoint-kms', address: 'aws_sagemaker_model.m' });
    const items = reportItems([vpc, iso, isoElsewhere, kms]);
    expect(items.map((i) => [i.lead.rule, i.related.map((f) => f.rule)])).toEqual([
      ['sagemaker-model-vpc', ['sagemaker-model-network-isolation']],
      ['sagemaker-model-network-isolation', []],
      ['sagemaker-endpoint-kms', []],
    ]);
    expect(items[0]!.key).toBe(vpc.fingerprint);
  });

  it('the relation counts from either side', () => {
    const a = finding({ rule: 'a', address: 'x' });
    const b = finding({ rule: 'b', address: 'x', related: ['a'] });
    expect(reportItems([a, b])).toHaveLength(1);
  });

  it('ledBy tells the item by another target and keeps its key and findings', () => {
    const [item] = reportItems([bucket(1), bucket(2), bucket(3)]);
    const led = ledBy(item!, item!.targets[1]!);
    expect(led.lead.address).toBe('aws_s3_bucket.b3');
    expect(led.targets.map((f) => f.address)).toEqual(['aws_s3_bucket.b1', 'aws_s3_bucket.b2']);
    expect(led.key).toBe(item!.key);
    expect(led.findings).toBe(item!.findings);
  });
});
