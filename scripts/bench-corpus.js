#!/usr/bin/env node
/**
 * Generates a synthetic, deterministic (seeded) ML repository for the benchmark: Terraform for
 * SageMaker, S3, IAM, KMS, ECR and autoscaling (nested blocks, heredoc and jsonencode policies,
 * variables, locals, modules, dynamic blocks), plus CloudFormation templates, SageMaker pipeline
 * definitions, Kubeflow v2 IR, GitHub workflows, model cards and DVC projects. Secure and insecure
 * settings are mixed so rules both pass and fail.
 *
 *   node scripts/bench-corpus.js DIR [--terraform 700] [--other 300] [--seed 42]
 *
 * `generateCorpus(dir, options)` is what scripts/bench.js uses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const TEAMS = ['fraud', 'churn', 'ranking', 'search', 'pricing', 'forecast', 'vision', 'speech', 'nlp', 'recsys', 'ads', 'risk'];
const INSTANCES = ['ml.m5.large', 'ml.m5.xlarge', 'ml.c5.2xlarge', 'ml.g5.xlarge', 'ml.m4.xlarge', 'ml.t2.medium', 'ml.p3.2xlarge', 'ml.inf2.xlarge'];
const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2'];

// ---------------------------------------------------------------------------------------------
// Terraform
// ---------------------------------------------------------------------------------------------

function tfVariables(r, n) {
  const out = [];
  const names = ['environment', 'model_version', 'instance_type', 'image_digest', 'vpc_id', 'kms_key_arn', 'retention_days', 'subnet_ids'];
  for (let i = 0; i < n; i++) {
    const v = names[(i + r.int(0, names.length - 1)) % names.length];
    out.push(
      `variable "${v}_${i}" {`,
      `  description = "The ${v.replace(/_/g, ' ')} for this stack."`,
      `  type        = ${v === 'subnet_ids' ? 'list(string)' : v === 'retention_days' ? 'number' : 'string'}`,
      ...(r.chance(0.5) ? [`  default     = ${v === 'retention_days' ? r.int(7, 400) : v === 'subnet_ids' ? '[]' : `"${r.pick(TEAMS)}-${r.int(1, 99)}"`}`] : []),
      ...(r.chance(0.3)
        ? ['', '  validation {', `    condition     = length(var.${v}_${i}) > 0`, `    error_message = "${v} must not be empty."`, '  }']
        : []),
      '}',
      '',
    );
  }
  return out;
}

function tfLocals(r, name) {
  return [
    'locals {',
    `  name        = "${name}"`,
    `  environment = "${r.pick(['dev', 'staging', 'prod'])}"`,
    `  region      = "${r.pick(REGIONS)}"`,
    '  tags = {',
    `    Project     = "${name}"`,
    `    Team        = "${r.pick(TEAMS)}-ml"`,
    `    CostCenter  = "cc-${r.int(1000, 9999)}"`,
    '    ManagedBy   = "terraform"',
    '  }',
    `  max_instances = ${r.int(2, 12)}`,
    '}',
    '',
  ];
}

function tfKms(r, name) {
  const rotate = r.chance(0.8);
  return [
    `resource "aws_kms_key" "${name}" {`,
    `  description             = "${name}: model artifacts and endpoint volumes"`,
    `  deletion_window_in_days = ${r.pick([7, 14, 30])}`,
    `  enable_key_rotation     = ${rotate}`,
    '  policy                  = <<-EOT',
    '    {',
    '      "Version": "2012-10-17",',
    '      "Statement": [',
    '        {',
    '          "Sid": "Administration",',
    '          "Effect": "Allow",',
    '          "Principal": { "AWS": "arn:aws:iam::111122223333:root" },',
    '          "Action": "kms:*",',
    '          "Resource": "*"',
    '        },',
    '        {',
    '          "Sid": "SageMakerUse",',
    '          "Effect": "Allow",',
    '          "Principal": { "Service": "sagemaker.amazonaws.com" },',
    '          "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],',
    '          "Resource": "*"',
    '        }',
    '      ]',
    '    }',
    '  EOT',
    '  tags                    = local.tags',
    '}',
    '',
    `resource "aws_kms_alias" "${name}" {`,
    `  name          = "alias/${name}"`,
    `  target_key_id = aws_kms_key.${name}.key_id`,
    '}',
    '',
  ];
}

function tfBucket(r, name) {
  const encrypted = r.chance(0.75);
  const out = [
    `resource "aws_s3_bucket" "${name}" {`,
    `  bucket        = "\${local.name}-${name}-\${data.aws_caller_identity.current.account_id}"`,
    `  force_destroy = ${r.chance(0.1)}`,
    '  tags          = local.tags',
    '}',
    '',
    `resource "aws_s3_bucket_versioning" "${name}" {`,
    `  bucket = aws_s3_bucket.${name}.id`,
    '',
    '  versioning_configuration {',
    `    status = "${r.chance(0.8) ? 'Enabled' : 'Suspended'}"`,
    '  }',
    '}',
    '',
  ];
  if (encrypted) {
    out.push(
      `resource "aws_s3_bucket_server_side_encryption_configuration" "${name}" {`,
      `  bucket = aws_s3_bucket.${name}.id`,
      '',
      '  rule {',
      '    apply_server_side_encryption_by_default {',
      '      sse_algorithm     = "aws:kms"',
      `      kms_master_key_id = aws_kms_key.${name}_key.arn`,
      '    }',
      '    bucket_key_enabled = true',
      '  }',
      '}',
      '',
    );
  }
  out.push(
    `resource "aws_s3_bucket_public_access_block" "${name}" {`,
    `  bucket                  = aws_s3_bucket.${name}.id`,
    `  block_public_acls       = ${r.chance(0.9)}`,
    '  block_public_policy     = true',
    '  ignore_public_acls      = true',
    `  restrict_public_buckets = ${r.chance(0.9)}`,
    '}',
    '',
    `resource "aws_s3_bucket_lifecycle_configuration" "${name}" {`,
    `  bucket = aws_s3_bucket.${name}.id`,
    '',
    '  rule {',
    '    id     = "expire-scratch"',
    '    status = "Enabled"',
    '',
    '    filter {',
    '      prefix = "scratch/"',
    '    }',
    '',
    '    expiration {',
    `      days = ${r.int(7, 120)}`,
    '    }',
    '  }',
    '}',
    '',
  );
  return out;
}

function tfRole(r, name) {
  const wildcard = r.chance(0.2);
  return [
    `data "aws_iam_policy_document" "${name}_assume" {`,
    '  statement {',
    '    actions = ["sts:AssumeRole"]',
    '',
    '    principals {',
    '      type        = "Service"',
    '      identifiers = ["sagemaker.amazonaws.com"]',
    '    }',
    '  }',
    '}',
    '',
    `resource "aws_iam_role" "${name}" {`,
    `  name                 = "\${local.name}-${name}"`,
    `  assume_role_policy   = data.aws_iam_policy_document.${name}_assume.json`,
    `  max_session_duration = ${r.pick([3600, 7200, 43200])}`,
    '  tags                 = local.tags',
    '}',
    '',
    `resource "aws_iam_role_policy" "${name}" {`,
    `  name = "\${local.name}-${name}"`,
    `  role = aws_iam_role.${name}.id`,
    '',
    '  policy = jsonencode({',
    '    Version = "2012-10-17"',
    '    Statement = [',
    '      {',
    '        Sid      = "Artifacts"',
    '        Effect   = "Allow"',
    `        Action   = ${wildcard ? '["s3:*"]' : '["s3:GetObject", "s3:PutObject", "s3:ListBucket"]'}`,
    `        Resource = ${wildcard ? '["*"]' : '["arn:aws:s3:::${local.name}-artifacts", "arn:aws:s3:::${local.name}-artifacts/*"]'}`,
    '      },',
    '      {',
    '        Sid      = "Logs"',
    '        Effect   = "Allow"',
    '        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]',
    '        Resource = ["arn:aws:logs:*:*:log-group:/aws/sagemaker/*"]',
    '      },',
    '    ]',
    '  })',
    '}',
    '',
  ];
}

function tfEndpoint(r, name) {
  const kms = r.chance(0.7);
  const capture = r.chance(0.6);
  const count = r.pick([1, 2, 2, 3]);
  const instance = r.pick(INSTANCES);
  const out = [
    `resource "aws_sagemaker_model" "${name}" {`,
    `  name                     = "\${local.name}-${name}-\${var.model_version_0}"`,
    `  execution_role_arn       = aws_iam_role.${name}_exec.arn`,
    `  enable_network_isolation = ${r.chance(0.6)}`,
    '',
    '  primary_container {',
    `    image          = "111122223333.dkr.ecr.${r.pick(REGIONS)}.amazonaws.com/${name}:${r.chance(0.3) ? 'latest' : `1.${r.int(0, 9)}.${r.int(0, 20)}`}"`,
    `    model_data_url = "s3://\${local.name}-artifacts/models/${name}/model.tar.gz"`,
    '',
    '    environment = {',
    '      SAGEMAKER_PROGRAM             = "inference.py"',
    `      SAGEMAKER_MODEL_SERVER_WORKERS = "${r.int(1, 8)}"`,
    '    }',
    '  }',
    '',
  ];
  if (r.chance(0.6)) {
    out.push('  vpc_config {', '    subnets            = var.subnet_ids_0', `    security_group_ids = [aws_security_group.${name}.id]`, '  }', '');
  }
  out.push('  tags = local.tags', '}', '', `resource "aws_sagemaker_endpoint_configuration" "${name}" {`, `  name = "\${local.name}-${name}"`);
  if (kms) out.push(`  kms_key_arn = aws_kms_key.${name}_key.arn`);
  out.push(
    '',
    '  production_variants {',
    '    variant_name           = "AllTraffic"',
    `    model_name             = aws_sagemaker_model.${name}.name`,
    `    instance_type          = "${instance}"`,
    `    initial_instance_count = ${count}`,
    '    initial_variant_weight = 1',
    '  }',
    '',
  );
  if (capture) {
    out.push(
      '  data_capture_config {',
      '    enable_capture              = true',
      `    initial_sampling_percentage = ${r.int(5, 100)}`,
      `    destination_s3_uri          = "s3://\${local.name}-artifacts/capture/${name}"`,
      ...(kms ? [`    kms_key_id                  = aws_kms_key.${name}_key.arn`] : []),
      '',
      '    capture_options {',
      '      capture_mode = "Input"',
      '    }',
      '',
      '    capture_options {',
      '      capture_mode = "Output"',
      '    }',
      '  }',
      '',
    );
  }
  out.push(
    '  tags = local.tags',
    '}',
    '',
    `resource "aws_sagemaker_endpoint" "${name}" {`,
    `  name                 = "\${local.name}-${name}"`,
    `  endpoint_config_name = aws_sagemaker_endpoint_configuration.${name}.name`,
    '',
    '  deployment_config {',
    '    blue_green_update_policy {',
    '      traffic_routing_configuration {',
    `        type                     = "${r.pick(['ALL_AT_ONCE', 'CANARY', 'LINEAR'])}"`,
    `        wait_interval_in_seconds = ${r.int(60, 600)}`,
    '      }',
    '    }',
    '  }',
    '',
    '  tags = local.tags',
    '}',
    '',
  );
  return out;
}

function tfAutoscaling(r, name) {
  return [
    `resource "aws_appautoscaling_target" "${name}" {`,
    '  service_namespace  = "sagemaker"',
    `  resource_id        = "endpoint/\${aws_sagemaker_endpoint.${name}.name}/variant/AllTraffic"`,
    '  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"',
    `  min_capacity       = ${r.int(1, 2)}`,
    '  max_capacity       = local.max_instances',
    '}',
    '',
    `resource "aws_appautoscaling_policy" "${name}" {`,
    `  name               = "\${local.name}-${name}-invocations"`,
    '  policy_type        = "TargetTrackingScaling"',
    `  service_namespace  = aws_appautoscaling_target.${name}.service_namespace`,
    `  resource_id        = aws_appautoscaling_target.${name}.resource_id`,
    `  scalable_dimension = aws_appautoscaling_target.${name}.scalable_dimension`,
    '',
    '  target_tracking_scaling_policy_configuration {',
    `    target_value       = ${r.int(100, 2000)}`,
    `    scale_in_cooldown  = ${r.int(60, 600)}`,
    `    scale_out_cooldown = ${r.int(30, 300)}`,
    '',
    '    predefined_metric_specification {',
    '      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"',
    '    }',
    '  }',
    '}',
    '',
  ];
}

function tfEcr(r, name) {
  return [
    `resource "aws_ecr_repository" "${name}" {`,
    `  name                 = "\${local.name}/${name}"`,
    `  image_tag_mutability = "${r.chance(0.6) ? 'IMMUTABLE' : 'MUTABLE'}"`,
    '',
    '  image_scanning_configuration {',
    `    scan_on_push = ${r.chance(0.8)}`,
    '  }',
    '',
    '  encryption_configuration {',
    `    encryption_type = "${r.chance(0.5) ? 'KMS' : 'AES256'}"`,
    '  }',
    '',
    '  tags = local.tags',
    '}',
    '',
    `resource "aws_ecr_lifecycle_policy" "${name}" {`,
    `  repository = aws_ecr_repository.${name}.name`,
    '  policy = jsonencode({',
    '    rules = [{',
    '      rulePriority = 1',
    `      description  = "Keep the ${r.int(5, 50)} most recent images"`,
    '      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 20 }',
    '      action       = { type = "expire" }',
    '    }]',
    '  })',
    '}',
    '',
  ];
}

function tfSecurityGroup(r, name) {
  return [
    `resource "aws_security_group" "${name}" {`,
    `  name        = "\${local.name}-${name}"`,
    '  description = "SageMaker network interfaces"',
    '  vpc_id      = var.vpc_id_0',
    '',
    '  dynamic "ingress" {',
    '    for_each = var.subnet_ids_0',
    '    content {',
    '      description = "HTTPS from the VPC"',
    '      from_port   = 443',
    '      to_port     = 443',
    '      protocol    = "tcp"',
    `      cidr_blocks = ["10.${r.int(0, 255)}.0.0/16"]`,
    '    }',
    '  }',
    '',
    '  egress {',
    '    from_port   = 0',
    '    to_port     = 0',
    '    protocol    = "-1"',
    `    cidr_blocks = ["${r.chance(0.4) ? '0.0.0.0/0' : '10.0.0.0/8'}"]`,
    '  }',
    '}',
    '',
  ];
}

function tfNotebook(r, name) {
  return [
    `resource "aws_sagemaker_notebook_instance" "${name}" {`,
    `  name                   = "\${local.name}-${name}"`,
    `  role_arn               = aws_iam_role.${name}_exec.arn`,
    `  instance_type          = "${r.pick(['ml.t3.medium', 'ml.t2.medium', 'ml.m5.xlarge'])}"`,
    `  direct_internet_access = "${r.chance(0.5) ? 'Enabled' : 'Disabled'}"`,
    `  root_access            = "${r.chance(0.5) ? 'Enabled' : 'Disabled'}"`,
    ...(r.chance(0.5) ? [`  kms_key_id             = aws_kms_key.${name}_key.arn`] : []),
    '  tags                   = local.tags',
    '}',
    '',
  ];
}

function tfModule(r, name) {
  return [
    `module "${name}_network" {`,
    '  source  = "terraform-aws-modules/vpc/aws"',
    '  version = "~> 5.8"',
    '',
    `  name            = "\${local.name}-${name}"`,
    `  cidr            = "10.${r.int(0, 255)}.0.0/16"`,
    `  azs             = ["${r.pick(REGIONS)}a", "${r.pick(REGIONS)}b"]`,
    '  private_subnets = ["10.0.1.0/24", "10.0.2.0/24"]',
    `  enable_nat_gateway = ${r.chance(0.5)}`,
    '  tags            = local.tags',
    '}',
    '',
  ];
}

function tfOutputs(name) {
  return [`output "${name}_endpoint" {`, `  description = "Endpoint of ${name}."`, `  value       = aws_sagemaker_endpoint.${name}.name`, '}', ''];
}

const TF_PARTS = [tfKms, tfBucket, tfRole, tfEndpoint, tfEndpoint, tfAutoscaling, tfEcr, tfSecurityGroup, tfNotebook, tfModule];

function terraformFile(r, i) {
  const team = r.pick(TEAMS);
  const name = `${team}_${i}`;
  const lines = [`# ${team} model stack ${i}: generated for the ML Lens Reviewer benchmark`, ''];
  lines.push(...tfLocals(r, `${team}-${i}`));
  lines.push(...tfVariables(r, r.int(1, 2)));
  lines.push('data "aws_caller_identity" "current" {}', '');
  const parts = r.int(1, 3);
  let hasEndpoint = false;
  for (let p = 0; p < parts; p++) {
    const part = r.pick(TF_PARTS);
    if (part === tfEndpoint) hasEndpoint = true;
    if (part === tfAutoscaling && !hasEndpoint) lines.push(...tfEndpoint(r, `${name}_${p}`));
    lines.push(...part(r, `${name}_${p}`));
  }
  if (hasEndpoint && r.chance(0.5)) lines.push(...tfOutputs(`${name}_0`));
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Other kinds
// ---------------------------------------------------------------------------------------------

function cloudformation(r, i) {
  const kms = r.chance(0.6);
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: Real-time endpoint for model ${i}
Parameters:
  ModelPackageArn:
    Type: String
  EndpointInstanceType:
    Type: String
    Default: ${r.pick(INSTANCES)}
  EndpointInstanceCount:
    Type: Number
    Default: ${r.int(1, 3)}
  VolumeKmsKeyArn:
    Type: String
Resources:
  ExecutionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: sagemaker.amazonaws.com }
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - ${r.chance(0.3) ? 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess' : '!Ref ScopedPolicy'}
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt ExecutionRole.Arn
      EnableNetworkIsolation: ${r.chance(0.5)}
      Containers:
        - ModelPackageName: !Ref ModelPackageArn
  EndpointConfig:
    Type: AWS::SageMaker::EndpointConfig
    Properties:${kms ? '\n      KmsKeyId: !Ref VolumeKmsKeyArn' : ''}
      ProductionVariants:
        - InitialInstanceCount: !Ref EndpointInstanceCount
          InitialVariantWeight: 1
          InstanceType: !Ref EndpointInstanceType
          ModelName: !GetAtt Model.ModelName
          VariantName: AllTraffic
${r.chance(0.5) ? `      DataCaptureConfig:
        EnableCapture: true
        InitialSamplingPercentage: ${r.int(5, 50)}
        DestinationS3Uri: !Sub s3://\${AWS::StackName}-capture/
        CaptureOptions:
          - CaptureMode: Input
          - CaptureMode: Output
` : ''}  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointName: !Sub "\${AWS::StackName}-endpoint"
      EndpointConfigName: !GetAtt EndpointConfig.EndpointConfigName
Outputs:
  EndpointName:
    Value: !GetAtt Endpoint.EndpointName
`;
}

function sagemakerPipeline(r, i) {
  const approval = r.chance(0.7) ? 'PendingManualApproval' : 'Approved';
  const maxRuntime = r.chance(0.7);
  const pipeline = {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [
      { Name: 'InputData', Type: 'String', DefaultValue: `s3://bench-${i}/data/` },
      { Name: 'MinAccuracy', Type: 'Float', DefaultValue: 0.7 + r.int(0, 25) / 100 },
    ],
    Steps: [
      {
        Name: 'Preprocess',
        Type: 'Processing',
        Arguments: {
          ProcessingResources: { ClusterConfig: { InstanceType: r.pick(INSTANCES), InstanceCount: 1, VolumeSizeInGB: r.int(20, 200) } },
          AppSpecification: { ImageUri: `141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`, ContainerEntrypoint: ['python3', '/opt/ml/processing/code/preprocess.py'] },
          RoleArn: 'arn:aws:iam::111122223333:role/bench-sagemaker',
          ProcessingInputs: [{ InputName: 'input', S3Input: { S3Uri: { Get: 'Parameters.InputData' }, LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix', S3InputMode: 'File' } }],
          ProcessingOutputConfig: { Outputs: [{ OutputName: 'train', S3Output: { S3Uri: `s3://bench-${i}/train`, LocalPath: '/opt/ml/processing/train', S3UploadMode: 'EndOfJob' } }] },
          ...(r.chance(0.6) ? { StoppingCondition: { MaxRuntimeInSeconds: 3600 } } : {}),
        },
      },
      {
        Name: 'Train',
        Type: 'Training',
        Arguments: {
          AlgorithmSpecification: { TrainingImage: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1', TrainingInputMode: 'File' },
          OutputDataConfig: { S3OutputPath: `s3://bench-${i}/models`, ...(r.chance(0.6) ? { KmsKeyId: 'alias/bench' } : {}) },
          ResourceConfig: { InstanceType: r.pick(INSTANCES), InstanceCount: r.int(1, 4), VolumeSizeInGB: r.int(30, 500) },
          StoppingCondition: maxRuntime ? { MaxRuntimeInSeconds: r.int(1800, 86400) } : {},
          RoleArn: 'arn:aws:iam::111122223333:role/bench-sagemaker',
          InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" } } } }],
          HyperParameters: { max_depth: String(r.int(3, 10)), eta: '0.2', num_round: String(r.int(50, 500)) },
          EnableManagedSpotTraining: r.chance(0.5),
        },
      },
      {
        Name: 'Gate',
        Type: 'Condition',
        Arguments: {
          Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: 0.8, RightValue: { Get: 'Parameters.MinAccuracy' } }],
          IfSteps: [
            {
              Name: 'Register',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: `bench-${i}`,
                ModelApprovalStatus: approval,
                InferenceSpecification: { Containers: [{ Image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1', ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
              },
            },
          ],
          ElseSteps: [{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: 'Accuracy below threshold' } }],
        },
      },
    ],
  };
  return `${JSON.stringify(pipeline, null, 2)}\n`;
}

function kubeflow(r, i) {
  return `# PIPELINE DEFINITION
# Name: bench-pipeline-${i}
components:
  comp-train:
    executorLabel: exec-train
    inputDefinitions:
      parameters:
        epochs:
          parameterType: NUMBER_INTEGER
    outputDefinitions:
      artifacts:
        model:
          artifactType:
            schemaTitle: system.Model
            schemaVersion: 0.0.1
  comp-evaluate:
    executorLabel: exec-evaluate
    inputDefinitions:
      artifacts:
        model:
          artifactType:
            schemaTitle: system.Model
            schemaVersion: 0.0.1
deploymentSpec:
  executors:
    exec-train:
      container:
        image: us-docker.pkg.dev/acme/ml/trainer:${r.chance(0.4) ? 'latest' : `1.${r.int(0, 9)}`}
        command: [python, train.py]
        args: [--epochs, "{{$.inputs.parameters['epochs']}}"]
        resources:
          cpuLimit: ${r.int(1, 16)}.0
          memoryLimit: ${r.int(4, 64)}.0
    exec-evaluate:
      container:
        image: us-docker.pkg.dev/acme/ml/evaluator@sha256:${'a'.repeat(64)}
        command: [python, evaluate.py]
pipelineInfo:
  name: bench-pipeline-${i}
root:
  dag:
    tasks:
      train:
        componentRef:
          name: comp-train
        inputs:
          parameters:
            epochs:
              runtimeValue:
                constant: ${r.int(1, 50)}
        taskInfo:
          name: train
${r.chance(0.5) ? '        retryPolicy:\n          maxRetryCount: 2\n' : ''}      evaluate:
        componentRef:
          name: comp-evaluate
        dependentTasks: [train]
        taskInfo:
          name: evaluate
schemaVersion: 2.1.0
sdkVersion: kfp-2.7.0
`;
}

function workflow(r, i) {
  const oidc = r.chance(0.6);
  return `name: train-and-deploy-${i}
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read${oidc ? '\n  id-token: write' : ''}
jobs:
  train:
    runs-on: ubuntu-latest
    timeout-minutes: ${r.int(10, 120)}
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
${oidc ? `          role-to-assume: arn:aws:iam::111122223333:role/gh-${i}` : '          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}'}
          aws-region: ${r.pick(REGIONS)}
      - name: Start the training pipeline
        run: aws sagemaker start-pipeline-execution --pipeline-name bench-${i}
  deploy:
    needs: train
    runs-on: ubuntu-latest${r.chance(0.6) ? '\n    environment: production' : ''}
    steps:
      - uses: actions/checkout@v4
      - run: python deploy.py --endpoint bench-${i}
`;
}

function modelCard(r, i) {
  const limitations = r.chance(0.6);
  return `---
license: ${r.pick(['apache-2.0', 'mit', 'other'])}
language: [en]
library_name: ${r.pick(['transformers', 'xgboost', 'sklearn'])}
pipeline_tag: ${r.pick(['text-classification', 'tabular-classification', 'image-classification'])}
datasets: [acme/bench-${i}]
metrics: [accuracy, f1]
model-index:
- name: bench-model-${i}
  results:
  - task:
      type: text-classification
    dataset:
      type: acme/bench-${i}
      name: Bench ${i}
      split: ${r.chance(0.9) ? 'test' : 'train'}
    metrics:
    - type: accuracy
      value: 0.${r.int(60, 99)}
---

# Model card: bench-model-${i}

## Model details

A model generated for the benchmark, number ${i}.

## Intended uses

Ranking support tickets by urgency.

### Out-of-scope uses

Automated decisions about people.
${limitations ? '\n## Bias, risks and limitations\n\nUnder-represents short tickets in languages other than English.\n' : ''}
## Training data

Tickets from 2024, de-identified.

## Evaluation

Accuracy 0.8 on the held-out test split.
`;
}

function dvc(r, i) {
  return `stages:
  prepare:
    cmd: python src/prepare.py --seed ${r.int(1, 100)}
    deps: [src/prepare.py, data/raw]
    params: [prepare]
    outs: [data/prepared]
  train:
    cmd: python src/train.py
    deps: [src/train.py, data/prepared]
    params: [train]
    outs: [models/model-${i}]
  evaluate:
    cmd: python src/evaluate.py
    deps: [src/evaluate.py, models/model-${i}]
    metrics:
      - reports/metrics.json:
          cache: false
`;
}

// ---------------------------------------------------------------------------------------------
// Python (boto3 SageMaker scripts and SageMaker Python SDK pipelines) and notebooks
// ---------------------------------------------------------------------------------------------

function pythonJob(r, i) {
  const team = r.pick(TEAMS);
  const secure = r.chance(0.5);
  const out = [
    `"""Train, register and deploy the ${team} model with the SageMaker API."""`,
    'import json',
    'import logging',
    'import os',
    'import time',
    '',
    'import boto3',
    '',
    `LOG = logging.getLogger("${team}")`,
    `ROLE = "arn:aws:iam::111122223333:role/${team}-sagemaker"`,
    `KMS_KEY = "arn:aws:kms:${r.pick(REGIONS)}:111122223333:key/${team}-${i}"`,
    `IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/${team}:${r.chance(0.5) ? `1.${r.int(0, 9)}` : 'latest'}"`,
    `INSTANCE_TYPE = "${r.pick(INSTANCES)}"`,
    `BUCKET = os.environ.get("BUCKET", "${team}-ml-${i}")`,
    'sm = boto3.client("sagemaker")',
    '',
  ];
  for (let h = 0, n = r.int(3, 8); h < n; h++) {
    out.push(
      `def helper_${h}(rows, threshold=${r.int(1, 99)} / 100):`,
      '    """Keeps the rows at or above the threshold."""',
      '    kept = []',
      '    for row in rows:',
      '        if row.get("score", 0) >= threshold:',
      '            kept.append(row)',
      '    LOG.info("kept %d of %d", len(kept), len(rows))',
      '    return kept',
      '',
    );
  }
  out.push(
    'def train(name, epochs):',
    '    params = {',
    '        "TrainingJobName": f"{name}-{int(time.time())}",',
    '        "RoleArn": ROLE,',
    '        "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},',
    `        "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/out"${secure ? ', "KmsKeyId": KMS_KEY' : ''}},`,
    `        "ResourceConfig": {"InstanceType": INSTANCE_TYPE, "InstanceCount": ${r.int(1, 4)}, "VolumeSizeInGB": ${r.int(10, 200)}${secure ? ', "VolumeKmsKeyId": KMS_KEY' : ''}},`,
    `        "StoppingCondition": {"MaxRuntimeInSeconds": ${r.int(600, 86400)}},`,
    `        "EnableNetworkIsolation": ${secure ? 'True' : 'False'},`,
    '        "HyperParameters": {"epochs": str(epochs), "lr": "0.01"},',
    '    }',
    '    return sm.create_training_job(**params)',
    '',
    'def deploy(name, model_data):',
    '    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE, "ModelDataUrl": model_data})',
    '    sm.create_endpoint_config(',
    '        EndpointConfigName=name,',
    `        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": INSTANCE_TYPE, "InitialInstanceCount": ${r.int(1, 3)}}],`,
    ...(secure
      ? ['        KmsKeyId=KMS_KEY,', '        DataCaptureConfig={"EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": f"s3://{BUCKET}/capture", "CaptureOptions": [{"CaptureMode": "Input"}]},']
      : []),
    '    )',
    '    sm.create_endpoint(EndpointName=name, EndpointConfigName=name)',
    '',
    'if __name__ == "__main__":',
    `    job = train("${team}-${i}", ${r.int(1, 50)})`,
    '    LOG.info(json.dumps(job, default=str))',
    '',
  );
  return out.join('\n');
}

/** A SageMaker Python SDK pipeline: processing, tuning or training, evaluation, a gated registration. */
function sdkPipeline(r, i) {
  const team = r.pick(TEAMS);
  const secure = r.chance(0.5);
  const keys = secure ? ['        volume_kms_key=KMS_KEY,', '        output_kms_key=KMS_KEY,'] : [];
  const network = secure ? ['        subnets=SUBNETS,', '        security_group_ids=SECURITY_GROUPS,', '        enable_network_isolation=True,'] : [];
  const tune = r.chance(0.4);
  const out = [
    `"""The ${team} model's SageMaker pipeline (${i}): preprocess, ${tune ? 'tune' : 'train'}, evaluate, register when good enough."""`,
    'import os',
    '',
    'from sagemaker.estimator import Estimator',
    'from sagemaker.network import NetworkConfig',
    'from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor',
    'from sagemaker.tuner import ContinuousParameter, HyperparameterTuner, IntegerParameter',
    'from sagemaker.workflow.condition_step import ConditionStep',
    'from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo',
    'from sagemaker.workflow.fail_step import FailStep',
    'from sagemaker.workflow.functions import JsonGet',
    'from sagemaker.workflow.parameters import ParameterInteger, ParameterString',
    'from sagemaker.workflow.pipeline import Pipeline',
    'from sagemaker.workflow.properties import PropertyFile',
    'from sagemaker.workflow.retry import SageMakerJobExceptionTypeEnum, SageMakerJobStepRetryPolicy, StepExceptionTypeEnum, StepRetryPolicy',
    'from sagemaker.workflow.step_collections import RegisterModel',
    'from sagemaker.workflow.steps import CacheConfig, ProcessingStep, TrainingStep, TuningStep',
    '',
    `ROLE = "arn:aws:iam::111122223333:role/${team}-sagemaker"`,
    `KMS_KEY = "arn:aws:kms:${r.pick(REGIONS)}:111122223333:key/${team}-${i}"`,
    `SUBNETS = ["subnet-${r.int(100000, 999999)}", "subnet-${r.int(100000, 999999)}"]`,
    `SECURITY_GROUPS = ["sg-${r.int(100000, 999999)}"]`,
    `IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/${team}:${r.chance(0.5) ? `1.${r.int(0, 9)}` : 'latest'}"`,
    `BUCKET = os.environ.get("BUCKET", "${team}-ml-${i}")`,
    'RETRIES = [',
    '    StepRetryPolicy(exception_types=[StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING], max_attempts=3),',
    '    SageMakerJobStepRetryPolicy(exception_types=[SageMakerJobExceptionTypeEnum.CAPACITY_ERROR], max_attempts=5),',
    ']',
    '',
    '',
    `def get_pipeline(session, base_job_prefix="${team}"):`,
    '    """Builds the pipeline; nothing runs until it is started."""',
    '    approval = ParameterString(name="ModelApprovalStatus", default_value="PendingManualApproval")',
    `    instance_count = ParameterInteger(name="TrainingInstanceCount", default_value=${r.int(1, 3)})`,
    `    threshold = ${(r.next() * 0.3 + 0.6).toFixed(2)}`,
    '    network = NetworkConfig(',
    `        enable_network_isolation=${secure ? 'True' : 'False'},`,
    ...(secure ? ['        subnets=SUBNETS,', '        security_group_ids=SECURITY_GROUPS,'] : []),
    '        encrypt_inter_container_traffic=True,',
    '    )',
    '    processor = ScriptProcessor(',
    '        role=ROLE,',
    '        image_uri=IMAGE,',
    '        command=["python3"],',
    `        instance_type="${r.pick(INSTANCES)}",`,
    `        instance_count=${r.int(1, 2)},`,
    ...keys,
    '        network_config=network,',
    ...(r.chance(0.5) ? [`        max_runtime_in_seconds=${r.int(600, 7200)},`] : []),
    '        sagemaker_session=session,',
    '    )',
    '    preprocess = ProcessingStep(',
    '        name="Preprocess",',
    '        step_args=processor.run(',
    '            inputs=[ProcessingInput(source=f"s3://{BUCKET}/raw", destination="/opt/ml/processing/input")],',
    '            outputs=[ProcessingOutput(output_name="train", source="/opt/ml/processing/train")],',
    '            code="preprocess.py",',
    '        ),',
    '        retry_policies=RETRIES,',
    '        cache_config=CacheConfig(enable_caching=True, expire_after="P30D"),',
    '    )',
    '    estimator = Estimator(',
    '        image_uri=IMAGE,',
    '        role=ROLE,',
    `        instance_type="${r.pick(INSTANCES)}",`,
    '        instance_count=instance_count,',
    ...keys,
    ...network,
    ...(r.chance(0.5) ? ['        use_spot_instances=True,', `        max_run=${r.int(600, 7200)},`, '        max_wait=14400,', '        checkpoint_s3_uri=f"s3://{BUCKET}/checkpoints",'] : []),
    '        sagemaker_session=session,',
    '    )',
    `    estimator.set_hyperparameters(num_round=${r.int(50, 500)}, objective="binary:logistic")`,
  ];
  if (tune) {
    out.push(
      '    tuner = HyperparameterTuner(',
      '        estimator,',
      '        "validation:auc",',
      '        {"eta": ContinuousParameter(0.01, 0.3), "max_depth": IntegerParameter(3, 10)},',
      `        max_jobs=${r.int(5, 50)},`,
      `        max_parallel_jobs=${r.int(1, 5)},`,
      ...(r.chance(0.5) ? ['        early_stopping_type="Auto",'] : []),
      '    )',
      '    train = TuningStep(name="Tune", step_args=tuner.fit({"train": f"s3://{BUCKET}/train"}), retry_policies=RETRIES)',
    );
  } else {
    out.push('    train = TrainingStep(name="Train", step_args=estimator.fit({"train": f"s3://{BUCKET}/train"}), retry_policies=RETRIES)');
  }
  out.push(
    '    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")',
    '    evaluate = ProcessingStep(',
    '        name="Evaluate",',
    '        step_args=processor.run(code="evaluate.py", outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")]),',
    '        property_files=[report],',
    '        retry_policies=RETRIES,',
    '    )',
    '    register = RegisterModel(',
    '        name="Register",',
    '        estimator=estimator,',
    '        content_types=["text/csv"],',
    '        response_types=["text/csv"],',
    `        model_package_group_name="${team}-${i}",`,
    '        approval_status=approval,',
    '    )',
    '    too_weak = FailStep(name="TooWeak", error_message=f"AUC below {threshold}")',
    '    gate = ConditionStep(',
    '        name="GoodEnough",',
    '        conditions=[ConditionGreaterThanOrEqualTo(left=JsonGet(step_name="Evaluate", property_file=report, json_path="auc"), right=threshold)],',
    '        if_steps=[register],',
    '        else_steps=[too_weak],',
    '    )',
    '    return Pipeline(',
    `        name=f"{base_job_prefix}-${i}",`,
    '        parameters=[approval, instance_count],',
    '        steps=[preprocess, train, evaluate, gate],',
    '        sagemaker_session=session,',
    '    )',
    '',
  );
  return out.join('\n');
}

