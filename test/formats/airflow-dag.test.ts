/**
 * Airflow DAGs (src/formats/airflow-dag.ts): DAGs and tasks read from Python (`with DAG`, `DAG()`,
 * `@dag`, operators, `@task`) and dag-factory YAML, with `default_args` merged as Airflow merges
 * them, unknown values kept unknown, and the rules of rules/airflow.yaml on the right lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/formats/index.js';
import type { Document, MapNode, Node, Target } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

const review = await reviewer();

function read(text: string, path = 'dags/churn.py'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  expect(c.document.kind).toBe('airflow-dag');
  return c.document;
}

const target = (doc: Document, address: string): Target => {
  const t = doc.targets.find((x) => x.address === address);
  if (!t) throw new Error(`no target ${address} in ${doc.targets.map((x) => x.address).join(', ')}`);
  return t;
};
const get = (n: Node | undefined, key: string): Node | undefined => (n?.type === 'map' ? n.entries.find((e) => e.key === key)?.value : undefined);
const value = (n: Node | undefined): unknown => (n?.type === 'scalar' ? n.value : n?.type === 'symbolic' ? `<unknown ${n.expr}>` : n === undefined ? '<absent>' : `<${n.type}>`);

/** `rule@line` of the airflow-* findings of a file reviewed as added. */
function findings(text: string, path = 'dags/churn.py'): string[] {
  const r = review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
  return r.findings
    .filter((f) => f.rule.startsWith('airflow-'))
    .map((f) => `${f.rule}@${f.startLine}`)
    .sort();
}

const DAG_FILE = `from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.utils.task_group import TaskGroup

from churn.steps import evaluate_model, load_features

default_args = {
    "owner": "ml",
    "retries": 0,
    "retry_delay": timedelta(minutes=5),
    "execution_timeout": timedelta(hours=2),
}

with DAG(
    dag_id="churn_training",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    default_args=default_args,
) as dag:
    features = PythonOperator(task_id="features", python_callable=load_features)
    train = BashOperator(
        task_id="train",
        bash_command="python train.py --epochs 3",
        retries=3,
        execution_timeout=None,
    )
    with TaskGroup("checks", default_args={"retries": 1}) as checks:
        evaluate = PythonOperator(task_id="evaluate", python_callable=evaluate_model)
    features >> train >> evaluate
`;

