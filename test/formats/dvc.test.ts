import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document } from '../../src/model.js';
import { dvc, dvcParams } from '../../src/formats/dvc.js';
import { dig, entry, get, keys, value } from '../../src/formats/tree.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url), 'utf8');
const PIPELINE = fixture('dvc.yaml');
const PARAMS = fixture('params.yaml');

describe('dvc', () => {
  it('detects dvc.yaml with stages only', () => {
    expect(dvc.detect('dvc.yaml', PIPELINE)).toBe(true);
    expect(dvc.detect('experiments/nlp/dvc.yaml', PIPELINE)).toBe(true);
    expect(dvc.detect('dvc.lock', PIPELINE)).toBe(false);
    expect(dvc.detect('dvc.yml', PIPELINE)).toBe(false);
    expect(dvc.detect('dvc.yaml', 'plots:\n  - eval/roc.json\n')).toBe(false);
  });

  it('targets each stage at its key line, templated stages as one target', () => {
    const doc = dvc.parse('dvc.yaml', PIPELINE) as Document;
    expect(doc.kind).toBe('dvc');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine, t.endLine])).toEqual([
      ['stage', 'stages.prepare', 5, 13],
      ['stage', 'stages.train', 15, 22],
      ['stage', 'stages.evaluate', 24, 31],
    ]);
    const train = doc.targets[1]!.node;
    expect(keys(train)).toEqual(['foreach', 'do']);
    expect(value(dig(train, 'do', 'cmd'))).toBe('python src/train.py --model ${item.name}');
    expect(keys(get(doc.targets[2]!.node, 'matrix'))).toEqual(['model', 'split']);
  });

  it('is not an artifact without stages', () => {
    expect(dvc.parse('dvc.yaml', 'vars: [params.yaml]\nplots: []\n# stages come later\n')).toEqual({ notArtifact: 'no `stages`' });
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    const text = 'stages:\n  train:\n    cmd: python x.py\n\tdeps: []\n';
    expect(dvc.parse('dvc.yaml', text)).toMatchObject({ kind: 'dvc', line: 4 });
  });
});

describe('dvc-params', () => {
  it('detects params.yaml and params.yml by name', () => {
    expect(dvcParams.detect('params.yaml', PARAMS)).toBe(true);
    expect(dvcParams.detect('conf/params.yml', PARAMS)).toBe(true);
    expect(dvcParams.detect('params.json', PARAMS)).toBe(false);
    expect(dvcParams.detect('hyperparams.yaml', PARAMS)).toBe(false);
  });

  it('parses a free-form map with no targets and positioned keys', () => {
    const doc = dvcParams.parse('params.yaml', PARAMS) as Document;
    expect(doc.kind).toBe('dvc-params');
    expect(doc.targets).toEqual([]);
    expect(entry(get(doc.root, 'prepare'), 'seed')).toMatchObject({ keyLine: 2 });
    expect(entry(doc.root, 'train')?.keyLine).toBe(9);
  });

  it('rules out a CloudFormation parameter file named params.yaml', () => {
    const cfnMap = '{\n  "Parameters": {\n    "StageName": "prod",\n    "EndpointInstanceCount": "1"\n  },\n  "Tags": {"team": "ml"}\n}\n';
    expect(dvcParams.parse('params.yaml', cfnMap)).toEqual({ notArtifact: 'a CloudFormation parameter file' });
    const cfnList = '- ParameterKey: StageName\n  ParameterValue: prod\n';
    expect(dvcParams.parse('params.yaml', cfnList)).toHaveProperty('notArtifact');
  });

  it('rules out templates, manifests, empty files', () => {
    expect(dvcParams.parse('params.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n')).toHaveProperty('notArtifact');
    expect(dvcParams.parse('params.yaml', 'apiVersion: v1\nkind: ConfigMap\n')).toHaveProperty('notArtifact');
    expect(dvcParams.parse('params.yaml', '')).toEqual({ notArtifact: 'empty file' });
  });

  it('keeps a params file that merely has a `Parameters` key among others', () => {
    expect(dvcParams.parse('params.yaml', 'Parameters:\n  lr: 0.1\nseed: 3\n')).toHaveProperty('root');
  });

  it('reports malformed YAML as a ParseError at the offending line', () => {
    expect(dvcParams.parse('params.yaml', 'train:\n  lr: 0.1\n lr: 0.2\n')).toMatchObject({ kind: 'dvc-params', line: 3 });
    // A key set twice is read as the tools read it, the last value winning, and said.
    expect((dvcParams.parse('params.yaml', 'train:\n  lr: 0.1\n  lr: 0.2\n') as Document).meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 3 }]);
  });
});

describe('a params.yaml that is not DVC\'s', () => {
  it('a Kustomize transformer configuration is no DVC parameters file', () => {
    const kustomize = 'varReference:\n  - path: spec/template/spec/containers/image\n    kind: Deployment\n  - path: metadata/annotations\n    kind: Service\n';
    expect(dvcParams.parse('manifests/base/params.yaml', kustomize)).toEqual({ notArtifact: 'a Kustomize configuration' });
    // DVC's own keys, even one named like a Kustomize field, stay parameters.
    expect((dvcParams.parse('params.yaml', 'images: {size: 224}\ntrain: {epochs: 10}\n') as Document).kind).toBe('dvc-params');
  });
});
