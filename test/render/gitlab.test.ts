/**
 * The GitLab Code Quality report: the shape GitLab reads (checked by hand against its documented
 * fields), the severity mapping, unique fingerprints, relative POSIX paths, and which findings are in it.
 */
import { describe, expect, it } from 'vitest';
import { SEVERITIES, type Review, type Severity } from '../../src/model.js';
import { GITLAB_SEVERITY, gitlabPath, gitlabSeverity, renderGitLab, toGitLab } from '../../src/render/gitlab.js';
import { GITLAB_SEVERITIES, validateCodeQuality } from '../helpers/code-quality.js';
import { failingReview, finding, groupedReview, hostileReview, hugeReview, passingReview, review } from './fixtures.js';

describe('gitlab: shape', () => {
  it.each([
    ['passing', passingReview],
    ['failing', failingReview],
    ['hostile', hostileReview],
    ['grouped', groupedReview],
  ])('%s: a valid Code Quality array, no byte order mark, trailing newline', (_, make) => {
    const text = renderGitLab(make());
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.startsWith('[')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(text) as unknown;
    validateCodeQuality(parsed);
    expect(parsed).toEqual(toGitLab(make()));
  });

  it('a review without findings is an empty array', () => {
    expect(renderGitLab(review())).toBe('[]\n');
  });

  it('check_name is the rule id; the description says what is wrong (the message\'s statement) on one line, plain', () => {
    const [e] = toGitLab(review({ findings: [finding({ rule: 'sagemaker-endpoint-kms', title: 'Endpoints use a KMS key', address: 'aws_x.y', message: 'aws_x.y keeps the model\non volumes without a key (kms_key_arn: absent): anyone with the volume reads it.' })] }));
    expect(e!.check_name).toBe('sagemaker-endpoint-kms');
    expect(e!.description).toBe('aws_x.y keeps the model on volumes without a key (kms_key_arn: absent)');
    const hostile = toGitLab(hostileReview());
    for (const h of hostile) expect(h.description).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    // Text, not Markdown: GitLab shows it as it is, so nothing is backslash-escaped.
    expect(hostile.map((h) => h.description)).toContain('Section "# Intended use @team | <b>x</b>" is empty');
  });

  it('a finding without a message is described by its title and address, or its title alone', () => {
    const out = toGitLab(
      review({
        findings: [
          finding({ rule: 'with-target', title: 'Endpoints use a KMS key', address: 'aws_x.y', message: '' }),
          finding({ rule: 'repository-codeowners', title: 'The repository has owners', address: 'repository', message: '' }),
          finding({ rule: 'model-card-limitations', title: 'The card documents limitations', address: 'model-card', path: 'models/README.md', message: 'The model card has no\nLimitations section.' }),
        ],
      }),
    );
    expect(Object.fromEntries(out.map((e) => [e.check_name, e.description]))).toEqual({
      'with-target': 'Endpoints use a KMS key (aws_x.y)',
      'repository-codeowners': 'The repository has owners',
      'model-card-limitations': 'The model card has no Limitations section',
    });
  });

  it('lines: begin at least 1, end not before begin', () => {
    const [e] = toGitLab(review({ findings: [finding({ rule: 'r', startLine: 0, endLine: -3 })] }));
    expect(e!.location.lines).toEqual({ begin: 1, end: 1 });
    const [f] = toGitLab(review({ findings: [finding({ rule: 'r', startLine: 7, endLine: 9 })] }));
    expect(f!.location.lines).toEqual({ begin: 7, end: 9 });
  });
});

describe('gitlab: severities', () => {
  it('maps our five severities one for one, in order, onto GitLab’s five', () => {
    expect(GITLAB_SEVERITY).toEqual({ critical: 'blocker', high: 'critical', medium: 'major', low: 'minor', info: 'info' });
    const ranks = SEVERITIES.map((s) => GITLAB_SEVERITIES.indexOf(gitlabSeverity(s)));
    expect(ranks).toEqual([4, 3, 2, 1, 0]); // SEVERITIES runs from critical down to info
  });

  it('each entry carries its finding’s severity (as a configuration may have set it)', () => {
    const findings = SEVERITIES.map((severity: Severity) => finding({ rule: `r-${severity}`, severity, address: severity }));
    const out = toGitLab(review({ findings }));
    expect(Object.fromEntries(out.map((e) => [e.check_name, e.severity]))).toEqual({ 'r-critical': 'blocker', 'r-high': 'critical', 'r-medium': 'major', 'r-low': 'minor', 'r-info': 'info' });
  });
});

