/**
 * boto3 SageMaker calls read from Python, statically: their keyword arguments are the API request,
 * resolved as a reader would, and the rules of the pipeline and CloudFormation formats apply to
 * them as they are, where they read nothing but the request.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import { commentsOf } from '../../src/comments.js';
import type { Document, MapNode, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

function read(text: string, path = 'jobs/train.py'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}

function request(doc: Document, address: string): MapNode {
  const t = doc.targets.find((x) => x.address === address);
  if (!t || t.node.type !== 'map') throw new Error(`no target ${address}`);
  return t.node.entries[0]!.value as MapNode;
}

const get = (m: MapNode, key: string): Node | undefined => m.entries.find((e) => e.key === key)?.value;

const TRAINING = `import os
import boto3

ROLE = "arn:aws:iam::111122223333:role/train"
KMS = "arn:aws:kms:eu-west-1:111122223333:key/abc"
INSTANCE = "ml.m5.xlarge"
sm = boto3.client("sagemaker")

def run(bucket, name):
    volume_kms = KMS
    sm.create_training_job(
        TrainingJobName=f"job-{name}",
        RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "123.dkr.ecr.eu-west-1.amazonaws.com/xgb@sha256:ab", "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": "s3://" + bucket + "/out", "KmsKeyId": KMS},
        ResourceConfig={"InstanceType": INSTANCE, "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": volume_kms},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        EnableNetworkIsolation=True,
        EnableInterContainerTrafficEncryption=True,
        VpcConfig={"Subnets": ["subnet-1"], "SecurityGroupIds": [os.environ["SG"]]},
    )
`;

describe('reading boto3 SageMaker calls', () => {
  it('maps each call to the target its request answers, addressed by function and call', () => {
    const doc = read(TRAINING);
    expect(doc.kind).toBe('sagemaker-python');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([['Training', 'run.create_training_job', 11]]);
  });

  it('resolves literals, module constants, names bound once in the function and dicts; the rest is unknown', () => {
    const req = request(read(TRAINING), 'run.create_training_job');
    expect(get(req, 'RoleArn')).toMatchObject({ type: 'scalar', value: 'arn:aws:iam::111122223333:role/train' });
    const resources = get(req, 'ResourceConfig') as MapNode;
    expect(get(resources, 'InstanceType')).toMatchObject({ type: 'scalar', value: 'ml.m5.xlarge' });
    expect(get(resources, 'VolumeKmsKeyId')).toMatchObject({ type: 'scalar', value: 'arn:aws:kms:eu-west-1:111122223333:key/abc' });
    expect(get(req, 'EnableNetworkIsolation')).toMatchObject({ type: 'scalar', value: true });
    expect(get(req, 'TrainingJobName')).toMatchObject({ type: 'symbolic' }); // an f-string with a value in it
    expect(get(get(req, 'OutputDataConfig') as MapNode, 'S3OutputPath')).toMatchObject({ type: 'symbolic' }); // arithmetic on a parameter
    const vpc = get(req, 'VpcConfig') as MapNode;
    expect((get(vpc, 'SecurityGroupIds') as { items: Node[] }).items[0]).toMatchObject({ type: 'symbolic' }); // os.environ
    // Arguments are positioned on their own lines, so findings land there.
    expect(req.entries.find((e) => e.key === 'RoleArn')!.keyLine).toBe(13);
  });

  it('a name bound twice, a function parameter and **kwargs stay unknown', () => {
    const doc = read(`import boto3
sm = boto3.client("sagemaker")
KMS = "a"
KMS = "b"
def deploy(kms, extra):
    sm.create_endpoint_config(EndpointConfigName="c", KmsKeyId=KMS, ProductionVariants=[{"VariantName": "v", "InitialInstanceCount": kms}])
    sm.create_endpoint_config(EndpointConfigName="d", **extra)
`);
    const first = request(doc, 'deploy.create_endpoint_config');
    expect(get(first, 'KmsKeyId')).toMatchObject({ type: 'symbolic', refs: ['KMS'] });
    const variant = (get(first, 'ProductionVariants') as { items: MapNode[] }).items[0]!;
    expect(get(variant, 'InitialInstanceCount')).toMatchObject({ type: 'symbolic', refs: ['kms'] });
    const second = doc.targets.find((t) => t.address === 'deploy.create_endpoint_config#2')!;
    expect((second.node as MapNode).entries[0]!.value.type).toBe('symbolic');
  });

  it('reads a pipeline parameter as a reference, like the pipeline JSON format', () => {
    const doc = read(`import boto3
from sagemaker.workflow.parameters import ParameterString
sm = boto3.client("sagemaker")
instance = ParameterString(name="TrainingInstanceType", default_value="ml.m5.xlarge")
sm.create_processing_job(ProcessingJobName="p", ProcessingResources={"ClusterConfig": {"InstanceType": instance, "InstanceCount": 1, "VolumeSizeInGB": 30}})
`);
    const cluster = get(get(request(doc, '<module>.create_processing_job'), 'ProcessingResources') as MapNode, 'ClusterConfig') as MapNode;
    expect(get(cluster, 'InstanceType')).toMatchObject({ type: 'symbolic', refs: ['Parameters.TrainingInstanceType', 'instance'] });
  });

  it('is not an artifact without a mapped call, and a syntax error is a parse error on its line', () => {
    expect(classify('a.py', 'import boto3\nsm = boto3.client("sagemaker")\nsm.list_models()\n')).toMatchObject({ type: 'none' });
    expect(classify('a.py', 'import numpy\n')).toMatchObject({ type: 'none' });
    expect(classify('a.py', 'import boto3\nsm = boto3.client("sagemaker")\ndef f(:\n    sm.create_model(ModelName="m")\n')).toMatchObject({ type: 'error', error: { kind: 'sagemaker-python', line: 3 } });
  });

  it('refuses values nested past the limit with a parse error that names it, never a stack overflow', () => {
    const deep = `import boto3\nsm = boto3.client("sagemaker")\nX = ${'['.repeat(20_000)}${']'.repeat(20_000)}\nsm.create_model(ModelName="m", Containers=X)\n`;
    expect(classify('deep.py', deep)).toMatchObject({ type: 'error', error: { kind: 'sagemaker-python', line: 3, message: 'a value nested deeper than 256 levels' } });
  });

  it('finds # comments outside strings only', () => {
    const text = 'x = "# not a comment"  # a comment\ny = """\n# still a string\n"""\n# last\n';
    expect(commentsOf('python', text)).toEqual([
      { line: 1, text: ' a comment' },
      { line: 5, text: ' last' },
    ]);
  });
});

describe('rules on boto3 calls', () => {
  const deploy = `import boto3
sm = boto3.client("sagemaker")

def deploy(name):
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
    )
`;

  it('apply the CloudFormation endpoint rules to create_endpoint_config, on the call or the argument', () => {
    const r = review(changeSetOf([{ path: 'code/deploy.py', status: 'added', base: null, head: deploy }]));
    const byRule = new Map(r.findings.map((f) => [f.rule, f]));
    expect(byRule.get('sagemaker-endpoint-kms')).toMatchObject({ startLine: 5, address: 'deploy.create_endpoint_config', status: 'new' });
    expect(byRule.get('sagemaker-endpoint-data-capture')).toMatchObject({ startLine: 5 });
    expect(byRule.get('sagemaker-endpoint-multi-instance')).toMatchObject({ startLine: 7 });
  });

  it('apply pipeline training rules to create_training_job, but not those about the pipeline step', () => {
    const bare = `import boto3
sm = boto3.client("sagemaker")
sm.create_training_job(TrainingJobName="t", RoleArn="r", AlgorithmSpecification={"TrainingImage": "i", "TrainingInputMode": "File"}, OutputDataConfig={"S3OutputPath": "s3://b/o"}, ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}, StoppingCondition={"MaxRuntimeInSeconds": 3600})
`;
    const rules = review(changeSetOf([{ path: 'code/train.py', status: 'added', base: null, head: bare }])).findings.map((f) => f.rule);
    expect(rules).toContain('sagemaker-pipeline-job-kms');
    expect(rules).toContain('sagemaker-pipeline-job-network-isolation');
    // A step's RetryPolicies are not part of the API request: the retry rule does not answer here.
    expect(rules).not.toContain('sagemaker-pipeline-retry-policy');
    // Everything the secure version sets passes.
    const secure = review(changeSetOf([{ path: 'code/train.py', status: 'added', base: null, head: TRAINING }])).findings.map((f) => f.rule);
    expect(secure).not.toContain('sagemaker-pipeline-job-kms');
    expect(secure).not.toContain('sagemaker-pipeline-job-network-isolation');
  });

  it('are unknown, never failed, on what cannot be resolved', () => {
    const hidden = deploy.replace('InitialInstanceCount": 1', 'InitialInstanceCount": count').replace('def deploy(name)', 'def deploy(name, count)');
    const rules = review(changeSetOf([{ path: 'code/deploy.py', status: 'added', base: null, head: hidden }])).findings.map((f) => f.rule);
    expect(rules).not.toContain('sagemaker-endpoint-multi-instance');
  });

  it('can be suppressed with a # comment on the call', () => {
    const text = deploy.replace('    sm.create_endpoint_config(', '    # ml-lens:ignore sagemaker-endpoint-kms the platform account encrypts volumes by default\n    sm.create_endpoint_config(');
    const f = review(changeSetOf([{ path: 'code/deploy.py', status: 'added', base: null, head: text }])).findings.find((x) => x.rule === 'sagemaker-endpoint-kms');
    expect(f?.status).toBe('suppressed');
  });

  it('say what else a file uses that is not read', () => {
    const text = `import boto3\nfrom airflow import DAG\nfrom sagemaker.automl.automl import AutoML\n${deploy.split('\n').slice(1).join('\n')}\nAutoML(role="r", target_attribute_name="y")\n`;
    const r = review(changeSetOf([{ path: 'code/deploy.py', status: 'added', base: null, head: text }]));
    expect(r.stats.byKind).toEqual({ 'sagemaker-python': 1 });
    expect(r.stats.notReviewed).toEqual([
      {
        path: 'code/deploy.py',
        reason: 'partly reviewed (a SageMaker Python file): uses SageMaker Python SDK constructs this reviewer does not read yet: AutoML; also uses Apache Airflow, which this reviewer reads in files of its own but not beside the SDK this file is read for',
      },
    ]);
  });
});

describe('notebooks', () => {
  const notebook = (cells: { type: string; source: string[] }[]) =>
    JSON.stringify({ cells: cells.map((c) => ({ cell_type: c.type, metadata: {}, source: c.source, outputs: [] })), metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
  const text = notebook([
    { type: 'markdown', source: ['# Deploy\n', 'sm.create_endpoint_config(EndpointConfigName="not code")\n'] },
    { type: 'code', source: ['!pip install -U sagemaker\n', 'import boto3\n', '%matplotlib inline\n', 'sm = boto3.client("sagemaker")\n', 'KMS = "arn:aws:kms:eu-west-1:1:key/k"'] },
    { type: 'code', source: ['sm.create_endpoint_config(\n', '    EndpointConfigName="c",\n', '    KmsKeyId=KMS,\n', '    ProductionVariants=[{"VariantName": "v", "InitialInstanceCount": 1}],\n', ')'] },
  ]);
  const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  it('reads code cells as one module, skipping magics and markdown, on the notebook\'s own lines', () => {
    const doc = read(text, 'notebooks/deploy.ipynb');
    expect(doc.targets.map((t) => [t.address, t.startLine])).toEqual([['<module>.create_endpoint_config', lineOf('sm.create_endpoint_config(\\n')]]);
    const req = request(doc, '<module>.create_endpoint_config');
    // KMS was bound in an earlier cell; the value is positioned on its line of the notebook.
    expect(get(req, 'KmsKeyId')).toMatchObject({ type: 'scalar', value: 'arn:aws:kms:eu-west-1:1:key/k', startLine: lineOf('KMS = ') });
    expect(req.entries.find((e) => e.key === 'ProductionVariants')!.keyLine).toBe(lineOf('ProductionVariants'));
  });

  it('puts findings on the line of the JSON string a pull request shows', () => {
    const r = review(changeSetOf([{ path: 'notebooks/deploy.ipynb', status: 'added', base: null, head: text }]));
    expect(r.findings.find((f) => f.rule === 'sagemaker-endpoint-multi-instance')?.startLine).toBe(lineOf('ProductionVariants'));
    expect(r.findings.map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
  });

  it('takes a suppression from a # comment in a code cell, on the notebook\'s lines', () => {
    const suppressed = text.replace(
      '"    ProductionVariants=',
      '"    # ml-lens:ignore sagemaker-endpoint-multi-instance a dev endpoint, one instance is enough until=2027-06-30\\n",\n    "    ProductionVariants=',
    );
    const r = review(changeSetOf([{ path: 'notebooks/deploy.ipynb', status: 'added', base: null, head: suppressed }]));
    expect(r.findings.find((f) => f.rule === 'sagemaker-endpoint-multi-instance')).toMatchObject({ status: 'suppressed' });
    expect(r.suppressionProblems).toEqual([]);
  });

  it('a syntax error is a parse error on the notebook line, invalid JSON one too; a notebook with no call is no artifact', () => {
    const broken = text.replace('KmsKeyId=KMS,', 'KmsKeyId=KMS,,');
    expect(classify('n.ipynb', broken)).toMatchObject({ type: 'error', error: { kind: 'sagemaker-python', line: lineOf('KmsKeyId=KMS') } });
    expect(classify('n.ipynb', text.slice(0, -20))).toMatchObject({ type: 'error', error: { kind: 'sagemaker-python' } });
    expect(classify('n.ipynb', notebook([{ type: 'code', source: ['import boto3\n', 'sm = boto3.client("sagemaker")\n', 'sm.list_models()'] }]))).toMatchObject({ type: 'none' });
  });
});

describe('the SageMaker Python SDK', () => {
  const SDK = `import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.pytorch import PyTorch
from sagemaker.processing import ScriptProcessor
from sagemaker.network import NetworkConfig
from sagemaker.model import Model
from sagemaker.model_monitor import DataCaptureConfig
from sagemaker.automl.automl import AutoML

ROLE = "arn:aws:iam::111122223333:role/ml"
KMS = "arn:aws:kms:eu-west-1:111122223333:key/k"

def build(image):
    network = NetworkConfig(enable_network_isolation=True, encrypt_inter_container_traffic=True)
    processor = ScriptProcessor(role=ROLE, image_uri=image, command=["python3"], instance_type="ml.m5.xlarge", instance_count=2, network_config=network, volume_kms_key=KMS)
    trainer = PyTorch(entry_point="train.py", role=ROLE, instance_type="ml.g5.xlarge", instance_count=1, volume_kms_key=None, use_spot_instances=True, max_run=7200)
    generic = Estimator(image, ROLE, 1, "ml.m4.xlarge")
    model = Model(image_uri=image, model_data="s3://b/model.tar.gz", role=ROLE, enable_network_isolation=True)
    model.deploy(initial_instance_count=2, instance_type="ml.m5.large", kms_key=KMS, data_capture_config=DataCaptureConfig(True, destination_s3_uri="s3://b/capture"))
    return AutoML(role=ROLE, target_attribute_name="y")
`;

  it('maps estimators, processors, models and deploy() onto the request the SDK sends', () => {
    const doc = read(SDK);
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([
      ['Processing', 'build.processor'],
      ['Training', 'build.trainer'],
      ['Training', 'build.generic'],
      ['AWS::SageMaker::Model', 'build.model'],
      ['AWS::SageMaker::EndpointConfig', 'build.model.deploy'],
    ]);
    const processing = request(doc, 'build.processor');
    const network = get(processing, 'NetworkConfig') as MapNode;
    expect(get(network, 'EnableNetworkIsolation')).toMatchObject({ type: 'scalar', value: true });
    expect(get(network, 'EnableInterContainerTrafficEncryption')).toMatchObject({ type: 'scalar', value: true });
    const cluster = get(get(processing, 'ProcessingResources') as MapNode, 'ClusterConfig') as MapNode;
    expect(get(cluster, 'InstanceCount')).toMatchObject({ value: 2 });
    expect(get(cluster, 'VolumeSizeInGB')).toMatchObject({ value: 30 }); // written by the SDK when omitted
    const trainer = request(doc, 'build.trainer');
    expect(get(get(trainer, 'ResourceConfig') as MapNode, 'VolumeKmsKeyId')).toBeUndefined(); // None: not sent
    expect(get(get(trainer, 'StoppingCondition') as MapNode, 'MaxRuntimeInSeconds')).toMatchObject({ value: 7200 });
    expect(get(trainer, 'EnableManagedSpotTraining')).toMatchObject({ value: true });
    // Positional arguments of Estimator(image_uri, role, instance_count, instance_type).
    const generic = request(doc, 'build.generic');
    expect(get(get(generic, 'ResourceConfig') as MapNode, 'InstanceType')).toMatchObject({ value: 'ml.m4.xlarge' });
    expect(get(get(generic, 'StoppingCondition') as MapNode, 'MaxRuntimeInSeconds')).toMatchObject({ value: 86400 });
    const endpoint = request(doc, 'build.model.deploy');
    const variant = (get(endpoint, 'ProductionVariants') as { items: MapNode[] }).items[0]!;
    expect(get(variant, 'InitialInstanceCount')).toMatchObject({ value: 2 });
    expect(get(variant, 'VariantName')).toMatchObject({ value: 'AllTraffic' });
    const capture = get(endpoint, 'DataCaptureConfig') as MapNode;
    expect(get(capture, 'EnableCapture')).toMatchObject({ value: true });
    expect(get(capture, 'InitialSamplingPercentage')).toMatchObject({ value: 20 });
    expect(doc.meta?.['unread']).toBe('uses SageMaker Python SDK constructs this reviewer does not read yet: AutoML');
  });

  it('runs the existing rules on them, on the line of the call or the argument', () => {
    const r = review(changeSetOf([{ path: 'pipelines/build.py', status: 'added', base: null, head: SDK }]));
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.address}@${f.startLine}`);
    expect(on('sagemaker-pipeline-job-kms')).toEqual(['build.generic@17', 'build.trainer@16']);
    expect(on('sagemaker-previous-generation-instance')).toEqual(['build.generic@17']);
    expect(on('sagemaker-training-managed-spot')).toEqual(['build.generic@17']);
    expect(on('sagemaker-pipeline-job-network-isolation')).toEqual(['build.generic@17', 'build.trainer@16']);
    // The endpoint is encrypted, captures data and runs two instances: no finding on any of it.
    expect(r.findings.filter((f) => f.address === 'build.model.deploy').map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
    expect(r.findings.filter((f) => f.address === 'build.model.deploy').map((f) => f.rule)).not.toContain('sagemaker-endpoint-data-capture');
    expect(r.stats.notReviewed).toEqual([
      { path: 'pipelines/build.py', reason: 'partly reviewed (a SageMaker Python file): uses SageMaker Python SDK constructs this reviewer does not read yet: AutoML' },
    ]);
  });

  it('takes a method for a construct\'s only when its receiver is bound to one, never a parameter of the same name', () => {
    const doc = read(`from sagemaker.model import Model\nmodel = Model(image_uri="i", model_data="s3://b/m", role="r")\ndef ship(model):\n    model.deploy(initial_instance_count=1, instance_type="ml.m5.large")\nmodel.deploy(initial_instance_count=2, instance_type="ml.m5.large")\n`);
    expect(doc.targets.map((t) => t.address)).toEqual(['<module>.model', '<module>.model.deploy']);
  });

  it('leaves a request unknown when a positional argument or **kwargs may set anything', () => {
    const doc = read(`from sagemaker.pytorch import PyTorch\ndef f(kw):\n    a = PyTorch("train.py", role="r")\n    b = PyTorch(entry_point="train.py", **kw)\n`);
    for (const t of doc.targets) expect((t.node as MapNode).entries[0]!.value.type).toBe('symbolic');
  });
});

describe('@step functions', () => {
  it('run as training jobs: what the decorator sets, and what the SDK writes for the rest', () => {
    const doc = read(`from sagemaker.workflow.function_step import step

@step(name="train", instance_type="ml.m5.xlarge", keep_alive_period_in_seconds=900, volume_kms_key="arn:aws:kms:eu-west-1:1:key/k")
def train(data):
    return data

@step
def evaluate(model):
    return 1
`);
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['Training', '<module>.train', 3],
      ['Training', '<module>.evaluate', 7],
    ]);
    const train = request(doc, '<module>.train');
    const resources = get(train, 'ResourceConfig') as MapNode;
    expect(get(resources, 'KeepAlivePeriodInSeconds')).toMatchObject({ value: 900 });
    expect(get(resources, 'VolumeKmsKeyId')).toMatchObject({ value: 'arn:aws:kms:eu-west-1:1:key/k' });
    expect(get(train, 'EnableNetworkIsolation')).toMatchObject({ value: false });
    expect(get(train, 'RoleArn')).toMatchObject({ type: 'symbolic' }); // decided when the code runs
    const evaluate = request(doc, '<module>.evaluate');
    expect(get(get(evaluate, 'StoppingCondition') as MapNode, 'MaxRuntimeInSeconds')).toMatchObject({ value: 86400 });
    expect(get(evaluate, 'EnableManagedSpotTraining')).toMatchObject({ value: false });
  });
});

describe('batch transform', () => {
  it('reads Transformer(...) and estimator.transformer(...) as transform jobs', () => {
    const doc = read(`from sagemaker.transformer import Transformer
from sagemaker.estimator import Estimator

def batch(image):
    est = Estimator(image_uri=image, role="r", instance_count=1, instance_type="ml.m5.xlarge")
    scorer = est.transformer(1, "ml.m5.large", output_path="s3://b/out")
    direct = Transformer("churn-model", 2, "ml.c5.xlarge", volume_kms_key="arn:aws:kms:eu-west-1:1:key/k", output_kms_key="arn:aws:kms:eu-west-1:1:key/k")
`);
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([
      ['Training', 'batch.est'],
      ['Transform', 'batch.est.transformer'],
      ['Transform', 'batch.direct'],
    ]);
    const scorer = request(doc, 'batch.est.transformer');
    expect(get(get(scorer, 'TransformResources') as MapNode, 'InstanceType')).toMatchObject({ value: 'ml.m5.large' });
    const direct = request(doc, 'batch.direct');
    expect(get(direct, 'ModelName')).toMatchObject({ value: 'churn-model' });
    expect(get(get(direct, 'TransformOutput') as MapNode, 'KmsKeyId')).toMatchObject({ type: 'scalar' });
  });

  it('hold transform jobs to the pipeline job rules', () => {
    const text = 'from sagemaker.transformer import Transformer\nt = Transformer("m", 1, "ml.m5.large")\n';
    const r = review(changeSetOf([{ path: 'jobs/batch.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'] }));
    expect(r.findings.map((f) => `${f.rule}@${f.startLine}`)).toEqual(['sagemaker-pipeline-job-kms@2']);
  });
});

describe('model registration', () => {
  it('reads RegisterModel and model.register(): a hard-coded approval is found, the SDK default is not', () => {
    const text = `from sagemaker.model import Model
from sagemaker.workflow.step_collections import RegisterModel

model = Model(image_uri="i", model_data="s3://b/m.tar.gz", role="r")
approved = model.register(model_package_group_name="churn", approval_status="Approved", content_types=["text/csv"])
pending = RegisterModel(name="Register", model=model, model_package_group_name="churn", content_types=["text/csv"])
`;
    const doc = read(text);
    expect(get(request(doc, '<module>.pending'), 'ModelApprovalStatus')).toMatchObject({ value: 'PendingManualApproval' });
    const r = review(changeSetOf([{ path: 'pipelines/register.py', status: 'added', base: null, head: text }]));
    const approval = r.findings.filter((f) => f.rule === 'sagemaker-pipeline-approval-not-hardcoded');
    expect(approval.map((f) => [f.address, f.startLine])).toEqual([['<module>.model.register', 5]]);
  });
});

describe('SageMaker pipelines built in Python', () => {
  // Line numbers below are those of this text.
  const PIPELINE = `from sagemaker.estimator import Estimator
from sagemaker.processing import ScriptProcessor
from sagemaker.model import Model
from sagemaker.workflow.parameters import ParameterString, ParameterInteger
from sagemaker.workflow.steps import ProcessingStep, TrainingStep, CacheConfig
from sagemaker.workflow.retry import StepRetryPolicy, StepExceptionTypeEnum
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.pipeline import Pipeline

KMS = "arn:aws:kms:eu-west-1:111122223333:key/k"

def get_pipeline(role, image):
    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")
    count = ParameterInteger(name="TrainingInstanceCount", default_value=1)
    processor = ScriptProcessor(role=role, image_uri=image, command=["python3"], instance_type="ml.m5.xlarge", instance_count=1, volume_kms_key=KMS)
    prepare = ProcessingStep(name="Prepare", step_args=processor.run(code="prepare.py"), cache_config=CacheConfig(enable_caching=True, expire_after="P30D"))
    estimator = Estimator(
        image_uri=image,
        role=role,
        instance_count=count,
        instance_type="ml.g5.xlarge",
        output_kms_key=KMS,
    )
    train = TrainingStep(
        name="Train",
        step_args=estimator.fit({"train": "s3://acme-ml/train/"}),
        retry_policies=[StepRetryPolicy(exception_types=[StepExceptionTypeEnum.THROTTLING], max_attempts=3)],
    )
    model = Model(image_uri=image, model_data="s3://acme-ml/model.tar.gz", role=role)
    register = ModelStep(name="Churn", step_args=model.register(model_package_group_name="churn", approval_status=approval))
    stop = FailStep(name="TooWorse", error_message="mse above 6")
    gate = ConditionStep(name="Gate", conditions=[ConditionLessThanOrEqualTo(left=1.0, right=6.0)], if_steps=[register], else_steps=[stop])
    return Pipeline(name="churn", parameters=[approval, count], steps=[prepare, train, gate])
`;

  it('reads the definition the SDK writes: parameters, experiment config, steps with their jobs, nested branches', () => {
    const doc = read(PIPELINE, 'pipelines/churn/pipeline.py');
    // The jobs are the steps' Arguments, no targets of their own.
    expect(doc.targets).toEqual([]);
    const pipeline = doc.embedded![0]!;
    expect(pipeline.kind).toBe('sagemaker-pipeline');
    expect(pipeline.span).toEqual({ startLine: 36, endLine: 36, address: 'get_pipeline.Pipeline' });
    expect(pipeline.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['Processing', 'Prepare', 19],
      ['Training', 'Train', 27],
      ['RegisterModel', 'Churn-RegisterModel', 33],
      ['Fail', 'TooWorse', 34],
      ['Condition', 'Gate', 35],
    ]);
    const root = pipeline.root as MapNode;
    const params = (get(root, 'Parameters') as { items: MapNode[] }).items;
    expect(params.map((p) => [(get(p, 'Name') as { value: unknown }).value, (get(p, 'Type') as { value: unknown }).value, (get(p, 'DefaultValue') as { value: unknown }).value])).toEqual([
      ['ModelApprovalStatus', 'String', 'PendingManualApproval'],
      ['TrainingInstanceCount', 'Integer', 1],
    ]);
    expect(get(get(root, 'PipelineExperimentConfig') as MapNode, 'ExperimentName')).toMatchObject({ type: 'symbolic', refs: ['Execution.PipelineName'] });
    // Top level: the branch steps sit in the Condition only.
    const steps = (get(root, 'Steps') as { items: MapNode[] }).items;
    expect(steps.map((s) => (get(s, 'Name') as { value: unknown }).value)).toEqual(['Prepare', 'Train', 'Gate']);
    const gate = get(steps[2]!, 'Arguments') as MapNode;
    expect((get(gate, 'IfSteps') as { items: MapNode[] }).items.map((s) => (get(s, 'Type') as { value: unknown }).value)).toEqual(['RegisterModel']);
    expect((get(gate, 'Conditions') as { items: MapNode[] }).items[0]).toMatchObject({ entries: expect.arrayContaining([expect.objectContaining({ key: 'Type', value: expect.objectContaining({ value: 'LessThanOrEqualTo' }) })]) });
    const train = steps[1]!;
    expect((get(train, 'RetryPolicies') as { items: MapNode[] }).items[0]).toMatchObject({ entries: expect.arrayContaining([expect.objectContaining({ key: 'MaxAttempts' }), expect.objectContaining({ key: 'BackoffRate' })]) });
    // The instance count is the pipeline parameter, as the JSON has it.
    const resources = get(get(train, 'Arguments') as MapNode, 'ResourceConfig') as MapNode;
    expect(get(resources, 'InstanceCount')).toMatchObject({ type: 'symbolic', refs: expect.arrayContaining(['Parameters.TrainingInstanceCount']) });
    expect(get(get(steps[0]!, 'CacheConfig') as MapNode, 'Enabled')).toMatchObject({ value: true });
    expect(pipeline.meta).toEqual({ parameters: ['ModelApprovalStatus', 'TrainingInstanceCount'], nested: { 'Churn-RegisterModel': 'Gate', TooWorse: 'Gate' } });
  });

  it('holds it to the pipeline rules: job settings on the estimator, step settings on the step, gates through the branches', () => {
    const r = review(changeSetOf([{ path: 'pipelines/churn/pipeline.py', status: 'added', base: null, head: PIPELINE }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.address}@${f.startLine}`);
    // No volume key: reported on the estimator (line 20), where volume_kms_key goes.
    expect(on('sagemaker-pipeline-job-kms')).toEqual(['Train@20']);
    expect(on('sagemaker-pipeline-retry-policy')).toEqual(['Prepare@19']);
    expect(on('sagemaker-processing-max-runtime')).toEqual(['Prepare@18']);
    // Registration is gated, the else branch fails, approval is not hard-coded, a training step feeds a registry.
    for (const rule of ['sagemaker-pipeline-register-gated', 'sagemaker-pipeline-gate-fail-step', 'sagemaker-pipeline-approval-not-hardcoded', 'sagemaker-pipeline-model-registry', 'sagemaker-pipeline-experiment-config', 'sagemaker-pipeline-parameters']) {
      expect(on(rule), rule).toEqual([]);
    }
    expect(on('sagemaker-pipeline-quality-checks')).toEqual(['Churn-RegisterModel@33']);
    expect(r.stats.notReviewed).toEqual([]);
  });

  it('a hard-coded approval, a gate with no Fail step and no experiment config are found on their lines', () => {
    const text = PIPELINE.replace('approval_status=approval', 'approval_status="Approved"')
      .replace('else_steps=[stop]', 'else_steps=[]')
      .replace('Pipeline(name="churn",', 'Pipeline(name="churn", pipeline_experiment_config=None,');
    const r = review(changeSetOf([{ path: 'pipelines/churn/pipeline.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.address}@${f.startLine}`);
    expect(on('sagemaker-pipeline-approval-not-hardcoded')).toEqual(['Churn-RegisterModel@33']);
    expect(on('sagemaker-pipeline-gate-fail-step')).toEqual(['Gate@35']);
    expect(on('sagemaker-pipeline-experiment-config')).toEqual(['get_pipeline.Pipeline@36']);
  });

  it('reads @step functions a pipeline runs, with the ones their results come from', () => {
    const text = `from sagemaker.workflow.function_step import step
from sagemaker.workflow.pipeline import Pipeline

@step(name="prepare", instance_type="ml.m5.xlarge")
def prepare(uri):
    return uri

@step(name="train", instance_type="ml.g5.xlarge", volume_kms_key="arn:aws:kms:eu-west-1:1:key/k")
def train(data):
    return data

data = prepare("s3://acme-ml/raw/")
model = train(data)
pipeline = Pipeline(name="fn", steps=[model])
`;
    const doc = read(text);
    const pipeline = doc.embedded![0]!;
    expect(pipeline.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['Training', 'prepare', 4],
      ['Training', 'train', 8],
    ]);
    expect(doc.targets).toEqual([]);
    const r = review(changeSetOf([{ path: 'pipelines/fn.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    // On each decorator: "train" keys its volume but not its output (s3_kms_key); the SDK writes
    // one job retry for a function step, which counts as a retry.
    expect(r.findings.filter((f) => f.rule === 'sagemaker-pipeline-job-kms').map((f) => `${f.address}@${f.startLine}:${f.attribute}`)).toEqual([
      'prepare@4:Arguments.ResourceConfig.VolumeKmsKeyId',
      'train@8:Arguments.OutputDataConfig.KmsKeyId',
    ]);
    expect(r.findings.filter((f) => f.rule === 'sagemaker-pipeline-retry-policy')).toEqual([]);
  });

  it('says so when steps are built outside any Pipeline of the file, and still reads their jobs', () => {
    const text = `from sagemaker.estimator import Estimator
from sagemaker.workflow.steps import TrainingStep

def training_step(role):
    est = Estimator(image_uri="i:1", role=role, instance_count=1, instance_type="ml.m5.xlarge")
    return TrainingStep(name="Train", step_args=est.fit())
`;
    const doc = read(text);
    expect(doc.targets.map((t) => t.address)).toEqual(['training_step.est']);
    expect(doc.meta?.['unread']).toBe('defines pipeline steps outside any Pipeline(...) of this file, whose step settings (retries, caching, branches) are not read: TrainingStep');
  });

  it('leaves what it cannot follow unknown: a steps list built in a loop, a job given as a parameter', () => {
    const text = `from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep

def build(step_args, names):
    steps = []
    for n in names:
        steps.append(TrainingStep(name=n, step_args=step_args))
    lone = TrainingStep(name="Lone", step_args=step_args)
    return Pipeline(name="p", steps=steps), Pipeline(name="q", steps=[lone])
`;
    const r = review(changeSetOf([{ path: 'pipelines/loop.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    // Neither the job's settings (a retry strategy it may set) nor a loop's steps are taken for
    // absent; what is sure is: "q" trains and registers nothing, and neither declares parameters.
    expect(r.findings.map((f) => `${f.rule}@${f.address}`).sort()).toEqual([
      'sagemaker-pipeline-model-registry@build.Pipeline#2',
      'sagemaker-pipeline-parameters@build.Pipeline',
      'sagemaker-pipeline-parameters@build.Pipeline#2',
    ]);
  });

  it('moves a pipeline in a notebook onto the notebook\'s lines', () => {
    const code = PIPELINE.split('\n').map((l) => `${l}\n`);
    const text = JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: code, outputs: [] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const doc = read(text, 'notebooks/pipeline.ipynb');
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const pipeline = doc.embedded![0]!;
    expect(pipeline.targets.find((t) => t.address === 'Train')?.startLine).toBe(lineOf('train = TrainingStep('));
    expect(pipeline.targets.find((t) => t.address === 'Train')?.anchors).toEqual({ Arguments: lineOf('estimator = Estimator(') });
    expect(pipeline.span?.startLine).toBe(lineOf('return Pipeline('));
  });
});

describe('tuners and model monitors', () => {
  it('reads HyperparameterTuner(estimator): the estimator\'s request as the tuning job\'s training definition', () => {
    const text = `from sagemaker.estimator import Estimator
from sagemaker.tuner import HyperparameterTuner, IntegerParameter

est = Estimator(image_uri="i:1", role="r", instance_count=2, instance_type="ml.m5.xlarge", volume_kms_key="arn:aws:kms:eu-west-1:1:key/k")
tuner = HyperparameterTuner(est, "validation:auc", {"depth": IntegerParameter(3, 9)}, strategy="Hyperband", max_jobs=30)
`;
    const doc = read(text);
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([['Tuning', '<module>.tuner']]);
    const tuning = request(doc, '<module>.tuner');
    const definition = get(tuning, 'TrainingJobDefinition') as MapNode;
    expect(get(definition, 'ResourceConfig')).toBeUndefined();
    expect(get(get(definition, 'HyperParameterTuningResourceConfig') as MapNode, 'VolumeKmsKeyId')).toMatchObject({ type: 'scalar' });
    const config = get(tuning, 'HyperParameterTuningJobConfig') as MapNode;
    expect(get(config, 'Strategy')).toMatchObject({ value: 'Hyperband' });
    expect(get(get(config, 'ResourceLimits') as MapNode, 'MaxNumberOfTrainingJobs')).toMatchObject({ value: 30 });
    const r = review(changeSetOf([{ path: 'jobs/tune.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.address}@${f.startLine}`);
    // Missing in the estimator's settings: on the estimator's line. Hyperband stops early by itself.
    expect(on('sagemaker-pipeline-job-network-isolation')).toEqual(['<module>.tuner@4']);
    expect(on('sagemaker-pipeline-inter-container-encryption')).toEqual(['<module>.tuner@4']);
    expect(on('sagemaker-tuning-early-stopping')).toEqual([]);
  });

  it('reads a monitor\'s schedule with the monitor\'s settings, and names a value no request takes', () => {
    const text = `from sagemaker.model_monitor import DefaultModelMonitor, DataCaptureConfig, ModelMonitor
from sagemaker.predictor import Predictor

monitor = DefaultModelMonitor(role="r", instance_count=1, instance_type="ml.m5.xlarge", output_kms_key="arn:aws:kms:eu-west-1:1:key/k")
monitor.create_monitoring_schedule(monitor_schedule_name="churn", endpoint_input="churn", schedule_cron_expression="cron(0 * ? * * *)")
Predictor("churn").update_data_capture_config(data_capture_config=DataCaptureConfig(True, 100, "s3://b/c"))
custom = ModelMonitor(role="r", image_uri="i:1", volume_kms_key="arn:aws:kms:eu-west-1:1:key/k")
custom.create_monitoring_schedule(schedule_cron_expression="cron(0 0 ? * * *)")
`;
    const doc = read(text);
    // DefaultModelMonitor: a data-quality job definition, and a schedule that names it (sdk-mappings §2.9);
    // a generic ModelMonitor: the job definition inline in its schedule.
    expect(doc.targets.map((t) => [t.type, t.address, t.anchors])).toEqual([
      ['AWS::SageMaker::MonitoringSchedule', '<module>.monitor.create_monitoring_schedule', undefined],
      ['AWS::SageMaker::DataQualityJobDefinition', '<module>.monitor.create_monitoring_schedule#2', { Properties: 4 }],
      ['AWS::SageMaker::MonitoringSchedule', '<module>.custom.create_monitoring_schedule', { 'Properties.MonitoringScheduleConfig.MonitoringJobDefinition': 7 }],
    ]);
    const schedule = request(doc, '<module>.monitor.create_monitoring_schedule');
    const config = get(schedule, 'MonitoringScheduleConfig') as MapNode;
    expect(get(get(config, 'ScheduleConfig') as MapNode, 'ScheduleExpression')).toMatchObject({ value: 'cron(0 * ? * * *)' });
    expect(get(config, 'MonitoringJobDefinitionName')).toMatchObject({ type: 'symbolic' });
    const definition = request(doc, '<module>.monitor.create_monitoring_schedule#2');
    expect(get(get(definition, 'DataQualityJobOutputConfig') as MapNode, 'KmsKeyId')).toMatchObject({ type: 'scalar' });
    const inline = get(get(request(doc, '<module>.custom.create_monitoring_schedule'), 'MonitoringScheduleConfig') as MapNode, 'MonitoringJobDefinition') as MapNode;
    expect(get(get(get(inline, 'MonitoringResources') as MapNode, 'ClusterConfig') as MapNode, 'VolumeKmsKeyId')).toMatchObject({ type: 'scalar' });
    expect(doc.meta?.['unread']).toBe('uses SageMaker Python SDK constructs this reviewer does not read yet: DataCaptureConfig');
    const r = review(changeSetOf([{ path: 'jobs/monitor.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
    // The data-quality job's volume has no key: on the monitor's line; the custom one's output has none: on its line.
    expect(r.findings.map((f) => `${f.rule}@${f.startLine}`).sort()).toEqual([
      'sagemaker-monitoring-job-kms@4',
      'sagemaker-monitoring-job-kms@7',
      'sagemaker-monitoring-job-network@4',
      'sagemaker-monitoring-job-network@7',
    ]);
  });
});

describe('fix suggestions in Python', () => {
  const TRAIN = `from sagemaker.estimator import Estimator
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep

def get_pipeline(role):
    estimator = Estimator(
        image_uri="111122223333.dkr.ecr.eu-west-1.amazonaws.com/train:1.0",
        role=role,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        output_kms_key="arn:aws:kms:eu-west-1:111122223333:key/k",
        volume_kms_key=None,
    )
    train = TrainingStep(name="Train", step_args=estimator.fit())
    return Pipeline(name="p", steps=[train])
`;
  const reviewed = (path: string, text: string) => review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));

  it('adds the missing argument as a new first argument of the call that builds the job, on the line below its (', () => {
    const text = TRAIN.replace('        volume_kms_key=None,\n', '');
    const f = reviewed('pipelines/pipeline.py', text).findings.find((x) => x.rule === 'sagemaker-pipeline-job-network-isolation');
    expect(f?.startLine).toBe(6);
    expect(f?.fix).toEqual({ startLine: 6, endLine: 6, replacement: '    estimator = Estimator(\n        enable_network_isolation=True,', choose: false });
    const kms = reviewed('pipelines/pipeline.py', text).findings.find((x) => x.rule === 'sagemaker-pipeline-job-kms');
    expect(kms?.fix).toEqual({ startLine: 6, endLine: 6, replacement: '    estimator = Estimator(\n        volume_kms_key="<your-kms-key-arn>",', choose: true });
  });

  it('a suggestion applied as it is, with the value chosen, makes its finding go away', () => {
    const text = TRAIN.replace('        volume_kms_key=None,\n', '');
    for (const rule of ['sagemaker-pipeline-job-kms', 'sagemaker-pipeline-job-network-isolation']) {
      const f = reviewed('pipelines/pipeline.py', text).findings.find((x) => x.rule === rule)!;
      const lines = text.split('\n');
      lines.splice(f.fix!.startLine - 1, f.fix!.endLine - f.fix!.startLine + 1, f.fix!.replacement.replace('<your-kms-key-arn>', 'arn:aws:kms:eu-west-1:111122223333:key/k'));
      const after = reviewed('pipelines/pipeline.py', lines.join('\n'));
      expect(after.findings.map((x) => x.rule), rule).not.toContain(rule);
    }
  });

  it('gives boto3 calls their own keyword, and nothing where the edit would not be safe', () => {
    const boto3 = 'import boto3\nsm = boto3.client("sagemaker")\nsm.create_endpoint_config(\n    EndpointConfigName="c",\n    ProductionVariants=[{"VariantName": "v", "InitialInstanceCount": 2, "InstanceType": "ml.m5.large"}],\n)\n';
    const f = reviewed('jobs/deploy.py', boto3).findings.find((x) => x.rule === 'sagemaker-endpoint-kms');
    expect(f?.fix?.replacement).toBe('sm.create_endpoint_config(\n    KmsKeyId="<your-kms-key-arn>",');
    // The argument is written already (as None), the call is on one line, the file is a notebook.
    expect(reviewed('pipelines/pipeline.py', TRAIN).findings.find((x) => x.rule === 'sagemaker-pipeline-job-kms')?.fix).toBeUndefined();
    const oneLine = 'import boto3\nsm = boto3.client("sagemaker")\nsm.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[])\n';
    expect(reviewed('jobs/deploy.py', oneLine).findings.find((x) => x.rule === 'sagemaker-endpoint-kms')?.fix).toBeUndefined();
    const notebook = JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: boto3.split('\n').map((l) => `${l}\n`), outputs: [] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const inNotebook = reviewed('notebooks/deploy.ipynb', notebook).findings.find((x) => x.rule === 'sagemaker-endpoint-kms');
    expect(inNotebook).toBeDefined();
    expect(inNotebook?.fix).toBeUndefined();
  });
});

describe('constants imported from other modules of the change', () => {
  const SETTINGS = 'KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/k"\nSUBNETS = ["subnet-1"]\nROLE = "arn:aws:iam::111122223333:role/ml"\nINSTANCE = "ml.m4.xlarge"\n';
  const JOB = (imports: string, kms: string) => `from sagemaker.estimator import Estimator
${imports}

estimator = Estimator(
    image_uri="i:1",
    role="r",
    instance_count=1,
    instance_type=${kms === 'settings' ? 'settings.INSTANCE' : 'INSTANCE'},
    volume_kms_key=${kms === 'settings' ? 'settings.KMS_KEY' : 'KMS_KEY'},
    output_kms_key=${kms === 'settings' ? 'settings.KMS_KEY' : 'KMS_KEY'},
)
`;
  const run = (files: { path: string; text: string }[]) =>
    review(changeSetOf(files.map((f) => ({ path: f.path, status: 'added' as const, base: null, head: f.text })), { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
  const rules = (r: ReturnType<typeof run>) => r.findings.filter((f) => f.path.endsWith('train.py')).map((f) => `${f.rule}@${f.startLine}`).sort();

  it.each([
    ['from .settings import KMS_KEY, INSTANCE', 'names'],
    ['from pipelines.churn.settings import KMS_KEY, INSTANCE', 'names'],
    ['from churn.settings import KMS_KEY, INSTANCE', 'names'],
    ['from . import settings', 'settings'],
    ['import pipelines.churn.settings as settings', 'settings'],
  ])('%s', (imports, kms) => {
    const r = run([
      { path: 'pipelines/churn/train.py', text: JOB(imports, kms) },
      { path: 'pipelines/churn/settings.py', text: SETTINGS },
    ]);
    // The key is set, so no KMS finding; the instance type is known, and previous-generation, on the line that uses it.
    expect(rules(r)).toEqual(['sagemaker-pipeline-job-network-isolation@4', 'sagemaker-previous-generation-instance@8', 'sagemaker-training-managed-spot@4']);
  });

  it('a module not in the change leaves the names unknown, never absent', () => {
    const r = run([{ path: 'pipelines/churn/train.py', text: JOB('from .settings import KMS_KEY, INSTANCE', 'names') }]);
    expect(rules(r)).toEqual(['sagemaker-pipeline-job-network-isolation@4', 'sagemaker-training-managed-spot@4']);
  });

  it('a name the module binds twice, or a cycle of imports, stays unknown', () => {
    const twice = 'KMS_KEY = "a"\nKMS_KEY = "b"\nfrom .train import INSTANCE\n';
    const r = run([
      { path: 'pipelines/churn/train.py', text: JOB('from .settings import KMS_KEY, INSTANCE', 'names') },
      { path: 'pipelines/churn/settings.py', text: twice },
    ]);
    expect(rules(r)).toEqual(['sagemaker-pipeline-job-network-isolation@4', 'sagemaker-training-managed-spot@4']);
  });
});

describe('more SageMaker constructs', () => {
  it('reads PipelineModel as a model, deployable, and boto3 create_pipeline as a pipeline resource', () => {
    const doc = read(`import boto3
from sagemaker.pipeline import PipelineModel

serial = PipelineModel(models=[], role="r", enable_network_isolation=True)
serial.deploy(initial_instance_count=2, instance_type="ml.m5.large")
boto3.client("sagemaker").create_pipeline(PipelineName="churn", PipelineDefinition="{}", RoleArn="r")
`);
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([
      ['AWS::SageMaker::Model', '<module>.serial'],
      ['AWS::SageMaker::EndpointConfig', '<module>.serial.deploy'],
      ['AWS::SageMaker::Pipeline', '<module>.create_pipeline'],
    ]);
    expect(get(request(doc, '<module>.serial'), 'EnableNetworkIsolation')).toMatchObject({ value: true });
  });
});

describe('what the Python reader cannot follow stays unknown, and odd input stays bounded', () => {
  const run = (files: { path: string; text: string }[]) =>
    review(changeSetOf(files.map((f) => ({ path: f.path, status: 'added' as const, base: null, head: f.text })), { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
  const EST = (name: string, kms: boolean) =>
    `${name} = Estimator(image_uri="i:1", role="r", instance_count=1, instance_type="ml.m5.xlarge"${kms ? ', volume_kms_key=K, output_kms_key=K, enable_network_isolation=True' : ''})`;

  it('a job re-bound under an if is not taken for either value', () => {
    const text = `from sagemaker.estimator import Estimator
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep
K = "arn:aws:kms:eu-west-1:1:key/k"
${EST('a', false)}
${EST('b', true)}
args = a.fit()
if PROD:
    args = b.fit()
p = Pipeline(name="p", steps=[TrainingStep(name="Train", step_args=args, retry_policies=[])])
`;
    const rules = run([{ path: 'p.py', text }]).findings.filter((f) => f.address === 'Train').map((f) => f.rule);
    expect(rules).not.toContain('sagemaker-pipeline-job-kms');
    expect(rules).not.toContain('sagemaker-pipeline-job-network-isolation');
  });

  it('a step named by position, or built from **kwargs, keeps its settings; an unknown step in the list leaves the pipeline unknown', () => {
    const text = `from sagemaker.estimator import Estimator
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.retry import StepRetryPolicy
from sagemaker.workflow.steps import TrainingStep
K = "arn:aws:kms:eu-west-1:1:key/k"
${EST('est', true)}
def build(kw, make_register_step):
    t = TrainingStep("Train", step_args=est.fit(), retry_policies=[StepRetryPolicy(exception_types=[], max_attempts=3)])
    u = TrainingStep(**kw)
    return Pipeline(name="p", parameters=[], steps=[t, u, make_register_step()])
`;
    const r = run([{ path: 'p.py', text }]);
    expect(r.findings.filter((f) => f.rule === 'sagemaker-pipeline-retry-policy')).toEqual([]);
    // The third step may be a RegisterModel: "trains but never registers" is not said.
    expect(r.findings.map((f) => f.rule)).not.toContain('sagemaker-pipeline-model-registry');
  });

  it('a step in two pipelines is a step of each, under its own address', () => {
    const text = `from sagemaker.estimator import Estimator
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TrainingStep
${EST('est', false)}
train = TrainingStep(name="Train", step_args=est.fit())
dev = Pipeline(name="dev", steps=[train])
prod = Pipeline(name="prod", steps=[train])
`;
    const doc = read(text);
    expect(doc.embedded!.map((d) => d.targets.map((t) => t.address))).toEqual([['Train'], ['Train#2']]);
  });

  it('cycles and deep chains end: @step results feeding each other, a condition in itself, a constant used many times', () => {
    const chain = Array.from({ length: 40 }, (_, i) => `x${i + 2} = f(x${i + 1}, x${i})`).join('\n');
    const text = `from sagemaker.workflow.function_step import step
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.conditions import ConditionNot
from data import x
@step(name="f")
def f(a, b=None):
    return a
x = f(x)
x0 = f(1)
x1 = f(2)
${chain}
c = ConditionNot(expression=c)
L0 = "ml.m5.xlarge"
${Array.from({ length: 14 }, (_, i) => `L${i + 1} = [L${i}, L${i}, L${i}, L${i}]`).join('\n')}
p = Pipeline(name="p", steps=[x, x41])
`;
    const started = Date.now();
    const c = classify('pipelines/p.py', text);
    expect(c.type).toBe('document');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an absolute import two files of the change could answer stays unknown', () => {
    const job = `from sagemaker.estimator import Estimator\nfrom settings import INSTANCE\nest = Estimator(image_uri="i:1", role="r", instance_count=1, instance_type=INSTANCE)\n`;
    const files = [
      { path: 'pipelines/a/train.py', text: job },
      { path: 'pipelines/a/settings.py', text: 'INSTANCE = "ml.m4.xlarge"\n' },
      { path: 'settings.py', text: 'INSTANCE = "ml.m5.xlarge"\n' },
    ];
    expect(run(files).findings.map((f) => f.rule)).not.toContain('sagemaker-previous-generation-instance');
    expect(run(files.slice(0, 2)).findings.map((f) => f.rule)).toContain('sagemaker-previous-generation-instance');
  });

  it('never suggests a keyword before a positional argument', () => {
    const text = `from sagemaker.estimator import Estimator\nest = Estimator(\n    "i:1",\n    "r",\n    instance_count=1,\n    instance_type="ml.m5.xlarge",\n)\n`;
    const f = run([{ path: 'jobs/train.py', text }]).findings.find((x) => x.rule === 'sagemaker-pipeline-job-kms');
    expect(f).toBeDefined();
    expect(f?.fix).toBeUndefined();
  });
});

// A DAG is of kind airflow-dag (test/formats/airflow-dag.test.ts); its SageMaker operators are read
// by the same SageMaker reader, as targets beside the DAG's and its tasks', with the same rules.
describe('Airflow SageMaker operators', () => {
  const run = (text: string) => review(changeSetOf([{ path: 'dags/churn.py', status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));

  it('read the boto3 request their config holds, and composite configs part by part', () => {
    const text = `from airflow import DAG
from airflow.providers.amazon.aws.operators.sagemaker import SageMakerEndpointOperator, SageMakerTrainingOperator

TRAIN = {
    "TrainingJobName": "churn",
    "RoleArn": "arn:aws:iam::111122223333:role/t",
    "AlgorithmSpecification": {"TrainingImage": "i:1", "TrainingInputMode": "File"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/out", "KmsKeyId": "k"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": "k"},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    "EnableNetworkIsolation": True,
}
with DAG("churn") as dag:
    train = SageMakerTrainingOperator(task_id="train", config=TRAIN)
    deploy = SageMakerEndpointOperator(
        task_id="deploy",
        config={"EndpointConfig": {"EndpointConfigName": "c", "ProductionVariants": [{"VariantName": "v", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}]}, "Endpoint": {"EndpointName": "e", "EndpointConfigName": "c"}},
    )
`;
    const doc = read(text, 'dags/churn.py');
    expect(doc.kind).toBe('airflow-dag');
    expect(doc.targets.filter((t) => t.type !== 'dag' && t.type !== 'task').map((t) => [t.type, t.address])).toEqual([
      ['Training', '<module>.train'],
      ['AWS::SageMaker::EndpointConfig', '<module>.deploy.EndpointConfig'],
      ['AWS::SageMaker::Endpoint', '<module>.deploy.Endpoint'],
    ]);
    const rules = run(text).findings.map((f) => `${f.rule}@${f.address}`);
    expect(rules).toContain('sagemaker-endpoint-multi-instance@<module>.deploy.EndpointConfig');
    // Encrypted and isolated: nothing on the training job but spot.
    expect(rules.filter((r) => r.endsWith('@<module>.train'))).toEqual(['sagemaker-training-managed-spot@<module>.train']);
    // The DAG is read now: nothing of the file is left unread.
    expect(run(text).stats.notReviewed).toEqual([]);
  });

  it('leave a config rendered at run time unknown, and a templated value in one', () => {
    const text = `from airflow.providers.amazon.aws.operators.sagemaker import SageMakerTrainingOperator
pulled = SageMakerTrainingOperator(task_id="pulled", config="{{ ti.xcom_pull(task_ids='build_config') }}")
isolated = SageMakerTrainingOperator(task_id="isolated", config={"RoleArn": "r", "EnableNetworkIsolation": "{{ params.isolate }}", "OutputDataConfig": {"S3OutputPath": "s3://b", "KmsKeyId": "k"}, "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": "k"}, "StoppingCondition": {"MaxRuntimeInSeconds": 60}, "EnableManagedSpotTraining": True, "CheckpointConfig": {"S3Uri": "s3://b/c"}})
`;
    const f = run(text).findings.map((x) => `${x.rule}@${x.address}`);
    expect(f.filter((x) => x.endsWith('@<module>.pulled'))).toEqual([]);
    expect(f.filter((x) => x.endsWith('@<module>.isolated'))).not.toContain('sagemaker-pipeline-job-network-isolation@<module>.isolated');
  });

  it('read a config training_config builds from an estimator as the SDK writes it: without the network isolation it drops', () => {
    const text = `from airflow.providers.amazon.aws.operators.sagemaker import SageMakerTrainingOperator
from sagemaker.estimator import Estimator
from sagemaker.workflow.airflow import training_config

K = "arn:aws:kms:eu-west-1:1:key/k"
est = Estimator(image_uri="i:1", role="r", instance_count=1, instance_type="ml.m5.xlarge", volume_kms_key=K, output_kms_key=K, enable_network_isolation=True, use_spot_instances=True, max_wait=7200, checkpoint_s3_uri="s3://b/c")
train = SageMakerTrainingOperator(task_id="train", config=training_config(est, inputs="s3://b/train"))
`;
    const doc = read(text, 'dags/train.py');
    expect(doc.targets.map((t) => [t.type, t.address])).toEqual([
      ['task', 'tasks.<module>.train'],
      ['Training', '<module>.train'],
    ]);
    // The task's DAG is not known here (no `with DAG`, no `dag=`): its retries and timeouts are not either.
    const f = run(text).findings.map((x) => `${x.rule}@${x.startLine}`);
    expect(f).toEqual(['sagemaker-pipeline-job-network-isolation@6']);
  });
});
