import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/model.js';
import { cloudformation } from '../../src/formats/cloudformation.js';
import { dig, entry, get, items, str, value } from '../../src/formats/tree.js';
import { aliasBomb, asDocument, asError, asSymbol, fixture, lineOf, neverThrows, targetRows } from './_pipeline-helpers.js';

const YAML = fixture('cfn-endpoint.yaml');
const CDK = fixture('cdk-churn.template.json');

const parseYamlTemplate = () => asDocument(cloudformation.parse('deploy/endpoint.yaml', YAML));
const parseCdk = () => asDocument(cloudformation.parse('cdk.out/ChurnStack.template.json', CDK));
const resource = (root: Node, id: string) => dig(root, 'Resources', id);
const refsAt = (node: Node | undefined) => asSymbol(node).refs;

describe('cloudformation detect', () => {
  it('accepts template extensions whose text has a CloudFormation signature', () => {
    expect(cloudformation.detect('deploy/endpoint.yaml', YAML)).toBe(true);
    expect(cloudformation.detect('deploy/endpoint.yml', YAML)).toBe(true);
    expect(cloudformation.detect('deploy/endpoint.template', YAML)).toBe(true);
    expect(cloudformation.detect('cdk.out/ChurnStack.template.json', CDK)).toBe(true);
    // Minified JSON: the signature is not at the start of a line.
    expect(cloudformation.detect('t.json', '{"Resources":{"K":{"Type":"AWS::KMS::Key"}}}')).toBe(true);
  });

  it('never decides by extension alone, nor by signature alone', () => {
    expect(cloudformation.detect('deploy/endpoint.txt', YAML)).toBe(false);
    expect(cloudformation.detect('main.tf', YAML)).toBe(false);
    expect(cloudformation.detect('docker-compose.yml', 'services:\n  web:\n    image: nginx:1.27\n')).toBe(false);
    // Resources without any AWS:: type and no format version: not recognisable as CloudFormation.
    expect(cloudformation.detect('x.yaml', 'Resources:\n  Thing:\n    Type: Custom::Thing\n')).toBe(false);
    // `AWS::Region` in a value is not an `AWS::` resource type.
    expect(cloudformation.detect('x.yaml', 'Resources:\n  - region: AWS::Region\n')).toBe(false);
  });

  it('accepts a template without AWSTemplateFormatVersion by its AWS:: resource types (SAM included)', () => {
    const text = 'Transform: AWS::Serverless-2016-10-31\nResources:\n  Scorer:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n';
    expect(cloudformation.detect('template.yaml', text)).toBe(true);
    const doc = asDocument(cloudformation.parse('template.yaml', text));
    expect(targetRows(doc)).toEqual([['AWS::Serverless::Function', 'Scorer', 3, 6]]);
  });
});

