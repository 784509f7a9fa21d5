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
    const text = `import boto3\nfrom airflow import DAG\nfrom sagemaker.workflow.pipeline import Pipeline\n${deploy.split('\n').slice(1).join('\n')}\nPipeline(name="p", steps=[])\n`;
    const r = review(changeSetOf([{ path: 'code/deploy.py', status: 'added', base: null, head: text }]));
    expect(r.stats.byKind).toEqual({ 'sagemaker-python': 1 });
    expect(r.stats.notReviewed).toEqual([
      {
        path: 'code/deploy.py',
        reason: 'partly reviewed (a SageMaker Python file): uses SageMaker Python SDK constructs this reviewer does not read yet: Pipeline; uses Apache Airflow, which this reviewer does not read yet',
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
from sagemaker.workflow.pipeline import Pipeline

ROLE = "arn:aws:iam::111122223333:role/ml"
KMS = "arn:aws:kms:eu-west-1:111122223333:key/k"

def build(image):
    network = NetworkConfig(enable_network_isolation=True, encrypt_inter_container_traffic=True)
    processor = ScriptProcessor(role=ROLE, image_uri=image, command=["python3"], instance_type="ml.m5.xlarge", instance_count=2, network_config=network, volume_kms_key=KMS)
    trainer = PyTorch(entry_point="train.py", role=ROLE, instance_type="ml.g5.xlarge", instance_count=1, volume_kms_key=None, use_spot_instances=True, max_run=7200)
    generic = Estimator(image, ROLE, 1, "ml.m4.xlarge")
    model = Model(image_uri=image, model_data="s3://b/model.tar.gz", role=ROLE, enable_network_isolation=True)
    model.deploy(initial_instance_count=2, instance_type="ml.m5.large", kms_key=KMS, data_capture_config=DataCaptureConfig(True, destination_s3_uri="s3://b/capture"))
    return Pipeline(name="p", steps=[])
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
    expect(doc.meta).toEqual({ unread: 'uses SageMaker Python SDK constructs this reviewer does not read yet: Pipeline' });
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
      { path: 'pipelines/build.py', reason: 'partly reviewed (a SageMaker Python file): uses SageMaker Python SDK constructs this reviewer does not read yet: Pipeline' },
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
