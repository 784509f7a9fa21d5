import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../src/model.js';
import { buildspec } from '../../src/formats/buildspec.js';
import { dig, str } from '../../src/formats/tree.js';

const BUILDSPEC = readFileSync(new URL('../fixtures/formats/buildspec.yml', import.meta.url), 'utf8');

describe('buildspec detect', () => {
  it('accepts buildspec*.yml in any folder', () => {
    for (const p of ['buildspec.yml', 'buildspec.yaml', 'model-build/codebuild-buildspec.yml', 'test/buildspec-integ.yml', 'BuildSpec.YML']) {
      expect(buildspec.detect(p, BUILDSPEC), p).toBe(true);
    }
  });

  it('rejects other names and files without phases', () => {
    expect(buildspec.detect('build.yml', BUILDSPEC)).toBe(false);
    expect(buildspec.detect('buildspec.json', BUILDSPEC)).toBe(false);
    expect(buildspec.detect('buildspecs/notes.md', BUILDSPEC)).toBe(false);
    expect(buildspec.detect('buildspec.yml', 'version: 0.2\n')).toBe(false);
  });
});

describe('buildspec parse', () => {
  it('is one document-level artifact with no targets', () => {
    const doc = buildspec.parse('buildspec.yml', BUILDSPEC) as Document;
    expect(doc.kind).toBe('buildspec');
    expect(doc.targets).toEqual([]);
    expect(doc.lines).toBe(21);
    const store = dig(doc.root, 'env', 'parameter-store', 'MODEL_BUCKET');
    expect([str(store), store?.startLine]).toEqual(['/ml/churn/model-bucket', 7]);
    expect(dig(doc.root, 'phases', 'build')?.startLine).toBe(16);
  });

  it('is not an artifact without version and phases', () => {
    expect(buildspec.parse('buildspec.yml', 'phases:\n  build:\n    commands: [make]\n')).toHaveProperty('notArtifact');
    expect(buildspec.parse('buildspec.yml', '- phases\n')).toHaveProperty('notArtifact');
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    const text = 'version: 0.2\nphases:\n  build:\n    commands:\n      - echo: a: b\n';
    expect(buildspec.parse('buildspec.yml', text)).toMatchObject({ kind: 'buildspec', path: 'buildspec.yml', line: 5 });
  });
});
