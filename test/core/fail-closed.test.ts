/**
 * The gate never passes what it did not review: every changed file that looks like an artifact but
 * was not reviewed is listed with its reason and makes the check at least neutral; one whose path
 * claims a kind fails it (`gate.fail_on_unreviewed`). Also: stub model cards, claimed paths that
 * are not of their kind, control characters in names, UTF-16, bounded suggestions, caps on
 * findings, redaction, YAML duplicate keys in linear time, depth limits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, defaultConfig, type Config } from '../../src/config/schema.js';
import { classify } from '../../src/formats/index.js';
import type { ChangeSet, FileChange, Review } from '../../src/model.js';
import { renderJson } from '../../src/render/json.js';
import { renderSummary } from '../../src/render/markdown.js';
import { renderTerminal } from '../../src/render/terminal.js';
import { decodeText } from '../../src/sources/files.js';
import { changeSetOf, reviewer, type TestReviewOptions } from '../helpers/engine.js';

const cfg = (raw: unknown = {}): Config => configSchema.parse(raw);

const endpoint = (name: string) =>
  `resource "aws_sagemaker_endpoint_configuration" "${name}" {\n  production_variants {\n    variant_name = "a"\n    model_name = "m"\n    instance_type = "ml.m5.large"\n    initial_instance_count = 2\n  }\n}\n`;

const change = (files: FileChange[]): ChangeSet => changeSetOf(files);
const added = (path: string, head: string | null, skipped?: string): FileChange => ({ path, status: 'added', head, base: null, ...(skipped ? { skipped } : {}) });
const modified = (path: string, base: string, head: string): FileChange => ({ path, status: 'modified', base, head });

let review: (changeSet: ChangeSet, options?: TestReviewOptions) => Review;
beforeAll(async () => {
  review = await reviewer();
});

describe('files the source could not read', () => {
  it('a claimed path (a Terraform file padded past 1 MB, or with a NUL byte) fails the gate, with the reason', () => {
    const r = review(
      change([
        added('infra/padded.tf', null, 'larger than 1 MB (1.1 MB)'),
        added('infra/nul.tf', null, 'binary file'),
        added('infra/ok.tf', endpoint('ok')),
      ]),
      { config: cfg({ gate: { fail_on: 'critical' } }) },
    );
    expect(r.stats.notReviewed).toEqual([
      { path: 'infra/nul.tf', reason: 'binary file', claimedBy: 'terraform' },
      { path: 'infra/padded.tf', reason: 'larger than 1 MB (1.1 MB)', claimedBy: 'terraform' },
    ]);
    expect(r.gate.conclusion).toBe('failure');
    expect(r.gate.reasons).toContainEqual(expect.stringMatching(/^2 files whose path claims an artifact kind could not be reviewed \(gate\.fail_on_unreviewed\): infra\/nul\.tf \(binary file\); infra\/padded\.tf/));
  });

  it('gate.fail_on_unreviewed: false (globally or for a path) leaves it neutral, never a bare success', () => {
    const files = [added('infra/padded.tf', null, 'larger than 1 MB (1.1 MB)')];
    expect(review(change(files), { config: cfg({ gate: { fail_on_unreviewed: false } }) }).gate.conclusion).toBe('neutral');
    const overridden = cfg({ overrides: [{ paths: ['infra/**'], gate: { fail_on_unreviewed: false } }] });
    const r = review(change(files), { config: overridden });
    expect(r.gate).toEqual({ conclusion: 'neutral', reasons: ['1 file that looks like an artifact was not reviewed: infra/padded.tf (larger than 1 MB (1.1 MB))'] });
  });

  it('an artifact-looking path no kind claims (a large JSON) is neutral; a PNG is not listed at all', () => {
    const r = review(change([added('data/train.json', null, 'larger than 1 MB (40 MB)'), added('docs/arch.png', null, 'binary file')]));
    expect(r.stats.notReviewed).toEqual([{ path: 'data/train.json', reason: 'larger than 1 MB (40 MB)' }]);
    expect(r.gate.conclusion).toBe('neutral');
    expect(r.stats.files).toBe(2);
  });

  it('files GitHub could not even list (over its 3000-file cap) make the check neutral, never a bare success', () => {
    const cs = { ...change([added('notes.txt', 'hello')]), truncated: 120 };
    expect(review({ ...cs, truncated: 0 }).gate.conclusion).toBe('success');
    const r = review(cs);
    expect(r.gate).toEqual({ conclusion: 'neutral', reasons: ['120 changed files were not listed by GitHub (over its 3000-file cap) and not reviewed'] });
  });

  it('the list reaches every output: JSON stats.notReviewed, the summary, the terminal report', () => {
    const r = review(change([added('infra/nul.tf', null, 'binary file')]));
    const json = JSON.parse(renderJson(r)) as { stats: { notReviewed: unknown } };
    expect(json.stats.notReviewed).toEqual([{ path: 'infra/nul.tf', reason: 'binary file', claimedBy: 'terraform' }]);
    const summary = renderSummary(r, { failOn: 'high', minScore: 0 });
    expect(summary).toContain('#### Not reviewed (1 file)');
    expect(summary).toContain('- `infra/nul.tf` (a Terraform file by its path): binary file');
    const terminal = renderTerminal(r, { failOn: 'high', minScore: 0, color: false });
    expect(terminal).toContain('Not reviewed (1 file): no rule checked these');
    expect(terminal).toContain('infra/nul.tf (a Terraform file by its path)  binary file');
  });
});

describe('files that are read but cannot be reviewed as their kind', () => {
  it('a Terraform file that does not parse is a parse error and not reviewed, which fails the gate', () => {
    const r = review(change([added('infra/broken.tf', 'resource "aws_s3_bucket" "b" {\n')]));
    expect(r.findings.map((f) => f.rule)).toEqual(['parse-error']);
    expect(r.stats.notReviewed).toEqual([{ path: 'infra/broken.tf', reason: expect.stringMatching(/^does not parse \(line 1: /), claimedBy: 'terraform' }]);
    expect(r.gate.conclusion).toBe('failure');
  });

  it('a workflow path whose content is no workflow is not reviewed (claimed: failure); an empty one is nothing to review', () => {
    const r = review(change([added('.github/workflows/deploy.yml', 'name: deploy\nsteps: []\n'), added('.github/workflows/empty.yml', '\n')]));
    expect(r.stats.notReviewed).toEqual([
      { path: '.github/workflows/deploy.yml', reason: 'not readable as a GitHub workflow: no `on:` trigger', claimedBy: 'github-workflow' },
    ]);
    expect(r.gate.conclusion).toBe('failure');
  });

  it('a file that was a CloudFormation template on the base and is no longer recognised is listed (neutral)', () => {
    const base = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n';
    const head = 'Resourcez:\n  B:\n    Type: AWS::S3::Bucket\n';
    const r = review(change([modified('stack.yaml', base, head)]));
    expect(r.stats.notReviewed).toEqual([{ path: 'stack.yaml', reason: expect.stringMatching(/^no longer recognised as a CloudFormation template, as it was on the base side: /) }]);
    expect(r.gate.conclusion).toBe('neutral');
  });
});

describe('model cards cut down to a stub', () => {
  const card = [
    '---',
    'license: apache-2.0',
    '---',
    '# Churn model card',
    '',
    '## Intended uses',
    'Scoring churn risk.',
    '',
    '## Limitations',
    'Not for credit decisions.',
    '',
    '## Training data',
    'Tickets 2025.',
    '',
  ].join('\n');

  it('MODEL_CARD.md is a card however thin: the stub is told what it lacks', () => {
    expect(classify('MODEL_CARD.md', '# Model\n\nstub\n')).toHaveProperty('document.kind', 'model-card');
    const r = review(change([modified('MODEL_CARD.md', card, '# Model\n\nstub\n')]));
    const rules = new Set(r.findings.filter((f) => f.status === 'new').map((f) => f.rule));
    expect(rules).toContain('model-card-limitations');
    expect(rules).toContain('model-card-intended-use');
    expect(r.stats.notReviewed).toEqual([]);
  });

  it('a README that was a card on the base is still read as one on the head', () => {
    expect(classify('README.md', '# Churn\n\nSee the wiki.\n')).toMatchObject({ type: 'none' });
    const r = review(change([modified('README.md', card, '# Churn\n\nSee the wiki.\n')]));
    expect(r.stats.byKind).toEqual({ 'model-card': 1 });
    expect(r.findings.some((f) => f.rule === 'model-card-limitations' && f.status === 'new')).toBe(true);
  });
});

describe('names with control characters', () => {
  it('are reviewed under their real path and shown escaped', () => {
    const path = 'infra/bad\nname\u202e.tf';
    const r = review(change([added(path, endpoint('x').replace('initial_instance_count = 2', 'initial_instance_count = 1'))]));
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.path === path)).toBe(true);
    const terminal = renderTerminal(r, { failOn: 'high', minScore: 0, color: false });
    expect(terminal).toContain('infra/bad\\nname\\u202e.tf:');
    expect(terminal).not.toContain('\u202e');
    const summary = renderSummary(r, { failOn: 'high', minScore: 0 });
    expect(summary).toContain('infra/bad\\\\nname\\\\u202e.tf');
    expect(r.gate.reasons.join(' ')).toContain('infra/bad\\nname\\u202e.tf');
  });
});

describe('decoding', () => {
  it('reads UTF-16 with a byte order mark (both orders); refuses UTF-32 and NUL bytes with the reason', () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(le)).toEqual({ text });
    expect(decodeText(be)).toEqual({ text });
    expect(decodeText(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]))).toEqual({ skipped: 'UTF-32 text, which is not supported (save it as UTF-8)' });
    expect(decodeText(Buffer.from('a\0b'))).toEqual({ skipped: 'binary file' });
    expect(decodeText(Buffer.from('\ufeffa: 1\n'))).toEqual({ text: 'a: 1\n' });
  });
});

describe('suggested fixes', () => {
  const kmsMissing = (r: Review) => r.findings.find((f) => f.rule === 'sagemaker-endpoint-kms')!;

  it('are offered on a Terraform block and a YAML block mapping', () => {
    const tf = review(change([added('a.tf', endpoint('a'))]));
    expect(kmsMissing(tf).fix).toMatchObject({ startLine: 1, endLine: 1 });
    const yaml = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n      ProductionVariants: []\n';
    const cf = review(change([added('t.yaml', yaml)]));
    expect(kmsMissing(cf).fix).toMatchObject({ startLine: 5, replacement: expect.stringMatching(/^ {4}Properties:\n {6}KmsKeyId: /) });
  });

  it('are never offered on minified JSON, flow-style YAML or a one-line block', () => {
    const json = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { C: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [] } } } });
    const flow = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties: { ProductionVariants: [] }\n';
    const oneLine = 'resource "aws_sagemaker_endpoint_configuration" "a" { production_variants { instance_type = "ml.m5.large" } }\n';
    for (const [path, text] of [['t.json', json], ['t.yaml', flow], ['a.tf', oneLine]] as const) {
      const f = kmsMissing(review(change([added(path, text)])));
      expect(f, path).toBeDefined();
      expect(f.fix, path).toBeUndefined();
    }
  });
});

describe('caps on findings', () => {
  /** A minified template: thousands of failing resources on one line. */
  function minified(n: number): string {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) resources[`C${i}`] = { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [] } };
    return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources });
  }

  it('fold what is over limits.max_findings_per_file, most severe first, and say how many; the gate sees them all', () => {
    // cdk.out/ is left out by default (src/generated.ts): named in paths.include, it is reviewed.
    const r = review(change([added('cdk.out/Stack.template.json', minified(1500)), added('a.tf', endpoint('a'))]), { config: cfg({ paths: { include: ['**', 'cdk.out/**'] } }) });
    const inFile = r.findings.filter((f) => f.path === 'cdk.out/Stack.template.json');
    expect(inFile).toHaveLength(200);
    expect(inFile.every((f) => f.severity === 'high')).toBe(true);
    expect(inFile.every((f) => f.fix === undefined)).toBe(true);
    expect(r.stats.folded.total).toBeGreaterThan(1500);
    expect(r.stats.folded.byPath).toEqual([{ path: 'cdk.out/Stack.template.json', count: r.stats.folded.total }]);
    expect(r.findings.some((f) => f.path === 'a.tf')).toBe(true);
    expect(r.gate.reasons[0]).toMatch(/^\d{4,} new findings at or above/);
    expect(renderSummary(r, { failOn: 'high', minScore: 0 })).toContain(`> ${r.stats.folded.total} more findings are not listed, to keep the report usable`);
  });

  it('limits are configurable, per file and per review', () => {
    const r = review(change([added('x.template.json', minified(30)), added('y.template.json', minified(30))]), { config: cfg({ limits: { max_findings_per_file: 5, max_findings: 7 } }) });
    expect(r.findings).toHaveLength(7);
    expect(r.stats.folded.total).toBeGreaterThan(0);
  });
});

