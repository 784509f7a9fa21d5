/**
 * AWS CDK apps in Python, read statically: L1 constructs as the CloudFormation resources they
 * synthesize (names from the CDK's own specification, nested structs and snake_case dicts
 * converted, JSON and map properties verbatim), so the CloudFormation rules apply to them as they
 * are; what a construct's later changes or the app's Tags may set is unknown; L2 constructs other than those cdk/l2.ts reads are
 * named as not read.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document, MapNode, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

const STACK = readFileSync(new URL('../fixtures/cdk/ml_stack.py', import.meta.url), 'utf8');

function read(text: string, path = 'infra/stack.py'): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}
const props = (doc: Document, address: string): MapNode => {
  const t = doc.targets.find((x) => x.address === address);
  if (!t || t.node.type !== 'map') throw new Error(`no target ${address}`);
  return t.node.entries[0]!.value as MapNode;
};
const get = (m: Node | undefined, key: string): Node | undefined => (m?.type === 'map' ? m.entries.find((e) => e.key === key)?.value : undefined);
const reviewed = (text: string, path = 'infra/stack.py') =>
  review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));

describe('AWS CDK L1 constructs in Python', () => {
  it('are the CloudFormation resources they synthesize, with the CloudFormation property names', () => {
    const doc = read(STACK);
    expect(doc.kind).toBe('cdk-python');
    expect(doc.targets.map((t) => [t.type, t.address, t.startLine])).toEqual([
      ['AWS::SageMaker::NotebookInstance', '__init__.Notebook', 13],
      ['AWS::SageMaker::Model', '__init__.Model', 21],
      ['AWS::SageMaker::EndpointConfig', '__init__.Config', 28],
      ['AWS::S3::Bucket', '__init__.Data', 41],
      // An L2 bucket (test/formats/cdk-l2.test.ts): the resource it synthesizes.
      ['AWS::S3::Bucket', '__init__.Logs', 43],
    ]);
    // `volume_size_in_gb` is VolumeSizeInGB: looked up, not capitalised back.
    expect(get(props(doc, '__init__.Notebook'), 'VolumeSizeInGB')).toMatchObject({ value: 5 });
    // A struct class and a snake_case dict are converted the same way; a JSON property keeps its keys.
    const container = get(props(doc, '__init__.Model'), 'PrimaryContainer');
    expect(get(container, 'Image')).toMatchObject({ value: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve:1.0' });
    expect(get(get(container, 'Environment'), 'LOG_LEVEL')).toMatchObject({ value: 'info' });
    const config = props(doc, '__init__.Config');
    const variant = (get(config, 'ProductionVariants') as { items: Node[] }).items[0];
    expect(get(variant, 'InitialInstanceCount')).toMatchObject({ value: 1, startLine: 32 });
    expect(get(variant, 'ModelName')).toMatchObject({ type: 'symbolic' }); // a token: set, value unknown
    expect(get(get(config, 'DataCaptureConfig'), 'InitialSamplingPercentage')).toMatchObject({ value: 100 });
    expect((get(config, 'Tags') as { items: Node[] }).items[0]).toMatchObject({ type: 'map', entries: [expect.objectContaining({ key: 'Key' }), expect.objectContaining({ key: 'Value' })] });
  });

  it('run the CloudFormation rules, on the lines of the arguments', () => {
    const r = reviewed(STACK);
    const on = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => `${f.address}@${f.startLine}`);
    expect(on('sagemaker-notebook-direct-internet')).toEqual(['__init__.Notebook@19']);
    expect(on('sagemaker-endpoint-multi-instance')).toEqual(['__init__.Config@32']);
    expect(on('sagemaker-endpoint-data-capture-sampling')).toEqual(['__init__.Config@35']);
    expect(on('sagemaker-endpoint-data-capture-kms')).toEqual(['__init__.Config@28']);
    // Isolated, encrypted, versioned: no finding.
    for (const rule of ['sagemaker-model-network-isolation', 'sagemaker-endpoint-kms', 's3-bucket-versioning']) expect(on(rule), rule).toEqual([]);
    // Its L2 bucket is read too: the file is reviewed in full.
    expect(r.stats.notReviewed).toEqual([]);
  });

  it('leave unknown what a construct is changed to later, what `**kwargs` pass, and tags the app may add', () => {
    const r = reviewed(STACK);
    // The override may set the bucket's encryption; Tags.of(...) elsewhere may tag the notebook.
    const data = (review: typeof r) => review.findings.filter((f) => f.address === '__init__.Data').map((f) => f.rule);
    expect(data(r)).not.toContain('s3-bucket-kms');
    const overrideLine = '        bucket.add_property_override("BucketEncryption.ServerSideEncryptionConfiguration", [])\n';
    expect(STACK).toContain(overrideLine);
    expect(data(reviewed(STACK.replace(overrideLine, '')))).toContain('s3-bucket-kms');
    expect(r.findings.filter((f) => f.rule.startsWith('tags-'))).toEqual([]);
    expect(get(props(read(STACK), '__init__.Notebook'), 'Tags')).toMatchObject({ type: 'symbolic', expr: 'tags the app may add with Tags.of(...)' });
    const changed = `from aws_cdk import aws_sagemaker as sagemaker

def build(stack, extra):
    config = sagemaker.CfnEndpointConfig(stack, "Config", production_variants=[])
    if extra:
        config.kms_key_id = "arn:aws:kms:eu-west-1:1:key/k"
    other = sagemaker.CfnEndpointConfig(stack, "Other", **extra)
`;
    const doc = read(changed);
    expect(get(props(doc, 'build.Config'), 'KmsKeyId')).toMatchObject({ type: 'symbolic' });
    expect(doc.targets.find((t) => t.address === 'build.Other')?.node).toMatchObject({ entries: [{ key: 'Properties', value: { type: 'symbolic' } }] });
    expect(reviewed(changed).findings.map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
  });

  it('are recognised however the module is imported', () => {
    for (const [imports, call] of [
      ['from aws_cdk.aws_sagemaker import CfnModel', 'CfnModel'],
      ['import aws_cdk as cdk', 'cdk.aws_sagemaker.CfnModel'],
      ['import aws_cdk.aws_sagemaker as sm', 'sm.CfnModel'],
      ['from aws_cdk import aws_sagemaker', 'aws_sagemaker.CfnModel'],
    ]) {
      const doc = read(`${imports}\n\ndef f(stack):\n    ${call}(stack, "M", execution_role_arn="r", enable_network_isolation=True)\n`);
      expect(doc.targets.map((t) => [t.type, t.address]), imports).toEqual([['AWS::SageMaker::Model', 'f.M']]);
    }
  });

  it('take suppressions from # comments; a syntax error is a parse error; CDK code with no construct is no artifact', () => {
    const suppressed = STACK.replace('            direct_internet_access="Enabled",', '            # ml-lens:ignore sagemaker-notebook-direct-internet a lab notebook with no data\n            direct_internet_access="Enabled",');
    expect(reviewed(suppressed).findings.find((f) => f.rule === 'sagemaker-notebook-direct-internet')?.status).toBe('suppressed');
    expect(classify('infra/stack.py', 'import aws_cdk as cdk\ndef f(:\n')).toMatchObject({ type: 'error', error: { kind: 'cdk-python', line: 2 } });
    expect(classify('app.py', 'import aws_cdk as cdk\napp = cdk.App()\napp.synth()\n')).toMatchObject({ type: 'none' });
  });
});

describe('a CDK stack and the rest of its repository', () => {
  const ENDPOINT = `from aws_cdk import aws_sagemaker as sagemaker

def build(stack):
    sagemaker.CfnEndpointConfig(stack, "Config", kms_key_id="k", production_variants=[{"variant_name": "v", "model_name": "m", "initial_instance_count": 2, "instance_type": "ml.m5.large"}])
`;
  const autoscaling = (files: { path: string; text: string }[], tree: string[]) =>
    review(changeSetOf(files.map((f) => ({ path: f.path, status: 'added' as const, base: null, head: f.text })), { tree: ['CODEOWNERS', 'docs/ml-profile.md', ...tree] }))
      .findings.filter((f) => f.rule === 'sagemaker-endpoint-autoscaling')
      .map((f) => f.address);

  it('what an unchanged stack may define is not ruled out: CDK files are not read as context', () => {
    // Another stack of the app, unchanged, may register the scalable target.
    expect(autoscaling([{ path: 'infra/endpoint.py', text: ENDPOINT }], ['infra/scaling.py'])).toEqual([]);
  });

  it('when every file is in the review, what is not there is missing', () => {
    expect(autoscaling([{ path: 'infra/endpoint.py', text: ENDPOINT }], [])).toEqual(['build.Config']);
    const scaling = `from aws_cdk import aws_applicationautoscaling as aas\n\ndef scale(stack):\n    aas.CfnScalableTarget(stack, "Target", max_capacity=4, min_capacity=2, resource_id="endpoint/e/variant/v", scalable_dimension="sagemaker:variant:DesiredInstanceCount", service_namespace="sagemaker")\n`;
    expect(autoscaling([{ path: 'infra/endpoint.py', text: ENDPOINT }, { path: 'infra/scaling.py', text: scaling }], [])).toEqual([]);
  });
});

describe('what the code does to a construct after building it', () => {
  const kms = (text: string) => reviewed(text).findings.filter((f) => f.rule === 'sagemaker-endpoint-kms').map((f) => f.address);
  const CONFIG = 'sagemaker.CfnEndpointConfig(self, "C", production_variants=[{"variant_name": "v", "model_name": "m", "initial_instance_count": 2, "instance_type": "ml.m5.large"}])';

  it('is followed through a field of self, in any method of the class, and through another name', () => {
    const text = `from aws_cdk import aws_sagemaker as sagemaker
import aws_cdk as cdk

class A(cdk.Stack):
    def __init__(self, scope, key):
        self.config = ${CONFIG}
        self.encrypt(key)

    def encrypt(self, key):
        self.config.kms_key_id = key

class B(cdk.Stack):
    def __init__(self, scope, key):
        config = ${CONFIG}
        kept = config
        kept.add_property_override("KmsKeyId", key)

class C(cdk.Stack):
    def __init__(self, scope):
        config = ${CONFIG}
`;
    // A and B set the key (in another method, through another name); C does not.
    expect(kms(text)).toEqual(['__init__.C#3']);
  });

  it('is unknown when the construct is handed to code the reader does not follow, or an aspect may change it', () => {
    const handed = `from aws_cdk import aws_sagemaker as sagemaker\n\ndef build(self, key):\n    config = ${CONFIG}\n    encrypt(config, key)\n`;
    expect(kms(handed)).toEqual([]);
    expect(kms(handed.replace('    encrypt(config, key)\n', '    other.add_depends_on(config)\n'))).toEqual(['build.C']);
    const aspect = `import aws_cdk as cdk\nfrom aws_cdk import aws_sagemaker as sagemaker\n\ndef build(self, key):\n    config = ${CONFIG}\n    cdk.Aspects.of(self).add(Encrypt(key))\n`;
    expect(kms(aspect)).toEqual([]);
  });
});

describe('CDK stacks beside other artifacts', () => {
  const TEMPLATE = 'Resources:\n  Config:\n    Type: AWS::SageMaker::EndpointConfig\n    Properties:\n      KmsKeyId: k\n      ProductionVariants:\n        - VariantName: v\n          ModelName: m\n          InitialInstanceCount: 2\n          InstanceType: ml.m5.large\n';
  const autoscaling = (files: { path: string; text: string }[], tree: string[]) =>
    review(changeSetOf(files.map((f) => ({ path: f.path, status: 'added' as const, base: null, head: f.text })), { tree: ['CODEOWNERS', 'docs/ml-profile.md', ...tree] }))
      .findings.filter((f) => f.rule === 'sagemaker-endpoint-autoscaling')
      .map((f) => f.address);

  it('a template changed in a CDK app: an unchanged stack of the app may register the target', () => {
    expect(autoscaling([{ path: 'infra/endpoint.yaml', text: TEMPLATE }], ['infra/cdk.json', 'infra/stacks/scaling.py'])).toEqual([]);
    expect(autoscaling([{ path: 'infra/endpoint.yaml', text: TEMPLATE }], ['infra/stacks/scaling.py'])).toEqual(['Config']);
  });

  it('a stack with L2 constructs it does not read: one of them may be the target', () => {
    const stack = `from aws_cdk import aws_sagemaker as sagemaker\nfrom aws_cdk import aws_applicationautoscaling as appscaling\n\ndef build(self):\n    sagemaker.CfnEndpointConfig(self, "Config", kms_key_id="k", production_variants=[{"variant_name": "v", "model_name": "m", "initial_instance_count": 2, "instance_type": "ml.m5.large"}])\n    appscaling.ScalableTarget(self, "Target", min_capacity=2, max_capacity=4)\n`;
    expect(autoscaling([{ path: 'infra/endpoint.py', text: stack }], [])).toEqual([]);
    expect(autoscaling([{ path: 'infra/endpoint.py', text: stack.replace(/ {4}appscaling.*\n/, '') }], [])).toEqual(['build.Config']);
  });
});