describe('cloudformation YAML templates', () => {
  it('targets each resource by logical ID, spanning from its key line, with its Type as type', () => {
    const doc = parseYamlTemplate();
    expect(doc.kind).toBe('cloudformation');
    expect(doc.lines).toBe(YAML.trimEnd().split('\n').length);
    expect(targetRows(doc)).toEqual([
      ['AWS::IAM::Role', 'ModelRole', lineOf(YAML, '  ModelRole:'), lineOf(YAML, 'aws:SourceAccount')],
      ['AWS::SageMaker::Model', 'ChurnModel', lineOf(YAML, '  ChurnModel:'), lineOf(YAML, "- !Select [0, !GetAZs '']")],
      ['AWS::SageMaker::EndpointConfig', 'ChurnEndpointConfig', lineOf(YAML, '  ChurnEndpointConfig:'), lineOf(YAML, 'CaptureMode: Output')],
      ['AWS::SageMaker::Endpoint', 'ChurnEndpoint', lineOf(YAML, '  ChurnEndpoint:'), lineOf(YAML, '- Prefix: !Ref EnvType')],
      ['AWS::S3::Bucket', 'CaptureBucket', lineOf(YAML, '  CaptureBucket:'), lineOf(YAML, '!Cidr [')],
      ['AWS::EC2::VPC', 'Vpc', lineOf(YAML, '  Vpc:'), lineOf(YAML, 'CidrBlock: 10.0.0.0/16')],
    ]);
    const model = doc.targets[1]!;
    expect(model.name).toBe('ChurnModel');
    // The node is the whole resource: Type, Metadata and Properties.
    expect(value(get(model.node, 'Type'))).toBe('AWS::SageMaker::Model');
    expect(value(dig(model.node, 'Metadata', 'Owner'))).toBe('ml-platform');
  });

  it('positions map keys', () => {
    const doc = parseYamlTemplate();
    const config = resource(doc.root, 'ChurnEndpointConfig');
    expect(entry(get(config, 'Properties'), 'KmsKeyId')?.keyLine).toBe(lineOf(YAML, 'KmsKeyId:'));
    expect(entry(get(config, 'Properties'), 'DataCaptureConfig')?.keyLine).toBe(lineOf(YAML, 'DataCaptureConfig:'));
    expect(entry(doc.root, 'Outputs')?.keyLine).toBe(lineOf(YAML, 'Outputs:'));
    const sampling = dig(config, 'Properties', 'DataCaptureConfig', 'InitialSamplingPercentage');
    expect(sampling).toMatchObject({ type: 'scalar', value: 20, startLine: lineOf(YAML, 'InitialSamplingPercentage') });
  });

  it('turns every short-form intrinsic into a symbol with the logical names it reads', () => {
    const doc = parseYamlTemplate();
    const model = get(resource(doc.root, 'ChurnModel'), 'Properties');
    expect(refsAt(get(model, 'ExecutionRoleArn'))).toEqual(['ModelRole']);
    expect(asSymbol(get(model, 'ExecutionRoleArn'))).toMatchObject({ expr: '!GetAtt ModelRole.Arn', startLine: lineOf(YAML, 'ExecutionRoleArn') });
    expect(refsAt(dig(model, 'PrimaryContainer', 'ModelPackageName'))).toEqual(['ModelPackageArn']);
    expect(refsAt(dig(model, 'VpcConfig', 'Subnets'))).toEqual(['EnvType']); // !Split [',', !ImportValue {Fn::Sub}]
    expect(refsAt(items(dig(model, 'VpcConfig', 'SecurityGroupIds'))[0])).toEqual([]); // !Select [0, !GetAZs '']

    const config = get(resource(doc.root, 'ChurnEndpointConfig'), 'Properties');
    expect(refsAt(get(config, 'KmsKeyId'))).toEqual(['HasKey', 'KmsKeyArn']); // AWS::NoValue is a pseudo parameter
    const variant = items(get(config, 'ProductionVariants'))[0];
    expect(refsAt(get(variant, 'ModelName'))).toEqual(['ChurnModel']); // !GetAtt [ChurnModel, ModelName]
    expect(refsAt(get(variant, 'InstanceType'))).toEqual(['EndpointInstanceType']);
    expect(refsAt(get(variant, 'InitialInstanceCount'))).toEqual(['InstanceCounts', 'EnvType']);
    // !Sub: ${AWS::Region} is a pseudo parameter and ${!Literal} an escape.
    expect(refsAt(dig(config, 'DataCaptureConfig', 'DestinationS3Uri'))).toEqual(['CaptureBucket']);

    const endpoint = get(resource(doc.root, 'ChurnEndpoint'), 'Properties');
    expect(refsAt(get(endpoint, 'EndpointName'))).toEqual(['EnvType']); // !Join
    expect(refsAt(get(endpoint, 'EndpointConfigName'))).toEqual(['ChurnEndpointConfig']);
    // !Sub with a variable map: Prefix is defined locally, its value's refs count instead.
    expect(refsAt(get(items(get(endpoint, 'Tags'))[0], 'Value'))).toEqual(['ChurnModel', 'EnvType']);

    const bucket = get(resource(doc.root, 'CaptureBucket'), 'Properties');
    expect(refsAt(get(bucket, 'NotificationConfiguration'))).toEqual(['EnvType']); // !Transform
    expect(asSymbol(get(bucket, 'NotificationConfiguration')).expr).toMatch(/^!Transform /);
    const [userData, cidr] = items(get(bucket, 'Tags'));
    expect(asSymbol(get(userData, 'Value'))).toMatchObject({ expr: expect.stringMatching(/^!Base64 /), refs: ['EnvType'] });
    expect(refsAt(get(cidr, 'Value'))).toEqual(['Vpc']); // !Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 6, 8]]
  });

  it('reads condition functions, with {Condition: X} as an intrinsic only inside And/Or/Not', () => {
    const doc = parseYamlTemplate();
    const conditions = get(doc.root, 'Conditions');
    expect(refsAt(get(conditions, 'IsProd'))).toEqual(['EnvType']); // !Equals
    expect(refsAt(get(conditions, 'HasKey'))).toEqual(['KmsKeyArn']); // !Not [!Equals ...]
    const prodWithKey = asSymbol(get(conditions, 'ProdWithKey'));
    expect(prodWithKey.refs).toEqual(['IsProd', 'HasKey']);
    expect(items(prodWithKey.inner).map((i) => asSymbol(i).expr)).toEqual(['!Condition IsProd', '!Condition HasKey']);
    expect(refsAt(get(conditions, 'DevOrNoKey'))).toEqual(['IsProd', 'HasKey']);
    // The resource attribute and an IAM policy `Condition` are plain values.
    expect(get(resource(doc.root, 'ChurnEndpointConfig'), 'Condition')).toMatchObject({ type: 'scalar', value: 'IsProd' });
    const statement = items(dig(resource(doc.root, 'ModelRole'), 'Properties', 'AssumeRolePolicyDocument', 'Statement'))[0];
    expect(get(statement, 'Condition')?.type).toBe('map');
    expect(refsAt(dig(statement, 'Condition', 'StringEquals', 'aws:SourceAccount'))).toEqual([]);
    expect(dig(doc.root, 'Outputs', 'EndpointName', 'Condition')).toMatchObject({ type: 'scalar', value: 'IsProd' });
  });

  it('keeps an unknown tag symbolic, with the refs of what it holds', () => {
    const text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Custom [!Ref Name]\n";
    const doc = asDocument(cloudformation.parse('t.yaml', text));
    expect(asSymbol(dig(doc.root, 'Resources', 'B', 'Properties', 'BucketName'))).toMatchObject({ refs: ['Name'], startLine: 6 });
  });
});

