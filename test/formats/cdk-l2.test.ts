/**
 * AWS CDK L2 constructs (src/formats/cdk/l2.ts) read as what they synthesize, with the defaults the
 * L2 writes: the CloudFormation rules on buckets, keys, roles, log groups and build projects, and
 * the SageMaker training/transform/endpoint-config rules on the Step Functions SageMaker tasks.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document, Node } from '../../src/model.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

await createEngine();
const review = await reviewer();

function read(text: string, path: string): Document {
  const c = classify(path, text);
  if (c.type !== 'document') throw new Error(`not read: ${JSON.stringify(c)}`);
  return c.document;
}
const at = (doc: Document, address: string, path: string): Node | undefined => {
  let n: Node | undefined = doc.targets.find((t) => t.address === address)?.node;
  for (const k of path.split('.')) n = n?.type === 'map' ? n.entries.find((e) => e.key === k)?.value : undefined;
  return n;
};
const findings = (text: string, path: string) =>
  review(changeSetOf([{ path, status: 'added', base: null, head: text }], { tree: ['CODEOWNERS', 'docs/ml-profile.md'], contextComplete: false }));
const on = (text: string, path: string, rules: string[]) =>
  findings(text, path)
    .findings.filter((f) => rules.includes(f.rule))
    .map((f) => `${f.rule}@${f.startLine} ${f.address}`)
    .sort();

const RULES = ['s3-bucket-kms', 's3-bucket-versioning', 's3-bucket-public-access-block', 's3-bucket-lifecycle', 's3-bucket-access-logging', 'iam-resource-policy-public', 'kms-key-rotation', 'iam-policy-wildcard', 'iam-broad-managed-policy', 'cloudwatch-log-group-retention', 'codebuild-project-kms', 'codebuild-image-deprecated'];

const PY = `from aws_cdk import Duration, Stack
from aws_cdk import aws_s3 as s3, aws_kms as kms, aws_iam as iam, aws_logs as logs, aws_codebuild as codebuild


class Data(Stack):
    def __init__(self, scope, id):
        super().__init__(scope, id)
        key = kms.Key(self, "Key")
        rotated = kms.Key(self, "Rotated", enable_key_rotation=True)
        raw = s3.Bucket(self, "Raw")
        curated = s3.Bucket(
            self,
            "Curated",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=rotated,
            versioned=True,
            enforce_ssl=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            server_access_logs_bucket=raw,
        )
        curated.add_lifecycle_rule(expiration=Duration.days(90))
        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSageMakerFullAccess")])
        role.add_to_policy(iam.PolicyStatement(actions=["kms:*"], resources=["*"]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
        curated.grant_read(role)
        logs.LogGroup(self, "Default")
        logs.LogGroup(self, "Forever", retention=logs.RetentionDays.INFINITE)
        codebuild.PipelineProject(self, "Build", environment=codebuild.BuildEnvironment(build_image=codebuild.LinuxBuildImage.STANDARD_4_0))
`;

describe('L2 constructs in Python', () => {
  it('are the resources they synthesize, with the L2 defaults', () => {
    const doc = read(PY, 'infra/data.py');
    expect(doc.targets.map((t) => `${t.type} ${t.address}@${t.startLine}`)).toEqual([
      'AWS::KMS::Key __init__.Key@8',
      'AWS::KMS::Key __init__.Rotated@9',
      'AWS::S3::Bucket __init__.Raw@10',
      'AWS::S3::Bucket __init__.Curated@11',
      'AWS::S3::BucketPolicy __init__.Curated/Policy@17',
      'AWS::IAM::Role __init__.Role@22',
      'AWS::IAM::Policy __init__.Role/DefaultPolicy@24',
      'AWS::Logs::LogGroup __init__.Default@27',
      'AWS::Logs::LogGroup __init__.Forever@28',
      'AWS::CodeBuild::Project __init__.Build@29',
    ]);
    // logs.LogGroup: two years unless told; INFINITE writes no retention.
    expect(at(doc, '__init__.Default', 'Properties.RetentionInDays')).toMatchObject({ value: 731 });
    expect(at(doc, '__init__.Forever', 'Properties.RetentionInDays')).toBeUndefined();
    // codebuild: the AWS-managed key for S3 unless told, which is what leaving it out means.
    expect(at(doc, '__init__.Build', 'Properties.EncryptionKey')).toBeUndefined();
    expect(at(doc, '__init__.Build', 'Properties.Environment.PrivilegedMode')).toMatchObject({ value: false });
    // The managed policy by its ARN; the key by a reference (set, value unknown).
    expect(at(doc, '__init__.Role', 'Properties.ManagedPolicyArns')).toMatchObject({ items: [{ value: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess', startLine: 23 }] });
    expect(at(doc, '__init__.Curated', 'Properties.BucketEncryption')).toMatchObject({ type: 'map' });
    // A bucket taking server access logs gets an ACL or a policy by a feature flag: unknown.
    expect(at(doc, '__init__.Raw', 'Properties.AccessControl')).toMatchObject({ type: 'symbolic' });
    expect(at(doc, '__init__.Curated', 'Properties.LifecycleConfiguration.Rules')).toMatchObject({ items: [{ type: 'map' }] });
  });

  it('run the CloudFormation rules on the right lines', () => {
    expect(on(PY, 'infra/data.py', RULES)).toEqual([
      'cloudwatch-log-group-retention@28 __init__.Forever',
      'codebuild-image-deprecated@29 __init__.Build',
      'codebuild-project-kms@29 __init__.Build', // no key: the AWS-managed one
      'iam-broad-managed-policy@23 __init__.Role',
      'iam-policy-wildcard@25 __init__.Role/DefaultPolicy', // s3:* on *; kms:* is not among the rule's wildcards
      'kms-key-rotation@8 __init__.Key',
      's3-bucket-lifecycle@10 __init__.Raw',
      's3-bucket-versioning@10 __init__.Raw',
    ].sort());
    // The file is reviewed in full: nothing it uses is left unread.
    expect(findings(PY, 'infra/data.py').stats.notReviewed).toEqual([]);
  });

  it('a partial BlockPublicAccess leaves the rest to a feature flag: unknown, not a failure', () => {
    const text = `from aws_cdk import aws_s3 as s3\n\ndef f(self):\n    s3.Bucket(self, "B", block_public_access=s3.BlockPublicAccess(block_public_policy=True))\n    s3.Bucket(self, "C", block_public_access=s3.BlockPublicAccess(block_public_policy=False))\n`;
    expect(on(text, 'infra/b.py', ['s3-bucket-public-access-block'])).toEqual(['s3-bucket-public-access-block@5 f.C']);
    expect(at(read(text, 'infra/b.py'), 'f.B', 'Properties.PublicAccessBlockConfiguration.BlockPublicAcls')).toMatchObject({ type: 'symbolic', expr: expect.stringContaining('@aws-cdk/aws-s3:publicAccessBlockedByDefault') });
  });

  it('public read access and grant_public_access are a public bucket policy', () => {
    const text = `from aws_cdk import aws_s3 as s3\n\ndef f(self):\n    s3.Bucket(self, "Site", public_read_access=True, block_public_access=s3.BlockPublicAccess.BLOCK_ACLS)\n    b = s3.Bucket(self, "Other")\n    b.grant_public_access()\n`;
    expect(on(text, 'infra/b.py', ['iam-resource-policy-public'])).toEqual(['iam-resource-policy-public@4 f.Site/Policy', 'iam-resource-policy-public@6 f.Other/Policy']);
  });

  it('a construct handed to code the reader does not follow, its L1 changed, or an aspect: unknown', () => {
    const base = `from aws_cdk import aws_kms as kms\n\ndef f(self):\n    key = kms.Key(self, "K")\n`;
    expect(on(base, 'infra/k.py', ['kms-key-rotation'])).toEqual(['kms-key-rotation@4 f.K']);
    expect(on(`${base}    harden(key)\n`, 'infra/k.py', ['kms-key-rotation'])).toEqual([]);
    expect(on(`${base}    key.node.default_child.enable_key_rotation = True\n`, 'infra/k.py', ['kms-key-rotation'])).toEqual([]);
    // Given to a CDK construct (which only reads its ARN) or granted: still read.
    expect(on(`from aws_cdk import aws_s3 as s3\n${base}    s3.Bucket(self, "B", encryption_key=key)\n    key.grant_decrypt(role)\n`, 'infra/k.py', ['kms-key-rotation'])).toEqual(['kms-key-rotation@5 f.K']);
  });

  it('a project handed to a pipeline may get its artifact key: unknown', () => {
    const text = `from aws_cdk import aws_codebuild as codebuild, aws_codepipeline_actions as actions\n\ndef f(self, src):\n    p = codebuild.PipelineProject(self, "P")\n`;
    expect(on(text, 'infra/p.py', ['codebuild-project-kms'])).toEqual(['codebuild-project-kms@4 f.P']);
    expect(on(`${text}    actions.CodeBuildAction(action_name="b", project=p, input=src)\n`, 'infra/p.py', ['codebuild-project-kms'])).toEqual([]);
    expect(at(read(`${text}    actions.CodeBuildAction(action_name="b", project=p, input=src)\n`, 'infra/p.py'), 'f.P', 'Properties.EncryptionKey')).toMatchObject({ type: 'symbolic' });
  });
});

const TASKS_PY = `from aws_cdk import Duration, aws_stepfunctions_tasks as tasks, aws_stepfunctions as sfn, aws_ec2 as ec2, aws_kms as kms


def build(self, key, model_name):
    train = tasks.SageMakerCreateTrainingJob(
        self,
        "Train",
        training_job_name="churn",
        algorithm_specification=tasks.AlgorithmSpecification(training_image=tasks.DockerImage.from_registry("1.dkr.ecr.eu-west-1.amazonaws.com/train:1.0")),
        input_data_config=[],
        output_data_config=tasks.OutputDataConfig(s3_output_location=tasks.S3Location.from_json_expression("$.out")),
    )
    secure = tasks.SageMakerCreateTrainingJob(
        self,
        "Secure",
        training_job_name="churn",
        enable_network_isolation=True,
        algorithm_specification=tasks.AlgorithmSpecification(algorithm_name="xgboost"),
        input_data_config=[],
        output_data_config=tasks.OutputDataConfig(s3_output_location=tasks.S3Location.from_json_expression("$.out"), encryption_key=key),
        resource_config=tasks.ResourceConfig(instance_count=1, instance_type=ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.XLARGE2), volume_size=Size.gibibytes(50), volume_encryption_key=key),
        stopping_condition=tasks.StoppingCondition(max_runtime=Duration.hours(2)),
    )
    config = tasks.SageMakerCreateEndpointConfig(self, "Config", endpoint_config_name="c", production_variants=[tasks.ProductionVariant(model_name=model_name, variant_name="v", instance_type=ec2.InstanceType("m5.large"))])
    score = tasks.SageMakerCreateTransformJob(self, "Score", transform_job_name="s", model_name=model_name, transform_input=x, transform_output=tasks.TransformOutput(s3_output_path="s3://b/out"))
    sfn.StateMachine(self, "Machine", definition_body=sfn.DefinitionBody.from_chainable(train.next(secure).next(config).next(score)))
`;

describe('Step Functions SageMaker tasks', () => {
  it('are the requests they send, with the task defaults', () => {
    const doc = read(TASKS_PY, 'infra/flow.py');
    expect(doc.targets.map((t) => `${t.type} ${t.address}@${t.startLine}`)).toEqual([
      'Training build.Train@5',
      'Training build.Secure@13',
      'AWS::SageMaker::EndpointConfig build.Config@24',
      'Transform build.Score@25',
      'AWS::IAM::Role build.Score/SagemakerTransformRole@25',
    ]);
    expect(at(doc, 'build.Train', 'Arguments.ResourceConfig')).toMatchObject({ entries: [{ key: 'InstanceCount', value: { value: 1 } }, { key: 'InstanceType', value: { value: 'ml.m4.xlarge' } }, { key: 'VolumeSizeInGB', value: { value: 10 } }] });
    expect(at(doc, 'build.Train', 'Arguments.StoppingCondition.MaxRuntimeInSeconds')).toMatchObject({ value: 3600 });
    expect(at(doc, 'build.Secure', 'Arguments.StoppingCondition.MaxRuntimeInSeconds')).toMatchObject({ value: 7200, startLine: 22 });
    expect(at(doc, 'build.Secure', 'Arguments.ResourceConfig.InstanceType')).toMatchObject({ value: 'ml.m5.2xlarge' });
    const variant = (at(doc, 'build.Config', 'Properties.ProductionVariants') as { items: Node[] }).items[0]!;
    expect(variant.type === 'map' && variant.entries.slice(0, 2)).toMatchObject([{ key: 'InitialInstanceCount', value: { value: 1 } }, { key: 'InstanceType', value: { value: 'ml.m5.large' } }]);
  });

  it('get the SageMaker training, transform and endpoint rules', () => {
    const got = findings(TASKS_PY, 'infra/flow.py').findings.map((f) => `${f.rule}@${f.startLine} ${f.address}`);
    expect(got.sort()).toEqual(
      [
        // The transform task's own role: AmazonSageMakerFullAccess.
        'iam-broad-managed-policy@25 build.Score/SagemakerTransformRole',
        // The task cannot set data capture; no key given; one instance by default.
        'sagemaker-endpoint-data-capture@24 build.Config',
        'sagemaker-endpoint-kms@24 build.Config',
        'sagemaker-endpoint-multi-instance@24 build.Config',
        'sagemaker-pipeline-job-kms@25 build.Score',
        // The first training job: no keys, no isolation, the default ml.m4.xlarge; the second has them.
        'sagemaker-pipeline-job-kms@5 build.Train',
        'sagemaker-pipeline-job-network-isolation@5 build.Train',
        'sagemaker-previous-generation-instance@25 build.Score',
        'sagemaker-previous-generation-instance@5 build.Train',
        'sagemaker-training-managed-spot@13 build.Secure',
        'sagemaker-training-managed-spot@5 build.Train',
      ].sort(),
    );
  });
});

const TS = `import * as cdk from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export class DataStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true });
    const bucket = new s3.Bucket(this, 'Data', {
      encryptionKey: key,
      versioned: true,
      enforceSSL: true,
      lifecycleRules: [{ expiration: cdk.Duration.days(30) }],
      serverAccessLogsPrefix: 'logs/',
    });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:*'], resources: ['*'] }));
    bucket.grantReadWrite(role);
    new logs.LogGroup(this, 'Week', { retention: logs.RetentionDays.ONE_WEEK });
    new kms.Key(this, 'Plain');
  }
}
`;

describe('L2 constructs in TypeScript', () => {
  it('are read the same way, on the right lines', () => {
    const doc = read(TS, 'lib/data.ts');
    expect(doc.kind).toBe('cdk-typescript');
    expect(at(doc, 'constructor.Week', 'Properties.RetentionInDays')).toMatchObject({ value: 7 });
    expect(at(doc, 'constructor.Data', 'Properties.LifecycleConfiguration.Rules')).toMatchObject({ items: [{ entries: [{ key: 'Status', value: { value: 'Enabled' } }, { key: 'ExpirationInDays', value: { value: 30 } }] }] });
    expect(on(TS, 'lib/data.ts', RULES)).toEqual(['iam-broad-managed-policy@20 constructor.Role', 'iam-policy-wildcard@21 constructor.Role/DefaultPolicy', 'kms-key-rotation@24 constructor.Plain'].sort());
  });

  it('an L2 construct handed to a function: unknown', () => {
    const text = `import * as kms from 'aws-cdk-lib/aws-kms';\nexport function f(scope: any) {\n  const key = new kms.Key(scope, 'K');\n  harden(key);\n}\n`;
    expect(on(text, 'lib/k.ts', ['kms-key-rotation'])).toEqual([]);
    expect(on(text.replace('  harden(key);\n', ''), 'lib/k.ts', ['kms-key-rotation'])).toEqual(['kms-key-rotation@3 f.K']);
  });
});

describe('managed policies by their shape', () => {
  it('an object with a managedPolicyArn is that policy (CDK v1 code does this)', () => {
    const text = `import * as iam from '@aws-cdk/aws-iam';\nexport class S {\n  role(scope: any) {\n    const role = new iam.Role(scope, 'R', {\n      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),\n      managedPolicies: [{ managedPolicyArn: 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' }],\n    });\n    role.addManagedPolicy({ managedPolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' });\n    return role;\n  }\n}\n`;
    // One finding a target, on the first policy; the one added later is in the list too.
    expect(on(text, 'lib/r.ts', ['iam-broad-managed-policy'])).toEqual(['iam-broad-managed-policy@6 role.R']);
    expect(at(read(text, 'lib/r.ts'), 'role.R', 'Properties.ManagedPolicyArns')).toMatchObject({ items: [{ startLine: 6 }, { value: 'arn:aws:iam::aws:policy/AmazonS3FullAccess', startLine: 8 }] });
  });
});

describe('policy statements changed after they are built', () => {
  it('are unknown, in Python and TypeScript; unchanged ones are read', () => {
    const py = (extra: string) =>
      `from aws_cdk import aws_iam as iam\n\ndef f(self):\n    stmt = iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"])\n${extra}    role = iam.Role(self, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))\n    role.add_to_policy(stmt)\n`;
    expect(on(py(''), 'infra/r.py', ['iam-policy-wildcard'])).toEqual([]);
    const wildcard = py('    stmt2 = iam.PolicyStatement(actions=["*"], resources=["*"])\n').replace('role.add_to_policy(stmt)', 'role.add_to_policy(stmt2)');
    expect(on(wildcard, 'infra/r.py', ['iam-policy-wildcard'])).toEqual(['iam-policy-wildcard@7 f.R/DefaultPolicy']);
    // `add_actions("*")` later: what the statement holds is not what it was built with.
    const changed = read(py('    stmt.add_actions("*")\n'), 'infra/r.py');
    const statement = at(changed, 'f.R/DefaultPolicy', 'Properties.PolicyDocument.Statement');
    expect(statement?.type === 'list' ? statement.items[0] : statement).toMatchObject({ type: 'symbolic' });
    const ts = (extra: string) =>
      `import * as iam from 'aws-cdk-lib/aws-iam';\n\nexport function f(scope: any) {\n  const stmt = new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] });\n${extra}  const role = new iam.Role(scope, 'R', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });\n  role.addToPolicy(stmt);\n}\n`;
    const tsStatement = (text: string) => at(read(text, 'lib/r.ts'), 'f.R/DefaultPolicy', 'Properties.PolicyDocument.Statement');
    expect(tsStatement(ts(''))).toMatchObject({ type: 'list', items: [{ type: 'map' }] });
    const tsChanged = tsStatement(ts("  stmt.addActions('*');\n"));
    expect(tsChanged?.type === 'list' ? tsChanged.items[0] : tsChanged).toMatchObject({ type: 'symbolic' });
  });
});