describe('Python DAGs', () => {
  it('read the DAG and each task, positioned on their calls', () => {
    const doc = read(DAG_FILE);
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['dag', 'dags.churn_training', 17],
      ['task', 'dags.churn_training.features', 23],
      ['task', 'dags.churn_training.train', 24],
      ['task', 'dags.churn_training.evaluate', 31],
    ]);
    const dag = target(doc, 'dags.churn_training').node;
    expect(value(get(dag, 'schedule'))).toBe('@daily');
    const tasks = get(dag, 'tasks');
    expect(tasks?.type === 'list' ? tasks.items.map((t) => value(get(t, 'task_id'))) : []).toEqual(['features', 'train', 'evaluate']);
  });

  it('merge default_args into each task: the task wins, None is no setting, a task group is a layer', () => {
    const doc = read(DAG_FILE);
    const features = target(doc, 'dags.churn_training.features').node;
    const train = target(doc, 'dags.churn_training.train').node;
    const evaluate = target(doc, 'dags.churn_training.evaluate').node;
    // From default_args, positioned where default_args sets it; durations in seconds.
    expect(value(get(features, 'retries'))).toBe(0);
    expect(get(features, 'retries')?.startLine).toBe(12);
    expect(value(get(features, 'retry_delay'))).toBe(300);
    expect(value(get(features, 'execution_timeout'))).toBe(7200);
    // The task's own value wins; its explicit None removes the default.
    expect(value(get(train, 'retries'))).toBe(3);
    expect(get(train, 'execution_timeout')).toBeUndefined();
    // The TaskGroup's default_args are merged over the DAG's.
    expect(value(get(evaluate, 'retries'))).toBe(1);
    expect(value(get(evaluate, 'execution_timeout'))).toBe(7200);
    // The DAG's settings are the task's `dag`.
    expect(value(get(get(train, 'dag'), 'dag_id'))).toBe('churn_training');
  });

  it('mark ML tasks: a Bash ML command line, a callable named for evaluation; not feature loading', () => {
    const doc = read(DAG_FILE);
    expect(value(get(target(doc, 'dags.churn_training.train').node, 'ml_kind'))).toBe('cli');
    expect(value(get(target(doc, 'dags.churn_training.evaluate').node, 'ml_kind'))).toBe('python-callable');
    expect(value(get(target(doc, 'dags.churn_training.features').node, 'ml'))).toBe(false);
  });

  it('find what the rules say on the lines that say it', () => {
    expect(findings(DAG_FILE)).toEqual([
      'airflow-dag-failure-notification@17',
      // train: retries 3 but execution_timeout=None on its own call.
      'airflow-ml-task-timeout@24',
    ]);
    // retries 0 in default_args fails on the default_args line for the ML task that takes it.
    const noGroup = DAG_FILE.replace('with TaskGroup("checks", default_args={"retries": 1}) as checks:', 'if True:');
    expect(findings(noGroup)).toEqual(['airflow-dag-failure-notification@17', 'airflow-ml-task-retries@12', 'airflow-ml-task-timeout@24']);
    // A DAG callback notifies for every task.
    const notified = DAG_FILE.replace('    default_args=default_args,\n', '    default_args=default_args,\n    on_failure_callback=alert,\n');
    expect(findings(notified)).toEqual(['airflow-ml-task-timeout@25']); // one line lower
  });

  it('read dag= tasks of a DAG bound to a name, and @dag functions with @task functions called in them', () => {
    const text = `from airflow import DAG
from airflow.decorators import dag, task
from airflow.operators.python import PythonOperator

churn = DAG("churn", default_args={"retries": 2})
fit = PythonOperator(task_id="fit", python_callable=fit_model, dag=churn)

@task(retries=1)
def predict_batch():
    pass

@dag(schedule=None, default_args={"execution_timeout": 600})
def scoring():
    @task.bash
    def train():
        return "dvc repro train"
    train()
    predict_batch()

scoring()
`;
    const doc = read(text);
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['dag', 'dags.churn', 5],
      ['task', 'dags.churn.fit', 6],
      ['task', 'dags.scoring.predict_batch', 8],
      ['dag', 'dags.scoring', 12],
      ['task', 'dags.scoring.train', 14],
    ]);
    expect(value(get(target(doc, 'dags.churn.fit').node, 'retries'))).toBe(2);
    // A @task defined at module level and called in the @dag function is that DAG's.
    const predict = target(doc, 'dags.scoring.predict_batch').node;
    expect([value(get(predict, 'retries')), value(get(predict, 'execution_timeout')), value(get(predict, 'ml_kind'))]).toEqual([1, 600, 'python-callable']);
    const train = target(doc, 'dags.scoring.train').node;
    expect([value(get(train, 'operator')), value(get(train, 'ml_kind')), value(get(train, 'retries'))]).toEqual(['@task.bash', 'cli', '<absent>']);
  });

  it('leave unknown what cannot be known: a default_args call, **kwargs, a DAG that is not found, a Variable, a template', () => {
    const text = `from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator

def make(dag):
    return BashOperator(task_id="loose", bash_command="python train.py", dag=dag)

with DAG("a", default_args=load_defaults()) as a:
    BashOperator(task_id="t1", bash_command="python train.py")
    BashOperator(task_id="t2", bash_command="python train.py", retries=Variable.get("retries"), **extra)
    BashOperator(task_id="t3", bash_command="{{ params.cmd }}", retries=2, execution_timeout=3600)
`;
    const doc = read(text);
    const t1 = target(doc, 'dags.a.t1').node;
    expect(get(t1, 'retries')?.type).toBe('symbolic');
    expect(get(t1, 'execution_timeout')?.type).toBe('symbolic');
    const t2 = target(doc, 'dags.a.t2').node;
    expect(get(t2, 'retries')?.type).toBe('symbolic');
    expect(get(t2, 'on_failure_callback')?.type).toBe('symbolic');
    // A templated command is unknown: no ML command line is seen in it.
    const t3 = target(doc, 'dags.a.t3').node;
    expect([get(t3, 'bash_command')?.type, value(get(t3, 'ml'))]).toEqual(['symbolic', false]);
    // Built by a helper with its DAG as a parameter: the DAG, and what its default_args set, are unknown.
    const loose = target(doc, 'tasks.make.loose').node;
    expect([get(loose, 'dag')?.type, get(loose, 'retries')?.type]).toEqual(['symbolic', 'symbolic']);
    expect(findings(text)).toEqual([]);
  });

  it('follow a helper function to the DAG around its only caller', () => {
    const text = `from airflow import DAG
from airflow.operators.bash import BashOperator

def train_task():
    return BashOperator(task_id="train", bash_command="mlflow run . -e train")

with DAG("nightly", default_args={"retries": 1}) as dag:
    train_task()
`;
    const doc = read(text);
    const train = target(doc, 'dags.nightly.train');
    expect(train.startLine).toBe(5);
    expect(value(get(train.node, 'retries'))).toBe(1);
    expect(findings(text)).toEqual(['airflow-dag-failure-notification@7', 'airflow-ml-task-timeout@5']);
  });
});