/** The same code split into notebook cells, with markdown between them and text outputs. */
function notebook(r, i) {
  const code = pythonJob(r, i).split('\n');
  const cells = [];
  for (let at = 0; at < code.length; ) {
    const n = r.int(6, 20);
    cells.push({ cell_type: 'markdown', metadata: {}, source: [`## Step ${cells.length + 1}\n`, 'What this cell does, for the reader.\n'] });
    const lines = code.slice(at, at + n);
    cells.push({
      cell_type: 'code',
      execution_count: cells.length,
      metadata: {},
      source: lines.map((l, k) => (k < lines.length - 1 ? `${l}\n` : l)),
      outputs: [{ name: 'stdout', output_type: 'stream', text: Array.from({ length: r.int(1, 12) }, (_, k) => `epoch ${k} loss ${(r.next() * 2).toFixed(4)}\n`) }],
    });
    at += n;
  }
  return `${JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } }, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Kubeflow Pipelines DSL with Vertex AI runs, and Airflow DAGs
// ---------------------------------------------------------------------------------------------

/** A KFP v2 pipeline of a few components, control flow, task settings, and a Vertex AI run of it. */
function kfpPipeline(r, i) {
  const team = r.pick(TEAMS);
  const image = r.chance(0.3) ? 'python:3.9' : `us-docker.pkg.dev/acme/${team}/base:1.${r.int(0, 9)}`;
  const steps = r.int(3, 8);
  const out = ['from kfp import dsl', 'from kfp import kubernetes', 'from google.cloud import aiplatform', '', ''];
  for (let s = 0; s < steps; s++) {
    out.push(`@dsl.component(base_image="${image}", packages_to_install=["pandas==2.2.${r.int(0, 3)}", "scikit-learn==1.5.${r.int(0, 2)}"])`);
    out.push(`def step_${s}(data: str, threshold: float = ${(r.next()).toFixed(2)}) -> str:`);
    out.push(`    """Step ${s} of the ${team} pipeline."""`);
    out.push('    import pandas as pd');
    out.push(`    frame = pd.read_csv(data)`);
    out.push(`    return data + "/step-${s}"`);
    out.push('', '');
  }
  out.push(`@dsl.pipeline(name="${team}-pipeline-${i}")`);
  out.push(`def pipeline_${i}(data: str = "gs://acme-${team}/data.csv", cpu: str = "${r.int(1, 8)}"):`);
  out.push(`    prev = step_0(data=data)`);
  out.push(`    prev.set_retry(num_retries=${r.int(0, 3)}, backoff_duration="60s")`);
  for (let s = 1; s < steps; s++) {
    const settings = [r.chance(0.6) ? `.set_cpu_limit(cpu)` : '', r.chance(0.6) ? `.set_memory_limit("${r.int(1, 32)}G")` : '', r.chance(0.5) ? `.set_retry(${r.int(1, 3)})` : ''].join('');
    if (s % 3 === 0) {
      out.push(`    with dsl.If(prev.output != "skip"):`);
      out.push(`        prev = step_${s}(data=prev.output)${settings}`);
    } else out.push(`    prev = step_${s}(data=prev.output)${settings}`);
    if (r.chance(0.3)) out.push(`    kubernetes.use_secret_as_env(prev, secret_name="${team}-db", secret_key_to_env={"password": "DB_PASSWORD"})`);
  }
  out.push('', '');
  out.push('def run():');
  out.push(`    aiplatform.init(project="acme-${team}", location="europe-west4"${r.chance(0.5) ? `, encryption_spec_key_name="projects/acme/locations/europe-west4/keyRings/ml/cryptoKeys/${team}"` : ''})`);
  out.push(`    job = aiplatform.PipelineJob(display_name="${team}-${i}", template_path="pipeline_${i}.yaml", enable_caching=${r.chance(0.5) ? 'True' : 'False'})`);
  out.push(`    job.submit(service_account="pipelines@acme-${team}.iam.gserviceaccount.com")`);
  return `${out.join('\n')}\n`;
}

/** An Airflow DAG: default_args, a SageMaker training operator, a Kubernetes pod and a Bash step. */
function airflowDag(r, i) {
  const team = r.pick(TEAMS);
  const out = [
    'from datetime import datetime, timedelta',
    '',
    'from airflow import DAG',
    'from airflow.operators.bash import BashOperator',
    'from airflow.providers.amazon.aws.operators.sagemaker import SageMakerTrainingOperator',
    'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator',
    'from kubernetes.client import models as k8s',
    '',
    'default_args = {',
    `    "owner": "${team}",`,
    `    "retries": ${r.int(0, 3)},`,
    '    "retry_delay": timedelta(minutes=5),',
    r.chance(0.5) ? '    "execution_timeout": timedelta(hours=6),' : '',
    '}',
    '',
    'TRAINING = {',
    `    "TrainingJobName": "${team}-train-${i}",`,
    `    "AlgorithmSpecification": {"TrainingImage": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/${team}:1.${r.int(0, 9)}", "TrainingInputMode": "File"},`,
    `    "RoleArn": "arn:aws:iam::111122223333:role/${team}-sagemaker",`,
    `    "OutputDataConfig": {"S3OutputPath": "s3://acme-${team}/models/"${r.chance(0.5) ? ', "KmsKeyId": "alias/ml"' : ''}},`,
    `    "ResourceConfig": {"InstanceCount": ${r.int(1, 4)}, "InstanceType": "${r.pick(INSTANCES)}", "VolumeSizeInGB": ${r.int(10, 200)}},`,
    `    "StoppingCondition": {"MaxRuntimeInSeconds": ${r.int(1, 24) * 3600}},`,
    '}',
    '',
    `with DAG(dag_id="${team}_train_${i}", schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False, default_args=default_args) as dag:`,
    `    prepare = BashOperator(task_id="prepare", bash_command="python prepare.py --date {{ ds }}")`,
    '    train = SageMakerTrainingOperator(task_id="train", config=TRAINING, wait_for_completion=True)',
    '    score = KubernetesPodOperator(',
    '        task_id="score",',
    `        image="us-docker.pkg.dev/acme/${team}/scorer:${r.chance(0.5) ? `2.${r.int(0, 9)}` : 'latest'}",`,
    '        cmds=["python", "score.py"],',
    r.chance(0.6) ? '        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "1", "memory": "2Gi"}, limits={"cpu": "2", "memory": "4Gi"}),' : '',
    '    )',
    '    prepare >> train >> score',
  ];
  return `${out.filter((l) => l !== '').join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// AWS CDK stacks in Python and TypeScript (L1 constructs, a few L2)
// ---------------------------------------------------------------------------------------------

function cdkStackSpec(r, i) {
  const team = r.pick(TEAMS);
  return {
    team,
    secure: r.chance(0.5),
    instance: r.pick(INSTANCES),
    count: r.int(1, 3),
    sampling: r.int(5, 100),
    volume: r.int(5, 200),
    image: `111122223333.dkr.ecr.eu-west-1.amazonaws.com/${team}:${r.chance(0.5) ? `1.${r.int(0, 9)}` : 'latest'}`,
    helpers: r.int(2, 6),
    i,
  };
}

function cdkPython(r, i) {
  const s = cdkStackSpec(r, i);
  const out = [
    `"""The ${s.team} model's serving stack (${i})."""`,
    'import aws_cdk as cdk',
    'from aws_cdk import aws_iam as iam',
    'from aws_cdk import aws_kms as kms',
    'from aws_cdk import aws_s3 as s3',
    'from aws_cdk import aws_sagemaker as sagemaker',
    'from constructs import Construct',
    '',
    `IMAGE = "${s.image}"`,
    `TEAM = "${s.team}"`,
    '',
  ];
  for (let h = 0; h < s.helpers; h++) out.push(`def variant_${h}(name, weight=${r.int(1, 9)} / 10):`, `    """A production variant of ${s.team}."""`, '    return {"variant_name": name, "initial_variant_weight": weight}', '');
  out.push(
    `class ServingStack${i}(cdk.Stack):`,
    '    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:',
    '        super().__init__(scope, construct_id, **kwargs)',
    '        key = kms.CfnKey(self, "Key", enable_key_rotation=True, key_policy={"Version": "2012-10-17", "Statement": []})',
    '        bucket = s3.CfnBucket(',
    '            self,',
    '            "Artifacts",',
    '            versioning_configuration=s3.CfnBucket.VersioningConfigurationProperty(status="Enabled"),',
    ...(s.secure
      ? ['            bucket_encryption=s3.CfnBucket.BucketEncryptionProperty(server_side_encryption_configuration=[s3.CfnBucket.ServerSideEncryptionRuleProperty(server_side_encryption_by_default=s3.CfnBucket.ServerSideEncryptionByDefaultProperty(sse_algorithm="aws:kms", kms_master_key_id=key.attr_arn))]),']
      : []),
    '            public_access_block_configuration={"block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True, "restrict_public_buckets": True},',
    '        )',
    '        role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))',
    '        model = sagemaker.CfnModel(',
    '            self,',
    '            "Model",',
    '            execution_role_arn=role.role_arn,',
    `            enable_network_isolation=${s.secure ? 'True' : 'False'},`,
    `            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(image=IMAGE, model_data_url=f"s3://{bucket.ref}/model.tar.gz", environment={"TEAM": TEAM}),`,
    '        )',
    '        config = sagemaker.CfnEndpointConfig(',
    '            self,',
    '            "Config",',
    ...(s.secure ? ['            kms_key_id=key.attr_arn,'] : []),
    '            production_variants=[',
    '                sagemaker.CfnEndpointConfig.ProductionVariantProperty(',
    '                    variant_name="AllTraffic",',
    '                    model_name=model.attr_model_name,',
    `                    initial_instance_count=${s.count},`,
    `                    instance_type="${s.instance}",`,
    `                    volume_size_in_gb=${s.volume},`,
    '                )',
    '            ],',
    '            data_capture_config=sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(',
    '                enable_capture=True,',
    `                initial_sampling_percentage=${s.sampling},`,
    '                destination_s3_uri=f"s3://{bucket.ref}/capture",',
    '                capture_options=[sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input")],',
    '            ),',
    '        )',
    '        sagemaker.CfnEndpoint(self, "Endpoint", endpoint_config_name=config.attr_endpoint_config_name)',
    '',
  );
  return out.join('\n');
}

function cdkTypeScript(r, i) {
  const s = cdkStackSpec(r, i);
  const out = [
    `// The ${s.team} model's serving stack (${i}).`,
    "import * as cdk from 'aws-cdk-lib';",
    "import * as iam from 'aws-cdk-lib/aws-iam';",
    "import * as kms from 'aws-cdk-lib/aws-kms';",
    "import * as s3 from 'aws-cdk-lib/aws-s3';",
    "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';",
    "import { Construct } from 'constructs';",
    '',
    `const IMAGE = '${s.image}';`,
    `const TEAM = '${s.team}';`,
    '',
  ];
  for (let h = 0; h < s.helpers; h++) out.push(`/** A production variant of ${s.team}. */`, `export function variant${h}(name: string, weight = ${r.int(1, 9)} / 10) {`, '  return { variantName: name, initialVariantWeight: weight };', '}', '');
  out.push(
    `export class ServingStack${i} extends cdk.Stack {`,
    '  constructor(scope: Construct, id: string, props?: cdk.StackProps) {',
    '    super(scope, id, props);',
    "    const key = new kms.CfnKey(this, 'Key', { enableKeyRotation: true, keyPolicy: { Version: '2012-10-17', Statement: [] } });",
    "    const bucket = new s3.CfnBucket(this, 'Artifacts', {",
    "      versioningConfiguration: { status: 'Enabled' },",
    ...(s.secure ? ["      bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.attrArn } }] },"] : []),
    '      publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },',
    '    });',
    "    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });",
    "    const model = new sagemaker.CfnModel(this, 'Model', {",
    '      executionRoleArn: role.roleArn,',
    `      enableNetworkIsolation: ${s.secure ? 'true' : 'false'},`,
    '      primaryContainer: { image: IMAGE, modelDataUrl: `s3://${bucket.ref}/model.tar.gz`, environment: { TEAM } },',
    '    });',
    "    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {",
    ...(s.secure ? ['      kmsKeyId: key.attrArn,'] : []),
    '      productionVariants: [',
    '        {',
    "          variantName: 'AllTraffic',",
    '          modelName: model.attrModelName,',
    `          initialInstanceCount: ${s.count},`,
    `          instanceType: '${s.instance}',`,
    `          volumeSizeInGb: ${s.volume},`,
    '        },',
    '      ],',
    '      dataCaptureConfig: {',
    '        enableCapture: true,',
    `        initialSamplingPercentage: ${s.sampling},`,
    '        destinationS3Uri: `s3://${bucket.ref}/capture`,',
    "        captureOptions: [{ captureMode: 'Input' }],",
    '      },',
    '    });',
    "    new sagemaker.CfnEndpoint(this, 'Endpoint', { endpointConfigName: config.attrEndpointConfigName });",
    '  }',
    '}',
    '',
  );
  return out.join('\n');
}

