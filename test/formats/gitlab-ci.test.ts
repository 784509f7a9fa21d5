import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../src/model.js';
import { gitlabCi } from '../../src/formats/gitlab-ci.js';

const PIPELINE = readFileSync(new URL('../fixtures/formats/gitlab-ci.yml', import.meta.url), 'utf8');

function parse(path: string, text: string): Document {
  const r = gitlabCi.parse(path, text);
  if (!('root' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`);
  return r;
}

describe('gitlab-ci detect', () => {
  it('accepts .gitlab-ci.yml anywhere and *.gitlab-ci.yml includes', () => {
    expect(gitlabCi.detect('.gitlab-ci.yml', PIPELINE)).toBe(true);
    expect(gitlabCi.detect('ci/train.gitlab-ci.yml', PIPELINE)).toBe(true);
    expect(gitlabCi.detect('services/api/.gitlab-ci.yaml', PIPELINE)).toBe(true);
  });

  it('rejects other YAML files', () => {
    expect(gitlabCi.detect('gitlab.yml', PIPELINE)).toBe(false);
    expect(gitlabCi.detect('.github/workflows/ci.yml', PIPELINE)).toBe(false);
    expect(gitlabCi.detect('.gitlab-ci.yml.bak', PIPELINE)).toBe(false);
  });
});

describe('gitlab-ci parse', () => {
  it('targets jobs, not global keywords or hidden templates; `pages` is a job', () => {
    const doc = parse('.gitlab-ci.yml', PIPELINE);
    expect(doc.kind).toBe('gitlab-ci');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine, t.endLine])).toEqual([
      ['job', 'jobs.unit-tests', 17, 21],
      ['job', 'jobs.train-model', 23, 29],
      ['job', 'jobs.pages', 31, 36],
    ]);
  });

  it('reads the pipeline after a `spec:` header document', () => {
    const text = 'spec:\n  inputs:\n    stage:\n      default: test\n---\ncomponent-job:\n  script: echo hi\n  stage: $[[ inputs.stage ]]\n';
    const doc = parse('templates/lint.gitlab-ci.yml', text);
    expect(doc.root.type).toBe('list');
    expect(doc.targets.map((t) => [t.address, t.startLine])).toEqual([['jobs.component-job', 6]]);
  });

  it('keeps a file that only includes other files, with no targets', () => {
    expect(parse('.gitlab-ci.yml', 'include:\n  - local: ci/train.gitlab-ci.yml\n').targets).toEqual([]);
  });

  it('ignores top-level keys whose value is not a job mapping', () => {
    const doc = parse('.gitlab-ci.yml', 'stages: [build]\nbuild:\n  script: make\nweird: 3\n');
    expect(doc.targets.map((t) => t.name)).toEqual(['build']);
  });

  it('is not an artifact when empty or not a mapping', () => {
    expect(gitlabCi.parse('.gitlab-ci.yml', '')).toHaveProperty('notArtifact');
    expect(gitlabCi.parse('.gitlab-ci.yml', '# nothing yet\n')).toHaveProperty('notArtifact');
    expect(gitlabCi.parse('.gitlab-ci.yml', '- a\n- b\n')).toHaveProperty('notArtifact');
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    const text = 'stages: [test]\n\nunit:\n  stage: test\n  script:\n\t- pytest\n';
    expect(gitlabCi.parse('.gitlab-ci.yml', text)).toMatchObject({ kind: 'gitlab-ci', line: 6, message: expect.stringMatching(/tab/i) });
  });
});
