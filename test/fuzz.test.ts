/**
 * Property-based fuzzing of every parser through the classifier: whatever the bytes, classify()
 * returns a document, a parse error or "none" — it never throws — and parse errors point at a
 * line inside the file. Inputs are mutations of real-looking fixtures of every kind, under the
 * paths that route them to each format module.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.js';
import { classify } from '../src/formats/index.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/formats/${name}`, import.meta.url)), 'utf8');

/** A path that routes to each kind, with a seed text of that kind. */
const SEEDS: { path: string; text: string }[] = [
  {
    path: 'infra/main.tf',
    text: [
      'resource "aws_sagemaker_endpoint_configuration" "ec" {',
      '  name = "ec-${var.env}"',
      '  kms_key_arn = aws_kms_key.ml.arn',
      '  production_variants {',
      '    variant_name = "AllTraffic"',
      '    initial_instance_count = 2',
      '  }',
      '  dynamic "data_capture_config" {',
      '    for_each = var.capture ? [1] : []',
      '    content { enable_capture = true }',
      '  }',
      '  policy = <<EOF',
      '{"Version": "2012-10-17", "Statement": []}',
      'EOF',
      '}',
      '',
    ].join('\n'),
  },
  { path: 'infra/main.tf.json', text: '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x-${var.env}"}}}}' },
  { path: 'infra/endpoint.yaml', text: fixture('cfn-endpoint.yaml') },
  { path: 'cdk.out/Churn.template.json', text: fixture('cdk-churn.template.json') },
  { path: 'pipelines/definition.json', text: fixture('sm-pipeline-definition.json') },
  { path: 'modules/p/pipeline-definition.json.tpl', text: fixture('sm-pipeline-definition.json.tpl') },
  { path: 'statemachine/train.asl.json', text: fixture('train-model.asl.json') },
  { path: 'statemachine/score.asl.yaml', text: fixture('score.asl.yaml') },
  { path: 'pipelines/train_pipeline.yaml', text: fixture('kfp-train-pipeline.yaml') },
  { path: 'pipelines/job.json', text: fixture('vertex-pipeline-job.json') },
  { path: 'pipelines/v1.yaml', text: fixture('kfp-v1-workflow.yaml') },
  { path: 'deploy/serving.yaml', text: fixture('k8s-serving.yaml') },
  { path: '.github/workflows/train.yml', text: fixture('train-workflow.yml') },
  { path: '.gitlab-ci.yml', text: fixture('gitlab-ci.yml') },
  { path: 'buildspec.yml', text: fixture('buildspec.yml') },
  { path: 'dvc.yaml', text: fixture('dvc.yaml') },
  { path: 'params.yaml', text: fixture('params.yaml') },
  { path: 'MLproject', text: fixture('MLproject') },
  { path: 'model/README.md', text: fixture('hf-README.md') },
  { path: 'model_card.json', text: fixture('sagemaker-model-card.json') },
  { path: 'docs/model_card.mct.json', text: fixture('mct-model-card.json') },
  {
    path: 'jobs/deploy.py',
    text: [
      'import boto3',
      'KMS = "arn:aws:kms:eu-west-1:111122223333:key/abc"',
      'sm = boto3.client("sagemaker")',
      'def deploy(name, count=1):',
      '    """Deploys # the model."""',
      '    sm.create_model(ModelName=name, ExecutionRoleArn=f"arn:{name}", PrimaryContainer={"Image": "i", "ModelDataUrl": "s3://b/m"})',
      '    sm.create_endpoint_config(EndpointConfigName=name, KmsKeyId=KMS, ProductionVariants=[{"VariantName": "v", "InitialInstanceCount": count}])',
      '    sm.create_endpoint(EndpointName=name, EndpointConfigName=name, **{"Tags": []})',
      '',
    ].join('\n'),
  },
  { path: 'pipelines/pipeline.py', text: readFileSync(new URL('../examples/before/pipelines/pipeline.py', import.meta.url), 'utf8') },
  { path: 'notebooks/deploy.ipynb', text: readFileSync(new URL('../examples/before/notebooks/deploy.ipynb', import.meta.url), 'utf8') },
  { path: 'infra/ml_stack.py', text: readFileSync(new URL('./fixtures/cdk/ml_stack.py', import.meta.url), 'utf8') },
  { path: 'lib/ml-stack.ts', text: readFileSync(new URL('./fixtures/cdk/ml-stack.ts', import.meta.url), 'utf8') },
  {
    path: 'pipelines/kfp_pipeline.py',
    text: [
      'from kfp import dsl, kubernetes',
      '',
      '@dsl.component(base_image="python:3.12", packages_to_install=["pandas==2.2.3"])',
      'def fetch(n: int) -> str:',
      '    return "x" * n',
      '',
      '@dsl.container_component',
      'def trainer(data: str):',
      '    return dsl.ContainerSpec(image="gcr.io/acme/trainer:1.2", command=["python", "train.py"], args=[data])',
      '',
      '@dsl.pipeline(name="p")',
      'def p(cpu: str = "2"):',
      '    f = fetch(n=3).set_retry(2).set_caching_options(False)',
      '    cleanup = fetch(n=0)',
      '    with dsl.ExitHandler(cleanup):',
      '        with dsl.If(f.output == "x"):',
      '            t = trainer(data=f.output)',
      '            t.set_cpu_limit(cpu).set_memory_limit("4G").set_env_variable("MODE", "full")',
      '            t.set_accelerator_type("NVIDIA_L4").set_accelerator_limit(1).after(f)',
      '            kubernetes.use_secret_as_env(t, secret_name="db", secret_key_to_env={"pw": "DB_PASSWORD"})',
      '        with dsl.ParallelFor([1, 2]) as n:',
      '            fetch(n=n)',
      '',
    ].join('\n'),
  },
  {
    path: 'jobs/vertex_train.py',
    text: [
      'from google.cloud import aiplatform as aip',
      'aip.init(project="p", location="europe-west4", encryption_spec_key_name=KEY, service_account="sa@p.iam.gserviceaccount.com")',
      'job = aip.CustomContainerTrainingJob(display_name="t", container_uri="europe-docker.pkg.dev/p/t:1.2", model_serving_container_image_uri="europe-docker.pkg.dev/p/s:1.2")',
      'model = job.run(replica_count=3, machine_type="a2-highgpu-1g", accelerator_type="NVIDIA_TESLA_A100", accelerator_count=1, timeout=7200, network=NET)',
      'endpoint = model.deploy(min_replica_count=2, max_replica_count=4, traffic_split={"0": 100}, **extra)',
      'aip.PipelineJob(display_name="p", template_path="p.yaml", enable_caching=False).submit()',
      '',
    ].join('\n'),
  },
  {
    path: 'dags/train_dag.py',
    text: [
      'from datetime import datetime, timedelta',
      'from airflow import DAG',
      'from airflow.decorators import task',
      'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator',
      'from kubernetes.client import models as k8s',
      'args = {"retries": 2, "retry_delay": timedelta(minutes=5), "execution_timeout": timedelta(hours=2)}',
      'with DAG("train", schedule="@daily", start_date=datetime(2026, 1, 1), default_args=args, catchup=False) as dag:',
      '    pod = KubernetesPodOperator(task_id="train", image="r/train:1.0", env_vars={"MODE": "full"},',
      '        container_resources=k8s.V1ResourceRequirements(limits={"cpu": "2", "memory": "4Gi"}))',
      '    @task',
      '    def evaluate(x: int) -> float:',
      '        return 0.9',
      '    pod >> evaluate(1)',
      '',
    ].join('\n'),
  },
  {
    path: 'dags/factory.yaml',
    text: [
      'default:',
      '  default_args: {owner: ml, retries: 1, retry_delay_sec: 300}',
      'churn:',
      '  schedule_interval: "@daily"',
      '  tasks:',
      '    train:',
      '      operator: airflow.operators.bash.BashOperator',
      '      bash_command: python train.py',
      '      execution_timeout_secs: 3600',
      '    score:',
      '      operator: airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator',
      '      image: r/score:2.1',
      '      dependencies: [train]',
      '',
    ].join('\n'),
  },
  {
    path: 'infra/data_stack.py',
    text: [
      'from aws_cdk import Duration, aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_stepfunctions_tasks as tasks',
      'class Data:',
      '    def __init__(self, scope):',
      '        key = kms.Key(self, "Key", enable_key_rotation=True)',
      '        bucket = s3.Bucket(self, "Raw", encryption_key=key, versioned=True, enforce_ssl=True, lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))])',
      '        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))',
      '        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"], resources=[bucket.arn_for_objects("*")]))',
      '        logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_MONTH)',
      '        tasks.SageMakerCreateTrainingJob(self, "Train", training_job_name="t", algorithm_specification=tasks.AlgorithmSpecification(training_image=tasks.DockerImage.from_registry("r/t:1")), input_data_config=[], output_data_config=tasks.OutputDataConfig(s3_output_location=tasks.S3Location.from_bucket(bucket, "out")))',
      '',
    ].join('\n'),
  },
];