const OTHER_KINDS = [
  ['cloudformation', (i) => `cfn/endpoint-${i}.yaml`, cloudformation],
  ['sagemaker-pipeline', (i) => `pipelines/pipeline-${i}.json`, sagemakerPipeline],
  ['kubeflow-pipeline', (i) => `kfp/pipeline-${i}.yaml`, kubeflow],
  ['github-workflow', (i) => `.github/workflows/train-${i}.yml`, workflow],
  ['model-card', (i) => `models/model-${i}/README.md`, modelCard],
  ['dvc', (i) => `projects/p-${i}/dvc.yaml`, dvc],
];

/**
 * Writes the corpus and returns what it wrote. Options: terraform (number of .tf files), other
 * (number of files of the other kinds, spread evenly), seed.
 */
export function generateCorpus(dir, { terraform = 700, other = 300, python = 0, notebooks = 0, cdkPy = 0, cdkTs = 0, kfp = 0, airflow = 0, seed = 42 } = {}) {
  const r = rng(seed);
  const files = [];
  const write = (path, kind, text) => {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    files.push({ path, kind, bytes: Buffer.byteLength(text), lines: text.split('\n').length });
  };
  for (let i = 0; i < terraform; i++) write(`infra/stack-${String(Math.floor(i / 50)).padStart(2, '0')}/main-${i}.tf`, 'terraform', terraformFile(r, i));
  for (let i = 0; i < other; i++) {
    const [kind, pathOf, gen] = OTHER_KINDS[i % OTHER_KINDS.length];
    write(pathOf(i), kind, gen(r, i));
  }
  // Half boto3 scripts, half SageMaker Python SDK pipelines.
  for (let i = 0; i < python; i++) {
    if (i % 2 === 0) write(`jobs/team-${i % 25}/job_${i}.py`, 'python', pythonJob(r, i));
    else write(`pipelines/team-${i % 25}/pipeline_${i}.py`, 'python', sdkPipeline(r, i));
  }
  for (let i = 0; i < notebooks; i++) write(`notebooks/nb_${i}.ipynb`, 'notebook', notebook(r, i));
  for (let i = 0; i < cdkPy; i++) write(`cdk/stacks/serving_${i}.py`, 'cdk-python', cdkPython(r, i));
  for (let i = 0; i < cdkTs; i++) write(`cdk/lib/serving-${i}.ts`, 'cdk-typescript', cdkTypeScript(r, i));
  for (let i = 0; i < kfp; i++) write(`kfp/team-${i % 25}/pipeline_${i}.py`, 'kfp-vertex-python', kfpPipeline(r, i));
  for (let i = 0; i < airflow; i++) write(`dags/team-${i % 25}/train_${i}.py`, 'airflow-dag', airflowDag(r, i));
  const byKind = {};
  for (const f of files) {
    const k = (byKind[f.kind] ??= { files: 0, lines: 0, bytes: 0 });
    k.files++;
    k.lines += f.lines;
    k.bytes += f.bytes;
  }
  return {
    dir,
    files,
    byKind,
    totalFiles: files.length,
    totalLines: files.reduce((s, f) => s + f.lines, 0),
    totalBytes: files.reduce((s, f) => s + f.bytes, 0),
  };
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: node scripts/bench-corpus.js DIR [--terraform N] [--other N] [--seed N]');
    process.exit(2);
  }
  const num = (name, d) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? d : Number(args[i + 1]);
  };
  const c = generateCorpus(dir, { terraform: num('terraform', 700), other: num('other', 300), seed: num('seed', 42) });
  console.log(`wrote ${c.totalFiles} files, ${c.totalLines} lines, ${(c.totalBytes / 1e6).toFixed(2)} MB to ${dir}`);
  for (const [k, v] of Object.entries(c.byKind)) console.log(`  ${k.padEnd(20)} ${String(v.files).padStart(5)} files ${String(v.lines).padStart(7)} lines`);
}
