import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document, ParseError } from '../../src/model.js';
import { githubWorkflow } from '../../src/formats/github-workflow.js';
import { entry, toPlain } from '../../src/formats/tree.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url), 'utf8');
const WORKFLOW = fixture('train-workflow.yml');

function parse(path: string, text: string): Document {
  const r = githubWorkflow.parse(path, text);
  if (!('root' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`);
  return r;
}

describe('github-workflow detect', () => {
  it('accepts workflow files by path and a peek at `jobs`', () => {
    expect(githubWorkflow.detect('.github/workflows/train.yml', WORKFLOW)).toBe(true);
    expect(githubWorkflow.detect('.github/workflows/train.YAML', WORKFLOW)).toBe(true);
    expect(githubWorkflow.detect('services/api/.github/workflows/ci.yaml', WORKFLOW)).toBe(true);
  });

  it('rejects other paths and files that never mention jobs', () => {
    expect(githubWorkflow.detect('workflows/train.yml', WORKFLOW)).toBe(false);
    expect(githubWorkflow.detect('.github/dependabot.yml', WORKFLOW)).toBe(false);
    expect(githubWorkflow.detect('.github/workflows/README.md', WORKFLOW)).toBe(false);
    expect(githubWorkflow.detect('.github/workflows/sub/train.yml', WORKFLOW)).toBe(false);
    expect(githubWorkflow.detect('.github/workflows/labels.yml', 'labels:\n  - bug\n')).toBe(false);
  });
});

describe('github-workflow parse', () => {
  it('targets every job at its key line', () => {
    const doc = parse('.github/workflows/train.yml', WORKFLOW);
    expect(doc.kind).toBe('github-workflow');
    expect(doc.lines).toBe(39);
    expect(doc.targets.map((t) => [t.type, t.name, t.address, t.startLine, t.endLine])).toEqual([
      ['job', 'test', 'jobs.test', 18, 22],
      ['job', 'train', 'jobs.train', 24, 39],
    ]);
    expect(toPlain(doc.targets[1]!.node)).toMatchObject({ 'timeout-minutes': 120, environment: 'training' });
  });

  it('reads `on` as a string key (YAML 1.2 core schema), not as boolean true', () => {
    const doc = parse('.github/workflows/train.yml', WORKFLOW);
    expect(entry(doc.root, 'on')?.keyLine).toBe(3);
    expect(entry(doc.root, 'true')).toBeUndefined();
  });

  it('still recognises a workflow that declares %YAML 1.1, where `on` becomes `true`', () => {
    const doc = parse('.github/workflows/ci.yml', '%YAML 1.1\n---\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: []\n');
    expect(doc.targets.map((t) => t.address)).toEqual(['jobs.build']);
    expect(doc.targets[0]!.startLine).toBe(5);
  });

  it('accepts a reusable workflow with a scalar trigger and no trailing newline', () => {
    const doc = parse('.github/workflows/reusable.yml', 'on: workflow_call\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make deploy');
    expect(doc.targets[0]).toMatchObject({ address: 'jobs.deploy', startLine: 3, endLine: 6 });
    expect(doc.lines).toBe(6);
  });

  it('is not an artifact without `on` or without `jobs`', () => {
    expect(githubWorkflow.parse('.github/workflows/x.yml', 'jobs:\n  a:\n    runs-on: x\n')).toEqual({ notArtifact: 'no `on:` trigger' });
    expect(githubWorkflow.parse('.github/workflows/x.yml', 'on: push\nname: jobs\n')).toEqual({ notArtifact: 'no `jobs:`' });
    expect(githubWorkflow.parse('.github/workflows/x.yml', '- jobs\n- on\n')).toHaveProperty('notArtifact');
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    const text = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n   steps: []\n';
    const r = githubWorkflow.parse('.github/workflows/ci.yml', text) as ParseError;
    expect(r).toMatchObject({ kind: 'github-workflow', path: '.github/workflows/ci.yml', line: 5 });
    expect(r.message).toMatch(/column|indent/i);
  });

  it('reads a duplicated job id as GitHub does, the last one winning, and notes the second key', () => {
    const text = 'on: push\njobs:\n  build:\n    runs-on: a\n  build:\n    runs-on: b\n';
    expect(githubWorkflow.parse('.github/workflows/ci.yml', text)).toMatchObject({ meta: { parseNotes: [{ note: 'duplicate-key', line: 5 }] } });
  });
});
