import { describe, expect, it } from 'vitest';
import { argoWorkflow, hasArgoWorkflowSignature } from '../../src/formats/argo.js';
import { dig, entry, get, items, value } from '../../src/formats/tree.js';
import { aliasBomb, asDocument, asError, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const KFP_V1 = fixture('kfp-v1-workflow.yaml');
const TEMPLATES = fixture('argo-templates.yaml');
const lastLine = (text: string) => text.trimEnd().split('\n').length;
const HEAD = 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\n';

describe('argo-workflow detect', () => {
  it('accepts argoproj.io workflow kinds in YAML or JSON', () => {
    expect(argoWorkflow.detect('pipelines/churn.yaml', KFP_V1)).toBe(true);
    expect(argoWorkflow.detect('argo/templates.yml', TEMPLATES)).toBe(true);
    expect(argoWorkflow.detect('w.json', '{"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "spec": {}}')).toBe(true);
  });

  it('leaves other argoproj.io kinds and other paths alone', () => {
    expect(argoWorkflow.detect('churn.txt', KFP_V1)).toBe(false);
    expect(argoWorkflow.detect('app.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\n')).toBe(false);
    expect(argoWorkflow.detect('b.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: WorkflowEventBinding\n')).toBe(false);
    expect(argoWorkflow.detect('d.yaml', 'apiVersion: apps/v1\nkind: Deployment\n')).toBe(false);
    expect(hasArgoWorkflowSignature("apiVersion: 'argoproj.io/v1alpha1'\nkind: 'ClusterWorkflowTemplate'\n")).toBe(true);
  });
});

describe('argo-workflow documents', () => {
  it('targets a KFP v1 workflow and its templates, and marks it as KFP', () => {
    const doc = asDocument(argoWorkflow.parse('pipelines/churn.yaml', KFP_V1));
    expect(doc.kind).toBe('argo-workflow');
    expect(targetRows(doc)).toEqual([
      ['Workflow', 'Workflow/churn-train-', 1, lastLine(KFP_V1)],
      ['template', 'templates.train', lineOf(KFP_V1, '  - name: train'), lineOf(KFP_V1, 'limit: 3')],
      ['template', 'templates.churn-train', lineOf(KFP_V1, '  - name: churn-train'), lastLine(KFP_V1)],
    ]);
    expect(doc.targets[0]!.name).toBe('churn-train-');
    expect(doc.meta).toEqual({ kfp: true });
    const train = doc.targets[1]!.node;
    expect(entry(train, 'retryStrategy')?.keyLine).toBe(lineOf(KFP_V1, 'retryStrategy:'));
    expect(value(dig(items(dig(train, 'outputs', 'artifacts'))[0], 's3', 'insecure'))).toBe(true);
    // Argo's own `{{...}}` parameters are plain strings.
    expect(items(dig(train, 'container', 'args'))[1]).toMatchObject({ type: 'scalar', value: '{{inputs.parameters.epochs}}' });
  });

  it('reads every workflow of a stream, CronWorkflow templates under workflowSpec, other kinds kept in root', () => {
    const doc = asDocument(argoWorkflow.parse('argo/templates.yaml', TEMPLATES));
    expect(targetRows(doc)).toEqual([
      ['WorkflowTemplate', 'Workflow/batch-score', lineOf(TEMPLATES, 'apiVersion: argoproj.io'), lineOf(TEMPLATES, 'command: [python, score.py]')],
      ['template', 'templates.score', lineOf(TEMPLATES, '    - name: score'), lineOf(TEMPLATES, 'command: [python, score.py]')],
      ['CronWorkflow', 'Workflow/nightly-score', lineOf(TEMPLATES, 'apiVersion: argoproj.io', 2), lastLine(TEMPLATES)],
      ['template', 'templates.run', lineOf(TEMPLATES, '      - name: run'), lastLine(TEMPLATES)],
    ]);
    expect(doc.meta).toEqual({ kfp: false });
    expect(items(doc.root).map((d) => value(get(d, 'kind')))).toEqual(['ConfigMap', 'WorkflowTemplate', 'CronWorkflow']);
  });

  it('sees KFP annotations on templates and names an unnamed workflow Workflow/', () => {
    const text = HEAD.replace('  name: w\n', '  labels: {team: ml}\n') + 'spec:\n  templates:\n  - name: t\n    metadata:\n      annotations:\n        pipelines.kubeflow.org/component_spec: "{}"\n';
    const doc = asDocument(argoWorkflow.parse('w.yaml', text));
    expect(doc.meta).toEqual({ kfp: true });
    expect(doc.targets.map((t) => t.address)).toEqual(['Workflow/', 'templates.t']);
  });

  it('is not an artifact when the signature is only in the text', () => {
    const text = '# kind: Workflow is what we used before\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\n';
    expect(argoWorkflow.detect('r.yaml', text)).toBe(true);
    expect(argoWorkflow.parse('r.yaml', text)).toEqual({ notArtifact: 'no argoproj.io Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow document' });
  });
});

describe('argo-workflow malformed input', () => {
  it('reports bad YAML indentation and duplicate keys at their lines', () => {
    const indent = HEAD + 'spec:\n    entrypoint: main\n  templates: []\n';
    expect(asError(argoWorkflow.parse('w.yaml', indent))).toMatchObject({ kind: 'argo-workflow', path: 'w.yaml', line: 7 });
    const dup = HEAD + 'spec:\n  entrypoint: main\n  entrypoint: other\n';
    expect(asDocument(argoWorkflow.parse('w.yaml', dup)).meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 7 }]); // the last value wins, said as a finding
  });

  it('reports bad JSON at its line', () => {
    const bad = '{\n  "apiVersion": "argoproj.io/v1alpha1",\n  "kind": "Workflow",\n  "spec": {"templates": [}\n}\n';
    expect(asError(argoWorkflow.parse('w.json', bad))).toMatchObject({ line: 4, message: expect.stringMatching(/^JSON: /) });
  });

  it('refuses a YAML alias bomb with a ParseError', () => {
    const text = aliasBomb(HEAD);
    expect(asError(argoWorkflow.parse('w.yaml', text))).toMatchObject({ line: 10, message: expect.stringMatching(/aliases/) });
  });

  it('never throws, whatever the text', () => {
    neverThrows(argoWorkflow, 'w.yaml', [HEAD, 'spec:\n', '  templates:\n', '  - name: t\n', 'workflowSpec:', '{{inputs.parameters.x}}', 'kind: CronWorkflow\n']);
  });
});