describe('KubernetesPodOperator', () => {
  const text = `from datetime import datetime

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

with DAG("pods", start_date=datetime(2024, 1, 1), default_args={"retries": 1, "execution_timeout": 3600, "on_failure_callback": alert}) as dag:
    train = KubernetesPodOperator(
        task_id="train",
        name="train",
        image="ghcr.io/acme/train:latest",
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "2"}),
        env_vars=[k8s.V1EnvVar(name="HF_TOKEN", value="hf_abcdefghijklmnopqrstuvwxyz0123456789")],
    )
    score = KubernetesPodOperator(
        task_id="score",
        name="score",
        image="{{ var.value.score_image }}",
        container_resources=k8s.V1ResourceRequirements(limits={"memory": "8Gi"}),
        env_vars={"WANDB_API_KEY": "{{ var.value.wandb }}", "MODE": "batch"},
    )
    templated = KubernetesPodOperator(task_id="templated", name="t", pod_template_file="/pods/train.yaml")
`;

  it('read the pod settings: image, resources as Kubernetes has them, the environment as a list', () => {
    const doc = read(text);
    const train = target(doc, 'dags.pods.train').node;
    expect([value(get(train, 'pod')), value(get(train, 'ml_kind')), value(get(train, 'image'))]).toEqual([true, 'kubernetes', 'ghcr.io/acme/train:latest']);
    expect(value(get(get(get(train, 'container_resources'), 'requests'), 'cpu'))).toBe('2');
    const env = get(train, 'env_vars');
    expect(env?.type).toBe('list');
    expect(value(get((env as { items: Node[] }).items[0], 'name'))).toBe('HF_TOKEN');
    const score = target(doc, 'dags.pods.score').node;
    expect(get(score, 'image')?.type).toBe('symbolic');
    const scoreEnv = get(score, 'env_vars') as { items: MapNode[] };
    expect(scoreEnv.items.map((i) => [value(get(i, 'name')), get(i, 'value')?.type])).toEqual([
      ['WANDB_API_KEY', 'symbolic'],
      ['MODE', 'scalar'],
    ]);
  });

  it('flag a moving image, a pod without limits and a literal token on the task, and nothing unknown', () => {
    expect(findings(text)).toEqual(['airflow-env-literal-secret@13', 'airflow-pod-image-pinned@11', 'airflow-pod-resource-limits@8']);
  });
});

describe('dag-factory YAML', () => {
  const yaml = `default:
  default_args:
    owner: ml
    start_date: 2024-01-01
    retries: 1
  schedule_interval: "@daily"

churn_training:
  default_args:
    execution_timeout_secs: 3600
  tasks:
    extract:
      operator: airflow.operators.bash.BashOperator
      bash_command: echo extract
    train:
      operator: airflow.operators.bash.BashOperator
      bash_command: python train.py
      retries: 0
      dependencies: [extract]
    score:
      operator: airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator
      image: ghcr.io/acme/score
      on_failure_callback_name: alert
      on_failure_callback_file: /usr/local/airflow/dags/alerts.py
`;

  it('read each DAG and task, with the default block and default_args merged', () => {
    const doc = read(yaml, 'dags/churn.yaml');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['dag', 'dags.churn_training', 8],
      ['task', 'dags.churn_training.extract', 12],
      ['task', 'dags.churn_training.train', 15],
      ['task', 'dags.churn_training.score', 20],
    ]);
    const train = target(doc, 'dags.churn_training.train').node;
    expect([value(get(train, 'retries')), value(get(train, 'execution_timeout')), value(get(train, 'ml_kind'))]).toEqual([0, 3600, 'cli']);
    expect(get(train, 'retries')?.startLine).toBe(18);
    const extract = target(doc, 'dags.churn_training.extract').node;
    expect([value(get(extract, 'retries')), value(get(extract, 'ml'))]).toEqual([1, false]);
    expect(value(get(target(doc, 'dags.churn_training').node, 'schedule_interval'))).toBe('@daily');
    expect(get(target(doc, 'dags.churn_training.score').node, 'on_failure_callback')?.type).toBe('scalar');
  });

  it('get the same rules as a Python DAG, on the YAML lines', () => {
    expect(findings(yaml, 'dags/churn.yaml')).toEqual([
      'airflow-dag-failure-notification@8',
      'airflow-ml-task-retries@18',
      'airflow-pod-image-pinned@22',
      'airflow-pod-resource-limits@20',
    ]);
  });

  it('read tasks given as a list, and leave other YAML to other kinds', () => {
    const list = `nightly:\n  tasks:\n    - task_id: fit\n      operator: airflow.operators.python.PythonOperator\n      python_callable_name: fit_model\n      python_callable_file: /dags/fit.py\n`;
    const doc = read(list, 'dags/nightly.yml');
    expect(doc.targets.map((t) => t.address)).toEqual(['dags.nightly', 'dags.nightly.fit']);
    expect(value(get(target(doc, 'dags.nightly.fit').node, 'ml_kind'))).toBe('python-callable');
    // A file with `tasks` and `operator` words that is no dag-factory config.
    expect(classify('config/app.yaml', 'tasks:\n  - name: build\n    operator: alice\n').type).toBe('none');
  });
});