describe('gitlab: which findings', () => {
  it('new and existing findings are in; suppressed and fixed ones are not', () => {
    const r = failingReview();
    const out = toGitLab(r).filter((e) => e.check_name !== 'not-reviewed');
    const shown = r.findings.filter((f) => f.status === 'new' || f.status === 'existing');
    expect(out.map((e) => e.fingerprint).sort()).toEqual(shown.map((f) => f.fingerprint).sort());
    const left = [...r.findings.filter((f) => f.status === 'suppressed'), ...(r.fixed ?? [])].map((f) => f.fingerprint);
    expect(left.length).toBeGreaterThan(2);
    for (const fp of left) expect(out.map((e) => e.fingerprint)).not.toContain(fp);
    // the suppressed one's path appears nowhere (infra/dev/endpoint.tf only holds a suppressed finding)
    expect(out.map((e) => e.location.path)).not.toContain('infra/dev/endpoint.tf');
  });

  it('a review whose only finding is suppressed gives an empty array', () => {
    const r = review({ findings: [finding({ rule: 'r', status: 'suppressed', suppression: { source: 'inline', reason: 'accepted' } })] });
    expect(toGitLab(r)).toEqual([]);
  });

  it('uses the finding’s own fingerprint, which GitLab compares between pipelines', () => {
    const r = passingReview();
    expect(toGitLab(r)[0]!.fingerprint).toBe(r.findings[0]!.fingerprint);
  });

  it('files not reviewed are entries (major when a kind claims them), excluded ones are not', () => {
    const r = review({
      notReviewed: [
        { path: 'infra/big.tf', reason: 'larger than 1 MB', claimedBy: 'terraform' },
        { path: 'src/train.py', reason: 'uses the SageMaker Python SDK' },
        { path: 'vendor/x/main.tf', reason: 'left out by default: vendored', excluded: true },
      ],
    });
    const out = toGitLab(r);
    expect(out.map((e) => [e.check_name, e.location.path, e.severity])).toEqual([
      ['not-reviewed', 'infra/big.tf', 'major'],
      ['not-reviewed', 'src/train.py', 'minor'],
    ]);
    expect(out[0]!.description).toBe('Not reviewed: larger than 1 MB');
    // stable between pipelines: the same file gives the same fingerprint
    expect(toGitLab(r)[0]!.fingerprint).toBe(out[0]!.fingerprint);
  });
});

describe('gitlab: fingerprints and paths', () => {
  it('every entry has its own fingerprint, even when findings repeat one', () => {
    const twin = { rule: 'r', fingerprint: 'same' };
    const out = toGitLab(
      review({
        findings: [finding({ ...twin, address: 'a' }), finding({ ...twin, address: 'b' }), finding({ ...twin, address: 'c' }), finding({ rule: 's', fingerprint: '' })],
        notReviewed: [{ path: 'infra/main.tf', reason: 'binary' }],
      }),
    );
    const fps = out.map((e) => e.fingerprint);
    expect(new Set(fps).size).toBe(fps.length);
    expect(fps[0]).toBe('same'); // the first keeps it
    expect(fps.every((f) => f !== '')).toBe(true);
    // and the same review gives the same fingerprints
    expect(toGitLab(review({ findings: [finding({ ...twin, address: 'a' }), finding({ ...twin, address: 'b' })] })).map((e) => e.fingerprint)).toEqual(fps.slice(0, 2));
  });

  it('fingerprints are unique across a large review', () => {
    const out = toGitLab(hugeReview(3000));
    expect(out.length).toBeGreaterThan(2000);
    expect(new Set(out.map((e) => e.fingerprint)).size).toBe(out.length);
  });

  it('paths are relative with / separators', () => {
    expect(gitlabPath('infra\\envs\\prod\\main.tf')).toBe('infra/envs/prod/main.tf');
    expect(gitlabPath('./infra/main.tf')).toBe('infra/main.tf');
    expect(gitlabPath('/infra/main.tf')).toBe('infra/main.tf');
    expect(gitlabPath('././/infra/main.tf')).toBe('infra/main.tf');
    expect(gitlabPath('infra/a b#c.tf')).toBe('infra/a b#c.tf'); // a path, not a URI: nothing encoded
    const out = toGitLab(review({ findings: [finding({ rule: 'r', path: '.\\models\\card.md' })] }));
    expect(out[0]!.location.path).toBe('models/card.md');
  });

  it('entries are ordered by path, line and rule, then the files not reviewed', () => {
    const r: Review = review({
      findings: [finding({ rule: 'b', path: 'z.tf', address: '1' }), finding({ rule: 'a', path: 'a.tf', startLine: 9, address: '2' }), finding({ rule: 'c', path: 'a.tf', startLine: 2, address: '3' })],
      notReviewed: [{ path: 'a.tf', reason: 'x' }],
    });
    expect(toGitLab(r).map((e) => `${e.location.path}:${e.location.lines.begin} ${e.check_name}`)).toEqual(['a.tf:2 c', 'a.tf:9 a', 'z.tf:1 b', 'a.tf:1 not-reviewed']);
  });
});