describe('credentials in files', () => {
  it('are redacted in findings and parse errors, whatever the output', () => {
    const token = 'glpat-Xz3kR8vQ2mN7pL4wT9yB';
    const hf = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
    const workflow = `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      GITLAB_TOKEN: ${token}\n    steps:\n      - run: echo hi\n`;
    const broken = `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B: [${hf}\n`;
    const r = review(change([added('.github/workflows/deploy.yml', workflow), added('stack.yaml', broken)]));
    const all = renderJson(r) + renderSummary(r, { failOn: 'high', minScore: 0 }) + renderTerminal(r, { failOn: 'high', minScore: 0, color: false });
    expect(all).not.toContain(token);
    expect(all).not.toContain(hf);
  });
});

describe('YAML', () => {
  it('finds duplicate keys, as the yaml package tells keys apart, in linear time', () => {
    // Read as CloudFormation reads it, the last value winning, and noted for a finding on the line.
    expect(classify('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\nResources: {}\n')).toMatchObject({ type: 'document', document: { meta: { parseNotes: [{ note: 'duplicate-key', line: 3 }] } } });
    // `1` and "1" are different keys; a merge key may be overridden.
    expect(classify('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\nMetadata:\n  1: a\n  "1": b\n')).toMatchObject({ type: 'document' });
    expect(classify('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nx: &a { k: 1 }\nResources:\n  <<: *a\n  k: 2\n')).toMatchObject({ type: 'document' });
  });

  it('a key set twice is a low finding on its line and the file is reviewed; a broken document of a stream is a parse error and the others are reviewed', () => {
    const isvc = (extra: string) => `apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    minReplicas: 2\n${extra}`;
    const r = review(change([added('deploy/churn.yaml', isvc('    minReplicas: 0\n'))]));
    expect(r.findings.filter((f) => f.rule === 'duplicate-key').map((f) => [f.severity, f.startLine, f.message])).toEqual([
      ['low', 8, 'deploy/churn.yaml sets a key twice in one mapping: the key `minReplicas` is set again (first on line 7); the last value is used.'],
    ]);
    // Read with the last value: the predictor may scale to zero.
    expect(r.findings.map((f) => f.rule)).toContain('kserve-predictor-min-replicas');
    const stream = review(change([added('deploy/churn.yaml', `${isvc('')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   labels: {}\n`)]));
    expect(stream.findings.filter((f) => f.rule === 'parse-error').map((f) => f.startLine)).toEqual([12]);
    expect(stream.stats.byKind).toEqual({ kubernetes: 1 });
  });

  it('nested past the limit is a parse error naming it, not a stack overflow (YAML and Terraform)', () => {
    const deepYaml = `AWSTemplateFormatVersion: "2010-09-09"\nResources: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(classify('t.yaml', deepYaml)).toMatchObject({ error: { message: 'YAML nested more than 256 levels deep (the limit of this reviewer)' } });
    const deepTf = `locals {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n`;
    expect(classify('main.tf', deepTf)).toMatchObject({ error: { line: 2, message: 'nested more than 256 levels deep (the limit of this reviewer)' } });
    expect(classify('main.tf', `locals {\n  x = ${'['.repeat(100)}${']'.repeat(100)}\n}\n`)).toMatchObject({ type: 'document' });
  });
});

describe('test data, vendored and generated files', () => {
  const template = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n';
  it('are left out by default, listed with the reason, and do not make the gate neutral', () => {
    const r = review(
      change([
        added('tests/test_data/bad-bucket.yaml', template),
        added('infra/generated.yaml', `# Code generated by stackgen. DO NOT EDIT.\n${template}`),
        added('app/util.py', 'def f():\n    return 1\n'),
      ]),
    );
    expect(r.findings).toEqual([]);
    expect(r.stats.notReviewed).toEqual([
      { path: 'infra/generated.yaml', reason: 'left out by default: a generated file ("Code generated by" in its first lines); name it in paths.include to review it', excluded: true },
      { path: 'tests/test_data/bad-bucket.yaml', reason: 'left out by default: in a test_data/ folder (test data); name it in paths.include to review it', excluded: true },
    ]);
    expect(r.gate.conclusion).toBe('success');
  });

  it('come back when paths.include names them', () => {
    const config = defaultConfig();
    config.paths.include = ['**', 'tests/test_data/**'];
    const r = review(change([added('tests/test_data/bad-bucket.yaml', template)]), { config });
    expect(r.stats.notReviewed).toEqual([]);
    expect(r.findings.length).toBeGreaterThan(0);
  });
});