describe('cloudformation JSON templates (CDK)', () => {
  it('targets each resource from the line of its logical ID to its closing brace', () => {
    const doc = parseCdk();
    expect(targetRows(doc)).toEqual([
      ['AWS::KMS::Key', 'ArtifactKey1A2B3C4D', lineOf(CDK, '"ArtifactKey1A2B3C4D": {'), lineOf(CDK, '"ArtifactBucket5E6F7A8B": {') - 1],
      ['AWS::S3::Bucket', 'ArtifactBucket5E6F7A8B', lineOf(CDK, '"ArtifactBucket5E6F7A8B": {'), lineOf(CDK, '"TrainingPipeline": {') - 1],
      ['AWS::SageMaker::Pipeline', 'TrainingPipeline', lineOf(CDK, '"TrainingPipeline": {'), lineOf(CDK, '"Conditions": {') - 2],
    ]);
  });

  it('turns long-form intrinsics into symbols and keeps Metadata', () => {
    const doc = parseCdk();
    const bucket = resource(doc.root, 'ArtifactBucket5E6F7A8B');
    const name = asSymbol(dig(bucket, 'Properties', 'BucketName'));
    expect(name).toMatchObject({ refs: ['Stage'], startLine: lineOf(CDK, '"Fn::Join"') - 1, endLine: lineOf(CDK, '"BucketEncryption"') - 1 });
    expect(name.expr).toMatch(/^!Join /);
    expect(items(items(name.inner)[1]).map((n) => n.type)).toEqual(['scalar', 'symbolic', 'symbolic']);
    const sse = items(dig(bucket, 'Properties', 'BucketEncryption', 'ServerSideEncryptionConfiguration'))[0];
    expect(refsAt(dig(sse, 'ServerSideEncryptionByDefault', 'KMSMasterKeyID'))).toEqual(['ArtifactKey1A2B3C4D']);
    expect(get(bucket, 'Condition')).toMatchObject({ type: 'scalar', value: 'CreateBucket' });
    expect(str(dig(bucket, 'Metadata', 'aws:cdk:path'))).toBe('ChurnStack/ArtifactBucket/Resource');

    const pipeline = get(resource(doc.root, 'TrainingPipeline'), 'Properties');
    expect(refsAt(get(pipeline, 'PipelineName'))).toEqual(['Stage']); // Suffix is a Sub variable
    expect(refsAt(get(pipeline, 'RoleArn'))).toEqual(['CreateBucket', 'PipelineRole']);
    // An embedded definition string stays a string (the SageMaker module parses definition files).
    expect(dig(pipeline, 'PipelineDefinition', 'PipelineDefinitionBody')?.type).toBe('scalar');

    const createBucket = asSymbol(dig(doc.root, 'Conditions', 'CreateBucket'));
    expect(createBucket.refs).toEqual(['Stage', 'HasQuota']);
    expect(asSymbol(items(createBucket.inner)[1])).toMatchObject({ expr: '!Condition HasQuota', refs: ['HasQuota'] });
    expect(refsAt(dig(doc.root, 'Conditions', 'HasQuota'))).toEqual(['Quota']);
  });

  it('turns long forms written in YAML into symbols too', () => {
    const text = 'Resources:\n  Key:\n    Type: AWS::KMS::Key\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      KmsKey:\n        Fn::GetAtt: [Key, Arn]\n      Name: {Ref: BucketName}\n';
    const doc = asDocument(cloudformation.parse('t.yml', text));
    const props = dig(doc.root, 'Resources', 'Bucket', 'Properties');
    expect(asSymbol(get(props, 'KmsKey'))).toMatchObject({ refs: ['Key'], startLine: 8, endLine: 8 });
    expect(asSymbol(get(props, 'Name'))).toMatchObject({ refs: ['BucketName'], expr: '!Ref BucketName', startLine: 9 });
  });
});

