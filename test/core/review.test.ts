/**
 * The pure pipeline end to end: classification, evaluation, fingerprints across moved lines and
 * renames, suppressions, config ignores, parse errors, scores and the gate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { Catalogue, ChangeSet, FileChange, Review } from '../../src/model.js';
import { pipelineRules, parseRuleFile } from '../../src/rules/loader.js';
import { changeSetOf, reviewer, type TestReviewOptions } from '../helpers/engine.js';

const RULES = `
- id: test-notebook-kms
  title: Notebook volumes are encrypted with a customer-managed key
  practices: [MLSEC02-BP01]
  pillar: security
  phase: model-development
  severity: high
  match:
    - kind: cloudformation
      resource: AWS::SageMaker::NotebookInstance
      require: { present: Properties.KmsKeyId }
  message: "{{address}} has no KMS key"
  remediation: Set KmsKeyId.
  examples:
    pass:
      - path: t.yaml
        content: |
          AWSTemplateFormatVersion: "2010-09-09"
          Resources:
            Nb:
              Type: AWS::SageMaker::NotebookInstance
              Properties: { InstanceType: ml.t3.medium, RoleArn: r, KmsKeyId: k }
    fail:
      - path: t.yaml
        content: |
          AWSTemplateFormatVersion: "2010-09-09"
          Resources:
            Nb:
              Type: AWS::SageMaker::NotebookInstance
              Properties: { InstanceType: ml.t3.medium, RoleArn: r }
- id: test-notebook-old-generation
  title: Notebook uses a current instance generation
  practices: [MLSUS05-BP02]
  pillar: sustainability
  phase: model-development
  severity: low
  match:
    - kind: cloudformation
      resource: AWS::SageMaker::NotebookInstance
      require: { not: { matches: { path: Properties.InstanceType, pattern: "^ml\\\\.(t2|m4)\\\\." } } }
  message: "{{address}} uses {{actual}}"
  remediation: Use a current generation.
  examples:
    pass:
      - path: t.yaml
        content: |
          AWSTemplateFormatVersion: "2010-09-09"
          Resources:
            Nb:
              Type: AWS::SageMaker::NotebookInstance
              Properties: { InstanceType: ml.t3.medium, RoleArn: r }
    fail:
      - path: t.yaml
        content: |
          AWSTemplateFormatVersion: "2010-09-09"
          Resources:
            Nb:
              Type: AWS::SageMaker::NotebookInstance
              Properties: { InstanceType: ml.t2.medium, RoleArn: r }
`;

let catalogue: Catalogue;
let review: (changeSet: ChangeSet, options?: TestReviewOptions) => Review;
beforeAll(async () => {
  review = await reviewer();
  const rules = [...pipelineRules(), ...parseRuleFile('test-rules.yaml', RULES)];
  catalogue = { rules, byId: new Map(rules.map((r) => [r.id, r])) };
});

function notebook(name: string, props: string, pad = 0): string {
  return [
    'AWSTemplateFormatVersion: "2010-09-09"',
    ...Array(pad).fill('# padding'),
    'Resources:',
    `  ${name}:`,
    '    Type: AWS::SageMaker::NotebookInstance',
    '    Properties:',
    ...props.split('\n').map((l) => `      ${l}`),
    '',
  ].join('\n');
}

function change(files: FileChange[], tree?: string[]): ChangeSet {
  return changeSetOf(files, { meta: { source: 'dir' }, ...(tree ? { tree } : {}) });
}

const cfg = (): Config => defaultConfig();

/** The test catalogue plus a repository-wide rule: the repository has a CODEOWNERS file. */
function withCodeowners(): Catalogue {
  const repoRule = parseRuleFile(
    'repo.yaml',
    `
- id: test-repo-codeowners
  title: ML paths have code owners
  practices: [MLOPS02-BP01]
  pillar: operational-excellence
  phase: business-goal
  severity: low
  match:
    - kind: repository
      require: { tree_has: ["CODEOWNERS", ".github/CODEOWNERS"] }
  message: "The repository has no CODEOWNERS."
  remediation: Add one.
  examples:
    pass: [{ path: t.yaml, content: "AWSTemplateFormatVersion: '2010-09-09'\\nResources: {}\\n" }]
    fail: [{ path: t.yaml, content: "AWSTemplateFormatVersion: '2010-09-09'\\nResources: {}\\n" }]
`,
  );
  return { rules: [...catalogue.rules, ...repoRule], byId: new Map() };
}