const NOISE = ['{', '}', '[', ']', ':', ',', '"', "'", '\n', '\t', '(', ')', '"""', 'def ', '**', 'f"{', '  ', '- ', '---\n', '!Ref ', '${', '<<EOF\n', '#', '&a ', '*a', '\u0000', '\uFEFF', '😀', '\r\n', '`', '<!--'];

/** A mutation of `text`: slices deleted, duplicated or replaced by noise at random points. */
const mutation = (text: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat({ max: Math.max(0, text.length) }),
        cut: fc.nat({ max: 40 }),
        insert: fc.oneof(fc.constantFrom(...NOISE), fc.string({ maxLength: 12 }), fc.constant(text.slice(0, 60))),
      }),
      { minLength: 1, maxLength: 6 },
    )
    .map((edits) => {
      let s = text;
      for (const e of edits) {
        const at = Math.min(e.at, s.length);
        s = s.slice(0, at) + e.insert + s.slice(at + e.cut);
      }
      return s;
    });

function check(path: string, text: string): void {
  const r = classify(path, text);
  if (r.type === 'error') {
    expect(r.error.message.length).toBeGreaterThan(0);
    expect(r.error.line).toBeGreaterThanOrEqual(1);
    // Line numbers stay inside the file (a missing token at the end may point one line past).
    expect(r.error.line).toBeLessThanOrEqual(text.split('\n').length + 1);
  }
}

beforeAll(async () => {
  await createEngine();
});

describe('every parser survives mutated input', () => {
  it('seeds parse cleanly as their kind', () => {
    for (const s of SEEDS) {
      const r = classify(s.path, s.text);
      expect(r.type === 'document', `${s.path}: ${JSON.stringify(r).slice(0, 200)}`).toBe(true);
    }
  });

  for (const seed of SEEDS) {
    it(`${seed.path}: mutations never throw`, () => {
      fc.assert(
        fc.property(mutation(seed.text), (text) => check(seed.path, text)),
        { numRuns: 120, seed: 20261128 },
      );
    });
  }

  it('arbitrary unicode under every path never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS.map((s) => s.path)), fc.string({ unit: 'grapheme', maxLength: 200 }), (path, text) =>
        check(path, text),
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