describe('cloudformation structure and parameter files', () => {
  it('rules out parameter files, list and object forms', () => {
    const list = '[\n  {"ParameterKey": "StageName", "ParameterValue": "prod"},\n  {"ParameterKey": "EndpointInstanceCount", "ParameterValue": "1"}\n]\n';
    const object = '{\n  "Parameters": {\n    "StageName": "prod",\n    "SamplingPercentage": "100"\n  },\n  "Tags": {"team": "ml"}\n}\n';
    for (const [path, text] of [['deploy/prod-config.json', list], ['deploy/shadow-config.json', object]] as const) {
      expect(cloudformation.detect(path, text)).toBe(true);
      expect(cloudformation.parse(path, text)).toEqual({ notArtifact: 'a CloudFormation parameter file, not a template' });
    }
  });

  it('rules out files whose signature is only in the text', () => {
    const text = '{"Description": "AWSTemplateFormatVersion is documented elsewhere", "Resources": "none"}';
    expect(cloudformation.detect('notes.json', text)).toBe(true);
    expect(cloudformation.parse('notes.json', text)).toEqual({ notArtifact: 'no AWSTemplateFormatVersion and no Resources of AWS:: types' });
    expect(cloudformation.parse('x.yaml', '')).toEqual({ notArtifact: 'empty file' });
    expect(cloudformation.parse('x.yaml', 'AWSTemplateFormatVersion: x\n---\nResources: {}\n')).toMatchObject({ notArtifact: expect.stringMatching(/multi-document/) });
  });

  it('accepts a template with a format version and only Custom:: resources', () => {
    const text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Config:\n    Type: Custom::EnvironmentConfig\n    Properties:\n      ServiceToken: !ImportValue config-lambda-arn\n";
    const doc = asDocument(cloudformation.parse('t.yaml', text));
    expect(targetRows(doc)).toEqual([['Custom::EnvironmentConfig', 'Config', 3, 6]]);
  });
});

