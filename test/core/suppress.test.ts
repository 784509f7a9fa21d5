import { describe, expect, it } from 'vitest';
import { compileIgnores, inlineFor, isValidDate, scanInline } from '../../src/suppress.js';

const known = new Set(['sagemaker-endpoint-kms', 'notebook-root-access']);
const today = '2026-11-28';

describe('inline suppressions', () => {
  it('reads rule, reason and expiry from a comment of the file kind', () => {
    const text = [
      'resource "aws_sagemaker_endpoint_configuration" "ec" { # ml-lens:ignore sagemaker-endpoint-kms dev only until=2027-01-31',
      '  name = "x"',
      '}',
      '// ml-lens:ignore notebook-root-access needed for GPU drivers',
    ].join('\n');
    const scan = scanInline('terraform', 'main.tf', text, known, today);
    expect(scan.problems).toEqual([]);
    expect(scan.suppressions).toEqual([
      { line: 1, rule: 'sagemaker-endpoint-kms', reason: 'dev only', until: '2027-01-31' },
      { line: 4, rule: 'notebook-root-access', reason: 'needed for GPU drivers' },
    ]);
  });

  it('reports a missing reason, an unknown rule, a bad date and an expired entry instead of applying them', () => {
    const text = [
      '# ml-lens:ignore sagemaker-endpoint-kms',
      '# ml-lens:ignore no-such-rule because',
      '# ml-lens:ignore sagemaker-endpoint-kms why until=2027-02-30',
      '# ml-lens:ignore sagemaker-endpoint-kms old reason until=2026-01-01',
      '# ml-lens:ignore',
    ].join('\n');
    const scan = scanInline('cloudformation', 't.yaml', text, known, today);
    expect(scan.suppressions).toEqual([]);
    expect(scan.problems.map((p) => [p.line, p.problem])).toEqual([
      [1, 'no-reason'],
      [2, 'unknown-rule'],
      [3, 'bad-date'],
      [4, 'expired'],
      [5, 'unknown-rule'],
    ]);
    expect(scan.problems[3]!.message).toContain('expired on 2026-01-01');
  });

  it('ignores the marker outside a comment, and in kinds without comments', () => {
    const yaml = 'Description: "ml-lens:ignore sagemaker-endpoint-kms text in a value"\n';
    expect(scanInline('cloudformation', 't.yaml', yaml, known, today).suppressions).toEqual([]);
    const md = '<!-- ml-lens:ignore sagemaker-endpoint-kms card reviewed by legal -->\n';
    expect(scanInline('model-card', 'README.md', md, known, today).suppressions).toEqual([
      { line: 1, rule: 'sagemaker-endpoint-kms', reason: 'card reviewed by legal' },
    ]);
    expect(scanInline('sagemaker-pipeline', 'p.json', '{"a": "# ml-lens:ignore sagemaker-endpoint-kms x"}', known, today).suppressions).toEqual([]);
  });

  it('covers the line above the anchor, the anchor and the target block', () => {
    const s = [{ line: 9, rule: 'r', reason: 'x' }];
    expect(inlineFor(s, 'r', { startLine: 10, endLine: 10 })).toMatchObject({ source: 'inline', line: 9 });
    expect(inlineFor(s, 'r', { startLine: 12, endLine: 12 })).toBeUndefined();
    expect(inlineFor(s, 'r', { startLine: 12, endLine: 12 }, { startLine: 8, endLine: 20 })).toBeDefined();
    expect(inlineFor(s, 'other', { startLine: 10, endLine: 10 })).toBeUndefined();
  });
});

describe('config ignores', () => {
  it('match by rule and glob, and report expired entries', () => {
    const ig = compileIgnores(
      [
        { rule: 'sagemaker-endpoint-kms', paths: ['infra/dev/**'], reason: 'dev only', until: '2027-01-31' },
        { rule: '*', paths: ['legacy/**'], reason: 'frozen' },
        { rule: 'notebook-root-access', paths: ['**'], reason: 'old', until: '2025-01-01' },
      ],
      today,
    );
    expect(ig.match('sagemaker-endpoint-kms', 'infra/dev/main.tf')).toMatchObject({ source: 'config', reason: 'dev only' });
    expect(ig.match('sagemaker-endpoint-kms', 'infra/prod/main.tf')).toBeUndefined();
    expect(ig.match('anything', 'legacy/a.tf')).toMatchObject({ reason: 'frozen' });
    expect(ig.match('notebook-root-access', 'x.tf')).toBeUndefined();
    expect(ig.problems).toHaveLength(1);
    expect(ig.problems[0]).toMatchObject({ problem: 'expired', rule: 'notebook-root-access' });
  });

  it('validates dates strictly', () => {
    expect(isValidDate('2027-01-31')).toBe(true);
    expect(isValidDate('2027-02-30')).toBe(false);
    expect(isValidDate('27-1-1')).toBe(false);
  });
});