describe('review', () => {
  it('marks a failure present on the base as existing, even when its lines moved', () => {
    const base = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r');
    const head = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r', 5);
    const r = review(change([{ path: 'infra/nb.yaml', status: 'modified', base, head }]), { catalogue });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      rule: 'test-notebook-kms',
      status: 'existing',
      address: 'Nb',
      startLine: 8,
      path: 'infra/nb.yaml',
    });
    expect(r.gate.conclusion).toBe('success');
  });

  it('marks a failure introduced by the change as new and fails the gate', () => {
    const base = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r\nKmsKeyId: k');
    const head = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r');
    const r = review(change([{ path: 'nb.yaml', status: 'modified', base, head }]), { catalogue });
    expect(r.findings.map((f) => [f.rule, f.status])).toEqual([['test-notebook-kms', 'new']]);
    expect(r.findings[0]!.message).toBe('Nb has no KMS key');
    expect(r.gate.conclusion).toBe('failure');
    expect(r.scores.security).toEqual({ head: 0, base: 100, delta: -100 });
    expect(r.scores.sustainability).toEqual({ head: 100, base: 100, delta: 0 });
    expect(r.scores.reliability.head).toBeNull();
    expect(r.phases).toEqual(['model-development']);
  });

  it('keeps the identity of findings across a rename', () => {
    const text = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r');
    const r = review(change([{ path: 'infra/new.yaml', previousPath: 'infra/old.yaml', status: 'renamed', base: text, head: text }]), { catalogue });
    expect(r.findings.map((f) => f.status)).toEqual(['existing']);
  });

  it('gives the same fingerprint to the same finding in a scan and across line moves', () => {
    const a = review(change([{ path: 'nb.yaml', status: 'added', base: null, head: notebook('Nb', 'RoleArn: r') }]), { catalogue });
    const b = review(change([{ path: 'nb.yaml', status: 'added', base: null, head: notebook('Nb', 'RoleArn: r', 9) }]), { catalogue });
    expect(a.findings[0]!.fingerprint).toBe(b.findings[0]!.fingerprint);
    const c = review(change([{ path: 'nb.yaml', status: 'added', base: null, head: notebook('Other', 'RoleArn: r') }]), { catalogue });
    expect(c.findings[0]!.fingerprint).not.toBe(a.findings[0]!.fingerprint);
  });

  it('honours inline suppressions with a reason and reports expired ones', () => {
    const head = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Resources:',
      '  # ml-lens:ignore test-notebook-kms sandbox account, no data until=2027-03-01',
      '  Nb:',
      '    Type: AWS::SageMaker::NotebookInstance',
      '    Properties: { InstanceType: ml.t2.medium, RoleArn: r }',
      '  # ml-lens:ignore test-notebook-kms old waiver until=2026-01-01',
      '  Nb2:',
      '    Type: AWS::SageMaker::NotebookInstance',
      '    Properties: { InstanceType: ml.t3.medium, RoleArn: r }',
      '',
    ].join('\n');
    const r = review(change([{ path: 'nb.yaml', status: 'added', base: null, head }]), { catalogue });
    const byAddr = Object.fromEntries(r.findings.filter((f) => f.rule === 'test-notebook-kms').map((f) => [f.address, f]));
    expect(byAddr.Nb!.status).toBe('suppressed');
    expect(byAddr.Nb!.suppression).toMatchObject({ source: 'inline', reason: 'sandbox account, no data', until: '2027-03-01', line: 3 });
    expect(byAddr.Nb2!.status).toBe('new');
    expect(r.suppressionProblems).toEqual([expect.objectContaining({ problem: 'expired', line: 7, path: 'nb.yaml' })]);
    expect(r.stats.suppressed).toBe(1);
    // The suppressed failure weighs nothing; Nb2 still fails.
    expect(r.scores.security.head).toBe(0);
  });

  it('applies config ignores, disabled rules and severity overrides', () => {
    const head = notebook('Nb', 'InstanceType: ml.t2.medium\nRoleArn: r');
    const c = cfg();
    c.ignore = [{ rule: 'test-notebook-kms', paths: ['dev/**'], reason: 'dev only' }];
    c.rules.severity = { 'test-notebook-old-generation': 'critical' };
    const r = review(change([{ path: 'dev/nb.yaml', status: 'added', base: null, head }]), { catalogue, config: c });
    expect(r.findings.find((f) => f.rule === 'test-notebook-kms')!.status).toBe('suppressed');
    expect(r.findings.find((f) => f.rule === 'test-notebook-old-generation')!.severity).toBe('critical');
    expect(r.gate.conclusion).toBe('failure');
    c.rules.disable = ['test-notebook-old-generation'];
    const r2 = review(change([{ path: 'dev/nb.yaml', status: 'added', base: null, head }]), { catalogue, config: c });
    expect(r2.findings.map((f) => f.rule)).toEqual(['test-notebook-kms']);
    expect(r2.gate.conclusion).toBe('success');
  });

  it('turns a file that does not parse into a parse-error finding and reviews the rest', () => {
    const broken = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Nb:\n    Type: AWS::SageMaker::NotebookInstance\n   Properties: {\n';
    const good = notebook('Nb', 'InstanceType: ml.t3.medium\nRoleArn: r');
    const r = review(
      change([
        { path: 'a/broken.yaml', status: 'added', base: null, head: broken },
        { path: 'b/good.yaml', status: 'added', base: null, head: good },
      ]),
      { catalogue },
    );
    const pe = r.findings.find((f) => f.rule === 'parse-error')!;
    expect(pe).toMatchObject({ path: 'a/broken.yaml', status: 'new', severity: 'medium' });
    expect(pe.startLine).toBeGreaterThan(1);
    expect(pe.message).toContain('a/broken.yaml');
    expect(r.findings.some((f) => f.path === 'b/good.yaml' && f.rule === 'test-notebook-kms')).toBe(true);
    expect(r.stats.parseErrors).toBe(1);
    expect(r.stats.artifacts).toBe(2);
  });

  it('reports unread artifact-looking files as not reviewed, never a bare success, and leaves excluded paths out', () => {
    const c = cfg();
    c.paths.exclude = ['vendor/**'];
    const r = review(
      change([
        { path: 'big.json', status: 'added', base: null, head: null, skipped: 'larger than 1 MB' },
        { path: 'logo.png', status: 'added', base: null, head: null, skipped: 'binary file' },
        { path: 'vendor/nb.yaml', status: 'added', base: null, head: notebook('Nb', 'RoleArn: r') },
        { path: 'vendor/huge.yaml', status: 'added', base: null, head: null, skipped: 'larger than 1 MB' },
        { path: 'notes.txt', status: 'added', base: null, head: 'hello' },
      ]),
      { catalogue, config: c },
    );
    // A PNG is no artifact, so it is counted but not listed; an excluded path is neither.
    expect(r.stats.notReviewed).toEqual([{ path: 'big.json', reason: 'larger than 1 MB' }]);
    expect(r.findings).toEqual([]);
    expect(r.stats).toMatchObject({ files: 3, artifacts: 0 });
    expect(r.scores.security.head).toBeNull();
    expect(r.gate.conclusion).toBe('neutral');
    expect(r.gate.reasons.join('\n')).toContain('big.json (larger than 1 MB)');
  });

  it('keeps a repository-wide finding the same whichever changed file it is anchored on', () => {
    const cat = withCodeowners();
    const nb = notebook('Nb', 'RoleArn: r\nKmsKeyId: k');
    const one = review(change([{ path: 'a/nb.yaml', status: 'modified', base: nb, head: nb }]), { catalogue: cat });
    const two = review(
      change([
        { path: '0/first.yaml', status: 'modified', base: nb, head: nb },
        { path: 'a/nb.yaml', status: 'modified', base: nb, head: nb },
      ]),
      { catalogue: cat },
    );
    const f1 = one.findings.find((f) => f.rule === 'test-repo-codeowners')!;
    const f2 = two.findings.find((f) => f.rule === 'test-repo-codeowners')!;
    expect(f1.path).toBe('a/nb.yaml');
    expect(f2.path).toBe('0/first.yaml');
    expect(f1.fingerprint).toBe(f2.fingerprint);
    expect(f2.status).toBe('existing');
  });

  it('evaluates a repository-wide rule on each side against its own tree', () => {
    const nb = notebook('Nb', 'RoleArn: r\nKmsKeyId: k');
    const edit = { path: 'a/nb.yaml', status: 'modified', base: nb, head: nb } as const;
    // The change removes CODEOWNERS: the base had it, so the finding is new.
    const removed = review(change([edit, { path: 'CODEOWNERS', status: 'removed', base: '* @ml\n', head: null }]), { catalogue: withCodeowners() });
    expect(removed.findings.filter((f) => f.rule === 'test-repo-codeowners').map((f) => f.status)).toEqual(['new']);
    // The change adds it: nothing to report on the head.
    const added = review(change([edit, { path: 'CODEOWNERS', status: 'added', base: null, head: '* @ml\n' }]), { catalogue: withCodeowners() });
    expect(added.findings.filter((f) => f.rule === 'test-repo-codeowners')).toEqual([]);
  });

  it('marks a repository-wide finding existing when the base had it, even when the change only adds files', () => {
    const nb = notebook('Nb', 'RoleArn: r\nKmsKeyId: k');
    const r = review(change([{ path: 'a/nb.yaml', status: 'added', base: null, head: nb }], ['README.md']), { catalogue: withCodeowners() });
    expect(r.findings.filter((f) => f.rule === 'test-repo-codeowners').map((f) => [f.path, f.status])).toEqual([['a/nb.yaml', 'existing']]);
  });
});
