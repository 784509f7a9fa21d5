import { describe, expect, it } from 'vitest';
import { kubeflowPipeline } from '../../src/formats/kubeflow.js';
import { dig, entry, get, items, value } from '../../src/formats/tree.js';
import { aliasBomb, asDocument, asError, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const IR = fixture('kfp-train-pipeline.yaml');
const VERTEX = fixture('vertex-pipeline-job.json');

const parseIr = () => asDocument(kubeflowPipeline.parse('pipelines/train_pipeline.yaml', IR));
const IR_HEAD = 'pipelineInfo:\n  name: p\ndeploymentSpec:\n  executors: {}\nroot:\n  dag: {tasks: {}}\n';

describe('kubeflow-pipeline detect', () => {
  it('accepts KFP v2 IR YAML and Vertex PipelineJob JSON by their top-level keys', () => {
    expect(kubeflowPipeline.detect('pipelines/train_pipeline.yaml', IR)).toBe(true);
    expect(kubeflowPipeline.detect('pipeline.yml', IR)).toBe(true);
    expect(kubeflowPipeline.detect('vertex/job.json', VERTEX)).toBe(true);
    // The bare IR written as JSON (older compilers) is recognised too.
    expect(kubeflowPipeline.detect('pipeline.json', '{"pipelineInfo": {}, "deploymentSpec": {}, "root": {}}')).toBe(true);
  });

  it('needs the path and every key of the signature', () => {
    expect(kubeflowPipeline.detect('pipeline.txt', IR)).toBe(false);
    expect(kubeflowPipeline.detect('p.yaml', 'pipelineInfo:\n  name: p\nroot: {}\n')).toBe(false);
    expect(kubeflowPipeline.detect('p.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  root: x\n')).toBe(false);
    // Indented keys belong to something else (here a values file that embeds them).
    expect(kubeflowPipeline.detect('values.yaml', 'spec:\n  pipelineInfo: {}\n  deploymentSpec: {}\n  root: {}\n')).toBe(false);
  });
});

describe('kubeflow-pipeline IR', () => {
  it('targets executors, root tasks and the tasks of component sub-DAGs', () => {
    const doc = parseIr();
    expect(doc.kind).toBe('kubeflow-pipeline');
    expect(targetRows(doc)).toEqual([
      ['executor', 'executors.exec-deploy', lineOf(IR, '    exec-deploy:'), lineOf(IR, 'image: us-docker.pkg.dev/acme/ml/deployer')],
      ['executor', 'executors.exec-train', lineOf(IR, '    exec-train:'), lineOf(IR, 'memoryLimit: 32.0')],
      ['dag-task', 'tasks.condition-1', lineOf(IR, '      condition-1:'), lineOf(IR, 'condition: inputs.parameter_values')],
      ['task', 'tasks.train', lineOf(IR, '      train:'), lineOf(IR, '  inputDefinitions:\n    parameters:') - 1],
      ['task', 'components.comp-condition-1.tasks.deploy', lineOf(IR, '        deploy:'), lineOf(IR, '          name: deploy')],
    ]);
    expect(doc.targets.map((t) => t.name)).toEqual(['exec-deploy', 'exec-train', 'condition-1', 'train', 'deploy']);
  });

  it('keeps both documents of the stream and notes the platform document', () => {
    const doc = parseIr();
    expect(doc.meta).toEqual({ name: 'train-and-gate', vertex: false, platforms: true });
    expect(doc.root.type).toBe('list');
    const [ir, platforms] = items(doc.root);
    expect(value(get(ir, 'schemaVersion'))).toBe('2.1.0');
    expect(entry(platforms, 'platforms')?.keyLine).toBe(lineOf(IR, 'platforms:'));
    expect(dig(platforms, 'platforms', 'kubernetes', 'deploymentSpec', 'executors', 'exec-train', 'secretAsEnv')?.type).toBe('list');
  });

  it('reads runtime placeholders as plain strings and positions keys', () => {
    const doc = parseIr();
    const deploy = doc.targets[0]!.node;
    expect(items(dig(deploy, 'container', 'args'))[1]).toMatchObject({ type: 'scalar', value: "{{$.inputs.artifacts['model'].uri}}" });
    const train = doc.targets[1]!.node;
    expect(entry(get(train, 'container'), 'resources')?.keyLine).toBe(lineOf(IR, 'resources:'));
    expect(value(dig(train, 'container', 'resources', 'cpuLimit'))).toBe(8);
    expect(entry(doc.targets[3]!.node, 'retryPolicy')?.keyLine).toBe(lineOf(IR, 'retryPolicy:'));
  });

  it('reads a single-document IR with the stream root as the document itself', () => {
    const doc = asDocument(kubeflowPipeline.parse('p.yaml', IR_HEAD + '---\n'));
    expect(doc.root.type).toBe('map');
    expect(doc.targets).toEqual([]);
    expect(doc.meta).toEqual({ name: 'p', vertex: false, platforms: false });
  });
});

describe('kubeflow-pipeline Vertex PipelineJob', () => {
  it('targets the IR under pipelineSpec and keeps the job fields in root', () => {
    const doc = asDocument(kubeflowPipeline.parse('vertex/job.json', VERTEX));
    expect(targetRows(doc)).toEqual([
      ['executor', 'executors.exec-train', lineOf(VERTEX, '"exec-train": {'), lineOf(VERTEX, '"root": {') - 3],
      ['task', 'tasks.train', lineOf(VERTEX, '"train": {'), lineOf(VERTEX, '"taskInfo": {"name": "train"}') + 1],
    ]);
    expect(doc.meta).toEqual({ name: 'churn-training', vertex: true, platforms: false });
    expect(entry(doc.root, 'encryptionSpec')?.keyLine).toBe(lineOf(VERTEX, '"encryptionSpec"'));
    expect(value(dig(doc.root, 'runtimeConfig', 'gcsOutputDirectory'))).toBe('gs://acme-pipelines/churn');
  });
});

describe('kubeflow-pipeline structure and malformed input', () => {
  it('is not an artifact when the keys do not hold a pipeline spec', () => {
    const reason = { notArtifact: 'no pipeline spec (pipelineInfo + deploymentSpec + root), bare or under a PipelineJob `pipelineSpec`' };
    expect(kubeflowPipeline.parse('p.yaml', 'pipelineInfo: x\ndeploymentSpec: y\nroot: z\n')).toEqual(reason);
    expect(kubeflowPipeline.parse('p.json', '{"pipelineSpec": "gs://bucket/pipeline.json", "runtimeConfig": {}}')).toEqual(reason);
  });

  it('reports bad YAML indentation and duplicate keys at their lines', () => {
    const indent = IR_HEAD + 'defaultPipelineRoot:\n    bucket: gs://x\n  prefix: runs\n';
    expect(asError(kubeflowPipeline.parse('p.yaml', indent))).toMatchObject({ kind: 'kubeflow-pipeline', line: 9, message: expect.stringMatching(/same column/) });
    const dup = IR_HEAD + 'root: {}\n';
    expect(asDocument(kubeflowPipeline.parse('p.yaml', dup)).meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 7 }]); // the last value wins, said as a finding
  });

  it('reports bad JSON at its line', () => {
    const bad = '{\n  "pipelineSpec": {\n    "root": {,}\n  }\n}\n';
    expect(asError(kubeflowPipeline.parse('job.json', bad))).toMatchObject({ line: 3, message: expect.stringMatching(/^JSON: /) });
  });

  it('refuses a YAML alias bomb with a ParseError', () => {
    const text = aliasBomb(IR_HEAD);
    expect(kubeflowPipeline.detect('p.yaml', text)).toBe(true);
    expect(asError(kubeflowPipeline.parse('p.yaml', text))).toMatchObject({ line: 12, message: expect.stringMatching(/aliases/) });
  });

  it('never throws, whatever the text', () => {
    const signature = ['pipelineInfo:\n', 'deploymentSpec:\n', 'root:\n', '  dag:\n', '    tasks:\n', 'executors:', "'{{$.inputs.parameters[''x'']}}'", '{{'];
    neverThrows(kubeflowPipeline, 'p.yaml', signature);
    neverThrows(kubeflowPipeline, 'p.json', ['"pipelineSpec"', '"root": {"dag": {"tasks": ', '"deploymentSpec"', '"pipelineInfo"']);
  });
});