describe('cloudformation malformed input', () => {
  it('reports bad YAML indentation at its line', () => {
    const text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n   Properties: {}\n";
    expect(asError(cloudformation.parse('t.yaml', text))).toMatchObject({ kind: 'cloudformation', path: 't.yaml', line: 5 });
  });

  it('reports a duplicate YAML key at the second occurrence', () => {
    const text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Type: AWS::S3::AccessPoint\n";
    expect(asDocument(cloudformation.parse('t.yaml', text)).meta?.['parseNotes']).toMatchObject([{ note: 'duplicate-key', line: 5 }]); // the last value wins, said as a finding
  });

  it('reports bad JSON and a duplicate JSON key at their lines', () => {
    const bad = '{\n "AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {\n  "Key": {"Type": "AWS::KMS::Key"}\n  "Bucket": {"Type": "AWS::S3::Bucket"}\n }\n}\n';
    expect(asError(cloudformation.parse('t.json', bad))).toMatchObject({ line: 5, message: 'JSON: expected "," or "}", found "\\""' });
    const dup = '{\n "AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {\n  "Key": {"Type": "AWS::KMS::Key"},\n  "Key": {"Type": "AWS::S3::Bucket"}\n }\n}\n';
    expect(asError(cloudformation.parse('t.json', dup))).toMatchObject({ line: 5, message: 'JSON: duplicate key "Key"' });
    // Keys compare by value, escapes decoded; equal strings that are values or in other objects are fine.
    const escaped = '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {"K": {"Type": "AWS::KMS::Key", "Description": "Type"}},\n "Outputs": {"K": {"Value": "K"}},\n "\\u0052esources": {}}';
    expect(asError(cloudformation.parse('t.json', escaped))).toMatchObject({ line: 4, message: 'JSON: duplicate key "Resources"' });
  });

  it('refuses a YAML alias bomb with a ParseError', () => {
    const text = aliasBomb("AWSTemplateFormatVersion: '2010-09-09'\n");
    expect(cloudformation.detect('t.yaml', text)).toBe(true);
    expect(asError(cloudformation.parse('t.yaml', text))).toMatchObject({ line: 7, message: expect.stringMatching(/aliases/) });
  });

  it('never throws, whatever the text', () => {
    neverThrows(cloudformation, 't.yaml', ['AWSTemplateFormatVersion: x\n', 'Resources:\n', 'Type: AWS::S3::Bucket\n', '!Sub ', '!GetAtt ', 'Fn::If', '{"Ref": "X"}']);
    neverThrows(cloudformation, 't.json', ['"AWSTemplateFormatVersion"', '"Resources"', '{"Fn::GetAtt": ["A"]}', '{"Condition": 1}', '{"Fn::Sub": [1]}']);
  });
});

describe('Fn::If around properties: each branch is read', () => {
  const template = (props: string) => `AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
${props}`;
  const variant = 'ProductionVariants:\n        - {VariantName: a, ModelName: m, InitialInstanceCount: 2, InstanceType: ml.m5.large}';
  const rule = async (text: string, id: string) => {
    const { changeSetOf, reviewer } = await import('../helpers/engine.js');
    const review = await reviewer();
    const r = review(changeSetOf([{ path: 'infra/endpoint.yaml', status: 'added', base: null, head: text }], { tree: [], contextComplete: false }));
    return r.findings.filter((f) => f.rule === id).map((f) => f.startLine);
  };

  it('a property set in one branch and left out in the other is unknown, not a failure', async () => {
    const text = template(`      KmsKeyId: !If [IsProd, arn:aws:kms:eu-west-1:111122223333:key/abc, !Ref AWS::NoValue]\n      ${variant}\n`);
    const doc = asDocument(cloudformation.parse('infra/endpoint.yaml', text));
    expect(doc.targets[0]!.variants).toHaveLength(2);
    expect(await rule(text, 'sagemaker-endpoint-kms')).toEqual([]);
  });

  it('a property missing in both branches of a whole Properties block fails', async () => {
    const text = template(`      !If\n        - IsProd\n        - ${variant.replace('\n', '\n          ')}\n        - ${variant.replace('\n', '\n          ')}\n`);
    expect(await rule(text, 'sagemaker-endpoint-kms')).toEqual([5]);
  });

  it('a property set in both branches passes; without Fn::If nothing changes', async () => {
    const both = template(`      KmsKeyId: !If [IsProd, arn:aws:kms:eu-west-1:111122223333:key/abc, arn:aws:kms:eu-west-1:111122223333:key/dev]\n      ${variant}\n`);
    expect(await rule(both, 'sagemaker-endpoint-kms')).toEqual([]);
    const plain = template(`      ${variant}\n`);
    expect(asDocument(cloudformation.parse('infra/endpoint.yaml', plain)).targets[0]!.variants).toBeUndefined();
    expect(await rule(plain, 'sagemaker-endpoint-kms')).toEqual([5]);
  });
});
