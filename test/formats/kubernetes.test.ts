import { describe, expect, it } from 'vitest';
import { kubernetes } from '../../src/formats/kubernetes.js';
import { dig, entry, get, items, value } from '../../src/formats/tree.js';
import { aliasBomb, asDocument, asError, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const MANIFESTS = fixture('k8s-serving.yaml');
const KFP_V1 = fixture('kfp-v1-workflow.yaml');
const KFP_IR = fixture('kfp-train-pipeline.yaml');
const lastLine = (text: string) => text.trimEnd().split('\n').length;
const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';

describe('kubernetes detect', () => {
  it('accepts YAML with top-level apiVersion and kind', () => {
    expect(kubernetes.detect('deploy/k8s/serving.yaml', MANIFESTS)).toBe(true);
    expect(kubernetes.detect('deploy/configmap.yml', CONFIG_MAP)).toBe(true);
  });

  it('needs a YAML path and both keys at the top level', () => {
    expect(kubernetes.detect('deploy/configmap.json', CONFIG_MAP)).toBe(false);
    expect(kubernetes.detect('deploy/configmap.txt', CONFIG_MAP)).toBe(false);
    expect(kubernetes.detect('values.yaml', 'image:\n  apiVersion: v1\n  kind: thing\n')).toBe(false);
    expect(kubernetes.detect('config.yaml', 'apiVersion: v1\ndata: {}\n')).toBe(false);
  });

  it('does not claim the files of more specific kinds', () => {
    expect(kubernetes.detect('.github/workflows/deploy.yml', CONFIG_MAP + 'on: push\njobs: {}\n')).toBe(false);
    expect(kubernetes.detect('.gitlab-ci.yml', CONFIG_MAP)).toBe(false);
    expect(kubernetes.detect('pipelines/churn.yaml', KFP_V1)).toBe(false); // Argo / KFP v1
    expect(kubernetes.detect('pipelines/train.yaml', KFP_IR)).toBe(false); // KFP v2 IR has no apiVersion
    expect(kubernetes.detect('t.yaml', "AWSTemplateFormatVersion: '2010-09-09'\napiVersion: x\nkind: y\n")).toBe(false);
  });

  it('does not claim Helm and other Go templates, which are not YAML until rendered', () => {
    const helm = CONFIG_MAP + 'data:\n  image: {{ .Values.image }}\n';
    expect(kubernetes.detect('charts/scorer/templates/configmap.yaml', helm)).toBe(false);
    expect(kubernetes.detect('deploy/configmap.yaml', '{{- if .Values.enabled }}\n' + CONFIG_MAP + '{{- end }}\n')).toBe(false);
    // `{{ }}` inside a quoted value of a plain manifest is just text.
    expect(kubernetes.detect('deploy/configmap.yaml', CONFIG_MAP + 'data:\n  greeting: "{{ name }}"\n')).toBe(true);
  });
});

describe('kubernetes manifests', () => {
  it('targets one manifest per document, List items expanded, addressed Kind/name', () => {
    const doc = asDocument(kubernetes.parse('deploy/k8s/serving.yaml', MANIFESTS));
    expect(doc.kind).toBe('kubernetes');
    expect(targetRows(doc)).toEqual([
      ['InferenceService', 'InferenceService/churn', lineOf(MANIFESTS, 'apiVersion: serving.kserve.io'), lineOf(MANIFESTS, 'limits: {cpu')],
      ['Deployment', 'Deployment/feature-server', lineOf(MANIFESTS, 'apiVersion: apps/v1'), lineOf(MANIFESTS, 'value: hf_')],
      ['Service', 'Service/feature-server', lineOf(MANIFESTS, '  - apiVersion: v1'), lineOf(MANIFESTS, 'ports: [{port: 80}]')],
      ['ServiceAccount', 'ServiceAccount/scorer-', lineOf(MANIFESTS, '  - apiVersion: v1', 2), lineOf(MANIFESTS, 'generateName: scorer-')],
      // No name: numbered by its position among the file's manifests.
      ['PodDisruptionBudget', 'PodDisruptionBudget/#5', lineOf(MANIFESTS, 'apiVersion: policy/v1'), lastLine(MANIFESTS)],
    ]);
    expect(doc.targets.map((t) => t.name)).toEqual(['churn', 'feature-server', 'feature-server', 'scorer-', '#5']);
  });

  it('keeps the non-empty documents as the root list and positions keys', () => {
    const doc = asDocument(kubernetes.parse('deploy/k8s/serving.yaml', MANIFESTS));
    expect(items(doc.root).map((d) => value(get(d, 'kind')))).toEqual(['InferenceService', 'Deployment', 'List', 'PodDisruptionBudget']);
    const isvc = doc.targets[0]!.node;
    expect(entry(dig(isvc, 'spec', 'predictor'), 'minReplicas')?.keyLine).toBe(lineOf(MANIFESTS, 'minReplicas'));
    expect(value(dig(isvc, 'spec', 'predictor', 'model', 'storageUri'))).toBe('s3://acme-models/churn/v3');
  });

  it('makes a one-manifest file with separators a map root', () => {
    // An ML workload: a file of plain manifests (a ConfigMap) is not an artifact (kubernetes-ml.test.ts).
    const rayCluster = 'apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: c\n';
    const doc = asDocument(kubernetes.parse('ray.yaml', '---\n' + rayCluster + '---\n'));
    expect(doc.root.type).toBe('map');
    expect(targetRows(doc)).toEqual([['RayCluster', 'RayCluster/c', 2, 5]]);
  });

  it('is not an artifact when no document has both apiVersion and kind', () => {
    const reason = { notArtifact: 'no document with `apiVersion` and `kind`' };
    expect(kubernetes.parse('x.yaml', 'apiVersion: v1\n---\nkind: ConfigMap\n')).toEqual(reason);
    expect(kubernetes.parse('x.yaml', 'apiVersion: {group: x}\nkind: [a]\n')).toEqual(reason);
    expect(kubernetes.parse('x.yaml', '')).toEqual(reason);
  });
});

describe('kubernetes malformed input', () => {
  it('reports bad YAML indentation at its line, also in a later document', () => {
    const text = CONFIG_MAP + '---\n' + CONFIG_MAP + 'data:\n    a: "1"\n  b: "2"\n';
    expect(asError(kubernetes.parse('cm.yaml', text))).toMatchObject({ kind: 'kubernetes', path: 'cm.yaml', line: 12 });
    // Beside an ML manifest, the broken document is said and the rest is read.
    const isvc = 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    minReplicas: 2\n';
    const doc = asDocument(kubernetes.parse('cm.yaml', isvc + '---\n' + CONFIG_MAP + 'data:\n    a: "1"\n  b: "2"\n'));
    expect(doc.targets.map((t) => t.address)).toEqual(['InferenceService/churn']);
    expect(doc.meta?.['parseNotes']).toMatchObject([{ note: 'broken-document', line: 15 }]);
  });

  it('reports a duplicate key at its line', () => {
    const text = 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: churn\nspec:\n  predictor:\n    minReplicas: 2\n    minReplicas: 0\n';
    const doc = asDocument(kubernetes.parse('isvc.yaml', text));
    expect(doc.meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 8 }]); // the last value wins, said as a finding
    expect(get(dig(doc.targets[0]!.node, 'spec', 'predictor'), 'minReplicas')).toMatchObject({ value: 0 });
  });

  it('refuses a YAML alias bomb with a ParseError', () => {
    const text = aliasBomb(CONFIG_MAP);
    expect(kubernetes.detect('cm.yaml', text)).toBe(true);
    expect(asError(kubernetes.parse('cm.yaml', text))).toMatchObject({ line: 10, message: expect.stringMatching(/aliases/) });
  });

  it('never throws, whatever the text', () => {
    neverThrows(kubernetes, 'cm.yaml', ['apiVersion: v1\n', 'kind: List\n', 'items:\n', '  - ', 'metadata:\n', '  name: x\n', 'kind: Pod\n']);
  });
});
