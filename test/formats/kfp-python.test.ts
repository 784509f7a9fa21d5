/**
 * Kubeflow Pipelines v2 DSL in Python, read statically as the pipeline spec the compiler writes:
 * tasks and executors named as the compiler names them, task settings on the task, container
 * settings on the task's executor, control-flow groups as sub-DAGs, caching overrides of runs in
 * the same file; the compiled-pipeline rules apply as they are, on the lines of the DSL.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

function read(text: string, path = 'pipelines/train.py'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}
const pipeline = (doc: Document, i = 0): Document => {
  const p = doc.embedded?.[i];
  if (!p) throw new Error('no embedded pipeline');
  return p;
};
const node = (doc: Document, address: string): Node => {
  const t = doc.targets.find((x) => x.address === address);
  if (!t) throw new Error(`no target ${address}: ${doc.targets.map((x) => x.address).join(', ')}`);
  return t.node;
};
const at = (n: Node | undefined, path: string): Node | undefined => {
  let cur = n;
  for (const k of path.split('.')) cur = cur?.type === 'map' ? cur.entries.find((e) => e.key === k)?.value : undefined;
  return cur;
};
const reviewed = (text: string, path = 'pipelines/train.py') =>
  review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
const findings = (text: string, path?: string) =>
  reviewed(text, path)
    .findings.map((f) => `${f.rule}@${f.startLine} ${f.address}`)
    .sort();

const TRAIN = `from kfp import dsl
from kfp.dsl import Dataset, Output


@dsl.component(base_image="python:3.12-slim", packages_to_install=["pandas==2.2.3"])
def download_data(out: Output[Dataset]):
    out.path


@dsl.component(base_image="us-docker.pkg.dev/acme/ml/trainer:1.4.2")
def train_model(data: str, epochs: int) -> str:
    return data


@dsl.pipeline(name="churn-train")
def churn_pipeline(epochs: int = 10, cpu: str = "4"):
    data = download_data()
    data.set_caching_options(False)
    data.set_retry(num_retries=3, backoff_duration="60s")
    data.set_cpu_limit("1").set_memory_limit("2G")
    train = train_model(data=data.outputs["out"], epochs=epochs)
    train.set_cpu_limit(cpu)
    train.set_memory_limit("16G")
    train.set_retry(2)
    second = train_model(data=data.outputs["out"], epochs=1)
`;

describe('Kubeflow Pipelines DSL', () => {
  it('is read as the compiled pipeline: tasks and executors named as the compiler names them', () => {
    const doc = read(TRAIN);
    expect(doc.kind).toBe('kfp-vertex-python');
    const p = pipeline(doc);
    expect(p.kind).toBe('kubeflow-pipeline');
    expect(p.span).toMatchObject({ address: 'churn_pipeline', startLine: 15 });
    expect(at(p.root, 'pipelineInfo.name')).toMatchObject({ value: 'churn-train' });
    expect(p.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['executor', 'churn_pipeline.executors.exec-download-data', 17],
      ['task', 'churn_pipeline.tasks.download-data', 17],
      ['executor', 'churn_pipeline.executors.exec-train-model', 21],
      ['task', 'churn_pipeline.tasks.train-model', 21],
      ['executor', 'churn_pipeline.executors.exec-train-model-2', 25],
      ['task', 'churn_pipeline.tasks.train-model-2', 25],
    ]);
    const download = node(p, 'churn_pipeline.tasks.download-data');
    expect(at(download, 'retryPolicy.maxRetryCount')).toMatchObject({ value: 3, startLine: 19 });
    expect(at(download, 'retryPolicy.backoffDuration')).toMatchObject({ value: '60s' });
    expect(at(download, 'retryPolicy.backoffFactor')).toMatchObject({ value: 2 });
    expect(at(download, 'cachingOptions')).toMatchObject({ type: 'map', entries: [] }); // False: proto3 drops it
    expect(at(download, 'componentRef.name')).toMatchObject({ value: 'comp-download-data' });
    const exec = node(p, 'churn_pipeline.executors.exec-download-data');
    expect(at(exec, 'container.image')).toMatchObject({ value: 'python:3.12-slim', startLine: 5 });
    expect(at(exec, 'container.resources.resourceCpuLimit')).toMatchObject({ value: '1' });
    // A pipeline parameter: set, value known only at run time.
    expect(at(node(p, 'churn_pipeline.executors.exec-train-model'), 'container.resources.resourceCpuLimit')).toMatchObject({ type: 'symbolic' });
    expect(at(node(p, 'churn_pipeline.tasks.train-model-2'), 'cachingOptions.enableCache')).toMatchObject({ value: true });
  });

  it('runs the compiled-pipeline rules on the lines of the DSL', () => {
    expect(findings(TRAIN)).toEqual([
      'kfp-executor-resource-limits@25 churn_pipeline.executors.exec-train-model-2',
      'kfp-task-retry@25 churn_pipeline.tasks.train-model-2',
    ]);
  });

  it('defaults: the SDK image, caching on, no retry, no resources', () => {
    const text = `from kfp import dsl

@dsl.component
def fetch_events() -> str:
    return "s3://x"

@dsl.pipeline
def ingest():
    fetch_events()
`;
    const p = pipeline(read(text));
    expect(at(node(p, 'ingest.executors.exec-fetch-events'), 'container.image')).toMatchObject({ value: 'python:3.11', startLine: 3 });
    expect(at(p.root, 'pipelineInfo.name')).toMatchObject({ value: 'ingest' });
    expect(findings(text)).toEqual([
      'kfp-executor-resource-limits@9 ingest.executors.exec-fetch-events',
      'kfp-ingestion-cache@9 ingest.tasks.fetch-events',
      'kfp-task-retry@9 ingest.tasks.fetch-events',
    ]);
  });

  it('a run in the same file that sets enable_caching overrides every task; an unknown one makes caching unknown', () => {
    const base = `from kfp import dsl
from google.cloud import aiplatform

@dsl.component(base_image="python:3.12")
def fetch_events() -> str:
    return "s3://x"

@dsl.pipeline(name="ingest")
def ingest():
    fetch_events().set_retry(1).set_cpu_limit("1").set_memory_limit("1G")

`;
    expect(findings(`${base}job = aiplatform.PipelineJob(display_name="i", template_path="ingest.yaml", enable_caching=False)\n`).filter((f) => f.startsWith('kfp-'))).toEqual([]);
    expect(findings(`${base}def run(cache):\n    aiplatform.PipelineJob(display_name="i", template_path="ingest.yaml", enable_caching=cache)\n`).filter((f) => f.startsWith('kfp-'))).toEqual([]);
    const p = pipeline(read(`${base}def run(cache):\n    aiplatform.PipelineJob(display_name="i", template_path="ingest.yaml", enable_caching=cache)\n`));
    expect(at(node(p, 'ingest.tasks.fetch-events'), 'cachingOptions.enableCache')).toMatchObject({ type: 'symbolic' });
    // A KFP client run of this pipeline, with caching on.
    expect(findings(`${base}from kfp import Client\nClient().create_run_from_pipeline_func(ingest, arguments={}, enable_caching=True)\n`)).toEqual(['kfp-ingestion-cache@13 ingest.tasks.fetch-events']); // where the run turns it on
  });

  it('control flow: If, ParallelFor and ExitHandler blocks are sub-DAGs numbered by one counter', () => {
    const text = `from kfp import dsl

@dsl.component(base_image="python:3.12")
def flip() -> str:
    return "heads"

@dsl.component(base_image="python:3.12")
def report(msg: str):
    print(msg)

@dsl.pipeline(name="flow")
def flow(items: list = [1, 2]):
    cleanup = report(msg="done").set_retry(1)
    with dsl.ExitHandler(cleanup):
        f = flip().set_retry(2)
        with dsl.If(f.output == "heads"):
            report(msg="heads").set_retry(2)
        with dsl.ParallelFor(items) as item:
            report(msg=item)
`;
    const p = pipeline(read(text));
    expect(p.targets.filter((t) => t.type.endsWith('task')).map((t) => [t.address, t.startLine])).toEqual([
      ['flow.tasks.report', 13],
      ['flow.tasks.exit-handler-1', 14],
      ['flow.components.comp-exit-handler-1.tasks.flip', 15],
      ['flow.components.comp-exit-handler-1.tasks.condition-2', 16],
      ['flow.components.comp-condition-2.tasks.report-2', 17],
      ['flow.components.comp-exit-handler-1.tasks.for-loop-3', 18],
      ['flow.components.comp-for-loop-3.tasks.report-3', 19],
    ]);
    const exit = node(p, 'flow.tasks.report');
    expect(at(exit, 'triggerPolicy.strategy')).toMatchObject({ value: 'ALL_UPSTREAM_TASKS_COMPLETED' });
    // Group tasks are not containers to retry; only the loop body's task lacks a retry.
    expect(findings(text).filter((f) => f.startsWith('kfp-task-retry'))).toEqual(['kfp-task-retry@19 flow.components.comp-for-loop-3.tasks.report-3']);
  });

  it('container components take the image, command and args of the ContainerSpec they return', () => {
    const text = `from kfp import dsl

@dsl.container_component
def trainer(epochs: int):
    return dsl.ContainerSpec(
        image="gcr.io/acme/trainer:latest",
        command=["python", "train.py"],
        args=["--epochs", epochs],
    )

@dsl.pipeline(name="c")
def c():
    trainer(epochs=3).set_retry(2).set_cpu_limit("2").set_memory_limit("4G")
`;
    const p = pipeline(read(text));
    expect(at(node(p, 'c.executors.exec-trainer'), 'container.command')).toMatchObject({ type: 'list' });
    expect(findings(text)).toEqual(['kfp-executor-image-pinned@6 c.executors.exec-trainer']);
  });

  it('set_env_variable writes the container env: a literal credential is found on its line', () => {
    const text = `from kfp import dsl

@dsl.component(base_image="python:3.12")
def train():
    pass

@dsl.pipeline(name="e")
def e():
    t = train().set_retry(1).set_cpu_limit("1").set_memory_limit("1G")
    t.set_env_variable("WANDB_MODE", "online")
    t.set_env_variable(name="WANDB_API_KEY", value="3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2")
`;
    expect(findings(text)).toEqual(['kfp-env-literal-secret@11 e.executors.exec-train']);
    const env = at(node(pipeline(read(text)), 'e.executors.exec-train'), 'container.env');
    expect(env).toMatchObject({ type: 'list', items: [{ type: 'map' }, { type: 'map' }] });
  });

  it('components no pipeline of the file uses are executors of their own, resources unknown', () => {
    const text = `from kfp import dsl

@dsl.component(base_image="python:3.8")
def evaluate(model: str) -> float:
    return 0.9
`;
    const doc = read(text, 'components/evaluate.py');
    expect(pipeline(doc).targets.map((t) => t.address)).toEqual(['<components>.executors.exec-evaluate']);
    expect(findings(text, 'components/evaluate.py')).toEqual(['kfp-executor-eol-python-image@3 <components>.executors.exec-evaluate']);
  });

  it('a pipeline called in another is a sub-DAG; its tasks are read once', () => {
    const text = `from kfp import dsl

@dsl.component(base_image="python:3.12")
def step():
    pass

@dsl.pipeline
def inner():
    step().set_retry(1).set_cpu_limit("1").set_memory_limit("1G")

@dsl.pipeline(name="outer")
def outer():
    inner()
    inner()
`;
    const doc = read(text);
    expect(doc.embedded).toHaveLength(1);
    expect(pipeline(doc).targets.filter((t) => t.type.endsWith('task')).map((t) => t.address)).toEqual([
      'outer.components.comp-inner.tasks.step',
      'outer.components.comp-inner-2.tasks.step',
      'outer.tasks.inner',
      'outer.tasks.inner-2',
    ]);
    expect(findings(text)).toEqual([]);
  });

  it('what it cannot read is named, and the file is partly reviewed', () => {
    const text = `from kfp import dsl, components
from my_components.train import train_op

load = components.load_component_from_url("https://example.com/component.yaml")

def helper():
    pass

@dsl.pipeline(name="p")
def p():
    data = load()
    model = train_op(data=data.output)
    model.set_retry(2)
    helper()
`;
    const r = reviewed(text);
    expect(r.stats.notReviewed.map((n) => n.reason)).toEqual([
      'partly reviewed (a Kubeflow Pipelines or Vertex AI Python file): uses Kubeflow Pipelines SDK constructs this reviewer does not read yet: components defined in other modules (train_op), components loaded with load_component_from_url, pipeline code in helper() (tasks a helper function makes are not followed)',
    ]);
    // The tasks are read (their settings are in this file); their executors are not.
    expect(r.findings.map((f) => `${f.rule}@${f.startLine}`)).toEqual(['kfp-task-retry@11']);
  });

  it('KFP v1 APIs are named, not read as v2', () => {
    const text = `import kfp
from kfp import dsl

@dsl.pipeline(name="v1")
def v1():
    dsl.ContainerOp(name="train", image="trainer:latest")
`;
    expect(reviewed(text).stats.notReviewed.map((n) => n.reason)).toEqual([
      'uses Kubeflow Pipelines SDK constructs this reviewer does not read yet: KFP v1 ContainerOp',
    ]);
  });

  it('aliases: kfp.v2, module aliases and imported decorators', () => {
    const text = `import kfp.dsl as d
from kfp.v2.dsl import component as comp, pipeline

@comp(base_image="python:3.9")
def a():
    pass

@pipeline(name="x")
def x():
    with d.Condition(True == True):
        a().set_retry(1).set_cpu_limit("1").set_memory_limit("1G")
`;
    expect(findings(text)).toEqual(['kfp-executor-eol-python-image@4 x.executors.exec-a']);
    expect(pipeline(read(text)).targets.map((t) => t.address)).toContain('x.components.comp-condition-1.tasks.a');
  });

  it('in a notebook, findings land on the lines of the .ipynb file', () => {
    const cells = [
      ['from kfp import dsl\n', '\n', '@dsl.component(base_image="python:3.12")\n', 'def fetch_data() -> str:\n', '    return "x"\n'],
      ['@dsl.pipeline(name="nb")\n', 'def nb():\n', '    fetch_data().set_cpu_limit("1").set_memory_limit("1G")\n'],
    ];
    const notebook = JSON.stringify({ cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null })), metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const line = notebook.split('\n').findIndex((l) => l.includes('fetch_data().set_cpu_limit')) + 1;
    expect(findings(notebook, 'nb.ipynb')).toEqual([`kfp-ingestion-cache@${line} nb.tasks.fetch-data`, `kfp-task-retry@${line} nb.tasks.fetch-data`]);
  });

  it('mangled and hostile input never throws or hangs', () => {
    const pieces = ['@dsl.component', '@dsl.pipeline(name="p")', 'def p():', '    a()', '    with dsl.If(x):', '        a().set_retry(', '    p()', 'a = p', '    a().after(a())', ')', ':', 'dsl.ExitHandler(', 'from kfp import dsl'];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      const text = ['from kfp import dsl', ...Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pieces[Math.floor(rand() * pieces.length)])].join('\n');
      const c = classify('p.py', text);
      expect(['document', 'error', 'none']).toContain(c.type);
    }
    // A pipeline that calls itself, and one with thousands of tasks.
    const self = `from kfp import dsl\n@dsl.component\ndef a():\n    pass\n@dsl.pipeline\ndef p():\n    p()\n    a()\n`;
    expect(classify('p.py', self).type).toBe('document');
    const many = `from kfp import dsl\n@dsl.component\ndef a():\n    pass\n@dsl.pipeline\ndef p():\n${'    a()\n'.repeat(3000)}`;
    const c = classify('p.py', many);
    expect(c.type).toBe('document');
    if (c.type === 'document') expect(c.document.meta?.['unread']).toMatch(/tasks beyond the first 2000/);
  });
});