describe('Airflow files that are no DAG', () => {
  it('a plugin defining an operator is no artifact and is not listed as not reviewed', () => {
    const plugin = `from airflow.models import BaseOperator
from airflow.plugins_manager import AirflowPlugin

class TrainOperator(BaseOperator):
    def execute(self, context):
        return 1

class MlPlugin(AirflowPlugin):
    name = "ml"
`;
    expect(classify('plugins/ml.py', plugin)).toMatchObject({ type: 'none' });
    const r = review(changeSetOf([{ path: 'plugins/ml.py', status: 'added', base: null, head: plugin }]));
    expect(r.stats.notReviewed).toEqual([]);
    expect(r.stats.byKind).toEqual({});
  });

  it('a DAG file is read, not listed as unread Airflow', () => {
    const r = review(changeSetOf([{ path: 'dags/churn.py', status: 'added', base: null, head: DAG_FILE }]));
    expect(r.stats.byKind).toEqual({ 'airflow-dag': 1 });
    expect(r.stats.notReviewed).toEqual([]);
  });

  it('a syntax error is a parse error of the kind, on its line', () => {
    const c = classify('dags/bad.py', 'from airflow import DAG\nwith DAG("x") as dag\n    pass\n');
    expect(c).toMatchObject({ type: 'error', error: { kind: 'airflow-dag', line: 2 } });
  });
});

describe('mangled input', () => {
  const YAML = `default:\n  default_args: {retries: 1}\nd:\n  tasks:\n    t:\n      operator: a.b.BashOperator\n      bash_command: python train.py\n`;
  const mutation = (seed: string) =>
    fc.array(fc.record({ at: fc.nat({ max: seed.length }), cut: fc.nat({ max: 12 }), insert: fc.constantFrom('', '(', ')', '{', '}', '[', ':', '"', "'", '\n', '    ', '**', 'DAG(', '@dag\n', '@task\n', 'with ', ' as ', 'task_id=', 'dag=dag', '- ', '{{', '\u0000') }), { maxLength: 6 }).map((edits) => {
      let s = seed;
      for (const e of edits) s = s.slice(0, Math.min(e.at, s.length)) + e.insert + s.slice(Math.min(e.at, s.length) + e.cut);
      return s;
    });

  for (const [path, seed] of [
    ['dags/churn.py', DAG_FILE],
    ['dags/churn.yaml', YAML],
  ] as const) {
    it(`${path}: never throws, never fails inside, and ends quickly`, () => {
      const started = Date.now();
      fc.assert(
        fc.property(mutation(seed), (text) => {
          const r = classify(path, text);
          // guard() turns a bug of ours into "could not read the file": there must be none.
          if (r.type === 'error') expect(r.error.message).not.toMatch(/^could not read the file/);
        }),
        { numRuns: 150, seed: 20261128 },
      );
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  }

  it('deeply nested and self-referring values end', () => {
    const nested = `from airflow import DAG\nfrom airflow.operators.bash import BashOperator\nA = [B]\nB = [A]\nX = {"k": X}\nwith DAG("d", default_args={"retries": ${'['.repeat(200)}1${']'.repeat(200)}}) as dag:\n    BashOperator(task_id="t", bash_command="python train.py", env=X, retries=A)\n`;
    const r = classify('dags/d.py', nested);
    expect(['document', 'error']).toContain(r.type);
  });
});
