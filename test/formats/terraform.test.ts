import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Document, ListNode, MapNode, Node, ParseError, SymbolicNode, Target } from '../../src/model.js';
import { initTerraform, terraform } from '../../src/formats/terraform.js';
import { dig, entry, get, items, keys, toPlain, value } from '../../src/formats/tree.js';

// A realistic ML stack. Line numbers asserted below are found with `lineOf`, which reads this
// text, so the expectations do not depend on the parser under test.
const MODULE = `# Churn model serving stack (née "scoring") — owner: équipe ML 🚀
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  backend "s3" {
    bucket = "tf-state"
    key    = "ml/terraform.tfstate"
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "env" {
  type    = string
  default = "dev"
}

variable "instance_count" {
  type    = number
  default = 2
}

variable "enable_capture" {
  type    = bool
  default = true
}

locals {
  name_prefix = "churn"
  bucket_name = "\${local.name_prefix}-artifacts"
  env_name    = "ml-\${var.env}"
  tags = {
    Team = "ml-platform"
    Env  = var.env
  }
  kms_policy = {
    Version = "2012-10-17"
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
  name    = local.env_name
  cidr    = "10.0.0.0/16"
}

resource "aws_kms_key" "ml" {
  description             = "ML artefacts"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = jsonencode(local.kms_policy)
  tags                    = local.tags
}

resource "aws_s3_bucket" "artifacts" {
  bucket = local.bucket_name
  tags   = merge(local.tags, { Purpose = "models" })
}

resource "aws_iam_role" "sagemaker" {
  name               = "\${local.name_prefix}-sagemaker"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "sagemaker.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF
}

resource "aws_iam_role" "pipeline" {
  name               = "pipeline"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  description        = <<-EOT
    Role for the training pipeline.
      Indented line.
    EOT
}

resource "aws_iam_role_policy" "sagemaker" {
  role = aws_iam_role.sagemaker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = "\${aws_s3_bucket.artifacts.arn}/*"
      },
      {
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.ml.arn
      }
    ]
  })
}

resource "aws_sagemaker_model" "churn" {
  name                     = "\${local.name_prefix}-model"
  execution_role_arn       = aws_iam_role.sagemaker.arn
  enable_network_isolation = true

  primary_container {
    image          = data.aws_sagemaker_prebuilt_ecr_image.xgb.registry_path
    model_data_url = "s3://\${aws_s3_bucket.artifacts.bucket}/model.tar.gz"
    environment = {
      LOG_LEVEL   = "info"
      "MAX-BATCH" = -2
      EXTRA       = null
    }
  }

  vpc_config {
    subnets            = module.vpc.private_subnets
    security_group_ids = [for sg in var.security_groups : sg.id if sg.enabled]
  }
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name        = "\${local.name_prefix}-ec"
  kms_key_arn = aws_kms_key.ml.arn

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = var.instance_count
    instance_type          = "ml.m5.xlarge"
  }

  production_variants {
    variant_name           = "shadow"
    model_name             = aws_sagemaker_model.churn.name
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
    initial_variant_weight = 0.5
  }

  dynamic "data_capture_config" {
    for_each = var.enable_capture ? [1] : []
    content {
      enable_capture              = true
      initial_sampling_percentage = 20
      destination_s3_uri          = "s3://\${aws_s3_bucket.artifacts.bucket}/capture/\${data_capture_config.key}"
      capture_options {
        capture_mode = "Input"
      }
      capture_options {
        capture_mode = "Output"
      }
    }
  }

  tags = local.tags
}

resource "aws_sagemaker_endpoint" "churn" {
  count                = var.env == "prod" ? 1 : 0
  name                 = "churn-\${count.index}"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name
}

output "endpoint_config" {
  value = aws_sagemaker_endpoint_configuration.churn.name
}
`;

/** 1-based line of the first line containing `needle` (after line `after`). */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`not in text: ${needle}`);
}

function asDocument(r: ReturnType<typeof terraform.parse>): Document {
  if (!('root' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`);
  return r;
}

function asError(r: ReturnType<typeof terraform.parse>): ParseError {
  if ('root' in r || 'notArtifact' in r) throw new Error('expected a parse error');
  return r;
}

function sym(node: Node | undefined): SymbolicNode {
  if (node?.type !== 'symbolic') throw new Error(`expected a symbol, got ${JSON.stringify(node)}`);
  return node;
}

function map(node: Node | undefined): MapNode {
  if (node?.type !== 'map') throw new Error(`expected a map, got ${JSON.stringify(node)}`);
  return node;
}

function list(node: Node | undefined): ListNode {
  if (node?.type !== 'list') throw new Error(`expected a list, got ${JSON.stringify(node)}`);
  return node;
}

function targetOf(doc: Document, address: string): Target {
  const t = doc.targets.find((x) => x.address === address);
  if (!t) throw new Error(`no target ${address}`);
  return t;
}

/** The line of the closing brace (at column 0) of the top-level block whose header is line `start`. */
function blockEnd(text: string, start: number): number {
  const lines = text.split('\n');
  if (lines[start - 1]!.trimEnd().endsWith('{}')) return start;
  for (let i = start - 1; i < lines.length; i++) if (lines[i] === '}') return i + 1;
  throw new Error(`no end for the block at line ${start}`);
}

describe('terraform before initialisation', () => {
  it('throws a clear error when parse is called before initTerraform', () => {
    expect(() => terraform.parse('main.tf', 'x = 1\n')).toThrow('Terraform parser not started: create the engine first (await createEngine())');
  });
});

describe('terraform', () => {
  let doc: Document;
  beforeAll(async () => {
    await initTerraform();
    await initTerraform(); // idempotent
    doc = asDocument(terraform.parse('infra/ml/main.tf', MODULE));
  });

  describe('detect', () => {
    it('accepts .tf and .tf.json in any case, nothing else', () => {
      expect(terraform.detect('main.tf', '')).toBe(true);
      expect(terraform.detect('infra/MAIN.TF', '')).toBe(true);
      expect(terraform.detect('stack.tf.json', '{}')).toBe(true);
      expect(terraform.detect('stack.TF.JSON', '{}')).toBe(true);
      expect(terraform.detect('prod.tfvars', 'a = 1')).toBe(false);
      expect(terraform.detect('main.tf.bak', '')).toBe(false);
      expect(terraform.detect('config.json', '{}')).toBe(false);
    });
  });

  describe('targets', () => {
    it('lists every resource, data source, module, variable, output, provider and local in file order', () => {
      expect(doc.kind).toBe('terraform');
      expect(doc.lines).toBe(MODULE.split('\n').length - 1);
      expect(doc.targets.map((t) => [t.type, t.name, t.address])).toEqual([
        ['provider', 'aws', 'provider.aws'],
        ['provider', 'aws.us', 'provider.aws.us'],
        ['variable', 'env', 'var.env'],
        ['variable', 'instance_count', 'var.instance_count'],
        ['variable', 'enable_capture', 'var.enable_capture'],
        ['local', 'name_prefix', 'local.name_prefix'],
        ['local', 'bucket_name', 'local.bucket_name'],
        ['local', 'env_name', 'local.env_name'],
        ['local', 'tags', 'local.tags'],
        ['local', 'kms_policy', 'local.kms_policy'],
        ['data.aws_caller_identity', 'current', 'data.aws_caller_identity.current'],
        ['data.aws_iam_policy_document', 'assume', 'data.aws_iam_policy_document.assume'],
        ['module', 'vpc', 'module.vpc'],
        ['aws_kms_key', 'ml', 'aws_kms_key.ml'],
        ['aws_s3_bucket', 'artifacts', 'aws_s3_bucket.artifacts'],
        ['aws_iam_role', 'sagemaker', 'aws_iam_role.sagemaker'],
        ['aws_iam_role', 'pipeline', 'aws_iam_role.pipeline'],
        ['aws_iam_role_policy', 'sagemaker', 'aws_iam_role_policy.sagemaker'],
        ['aws_sagemaker_model', 'churn', 'aws_sagemaker_model.churn'],
        ['aws_sagemaker_endpoint_configuration', 'churn', 'aws_sagemaker_endpoint_configuration.churn'],
        ['aws_sagemaker_endpoint', 'churn', 'aws_sagemaker_endpoint.churn'],
        ['output', 'endpoint_config', 'output.endpoint_config'],
      ]);
    });

    it('spans each block from its header to its closing brace, the node being the body map', () => {
      for (const [address, header] of [
        ['aws_sagemaker_endpoint_configuration.churn', 'resource "aws_sagemaker_endpoint_configuration" "churn"'],
        ['aws_sagemaker_model.churn', 'resource "aws_sagemaker_model" "churn"'],
        ['module.vpc', 'module "vpc"'],
        ['var.env', 'variable "env"'],
        ['provider.aws.us', 'alias  = "us"'],
        ['output.endpoint_config', 'output "endpoint_config"'],
        ['data.aws_iam_policy_document.assume', 'data "aws_iam_policy_document" "assume"'],
      ] as const) {
        const t = targetOf(doc, address);
        const start = address === 'provider.aws.us' ? lineOf(MODULE, header) - 1 : lineOf(MODULE, header);
        expect([address, t.startLine, t.endLine]).toEqual([address, start, blockEnd(MODULE, start)]);
        expect(t.node.type).toBe('map');
        expect([t.node.startLine, t.node.endLine]).toEqual([t.startLine, t.endLine]);
      }
      // Literal numbers once, to pin the helpers themselves.
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn');
      expect([ec.startLine, ec.endLine]).toEqual([150, 185]);
      const empty = targetOf(doc, 'data.aws_caller_identity.current');
      expect([empty.startLine, empty.endLine]).toEqual([lineOf(MODULE, 'data "aws_caller_identity"'), lineOf(MODULE, 'data "aws_caller_identity"')]);
      expect(map(empty.node).entries).toEqual([]);
    });

    it('makes one target per local, spanning its name to the end of its value', () => {
      const tags = targetOf(doc, 'local.tags');
      expect([tags.startLine, tags.endLine]).toEqual([lineOf(MODULE, '  tags = {'), lineOf(MODULE, '  tags = {') + 3]);
      expect(toPlain(tags.node)).toEqual({ Team: 'ml-platform', Env: 'var.env' });
    });
  });

  describe('root', () => {
    it('groups blocks by kind: resource/data by type then name, providers and terraform blocks as lists', () => {
      expect(keys(doc.root)).toEqual(['terraform', 'provider', 'variable', 'locals', 'data', 'module', 'resource', 'output']);
      expect(keys(get(doc.root, 'resource'))).toEqual([
        'aws_kms_key',
        'aws_s3_bucket',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_sagemaker_model',
        'aws_sagemaker_endpoint_configuration',
        'aws_sagemaker_endpoint',
      ]);
      expect(keys(dig(doc.root, 'resource', 'aws_iam_role'))).toEqual(['sagemaker', 'pipeline']);
      expect(dig(doc.root, 'resource', 'aws_kms_key', 'ml')).toBe(targetOf(doc, 'aws_kms_key.ml').node);
      expect(items(dig(doc.root, 'provider', 'aws')).length).toBe(2);
      expect(keys(get(doc.root, 'locals'))).toEqual(['name_prefix', 'bucket_name', 'env_name', 'tags', 'kms_policy']);
      const locals = entry(doc.root, 'locals')!;
      expect([locals.keyLine, locals.value.startLine, locals.value.endLine]).toEqual([
        lineOf(MODULE, 'locals {'),
        lineOf(MODULE, 'locals {'),
        blockEnd(MODULE, lineOf(MODULE, 'locals {')),
      ]);
    });

    it('keeps terraform {} (no target) with its nested and labelled blocks', () => {
      const tf = list(get(doc.root, 'terraform'));
      expect(tf.items.length).toBe(1);
      const body = tf.items[0]!;
      expect(value(get(body, 'required_version'))).toBe('>= 1.5');
      expect(toPlain(get(items(get(body, 'required_providers'))[0], 'aws'))).toEqual({ source: 'hashicorp/aws', version: '~> 5.0' });
      const backend = items(get(body, 'backend'))[0];
      expect(value(dig(backend, 's3', 'bucket'))).toBe('tf-state');
      expect(dig(backend, 's3', 'bucket')!.startLine).toBe(lineOf(MODULE, 'bucket = "tf-state"'));
      expect(doc.targets.some((t) => t.type === 'terraform')).toBe(false);
    });
  });

  describe('other blocks', () => {
    const OTHER = [
      'resource "null_resource" "train" {',
      '  provisioner "local-exec" {',
      '    command = "python train.py %{ for s in var.seeds }--seed ${s} %{ endfor }"',
      '  }',
      '  lifecycle {',
      '    ignore_changes = [tags]',
      '  }',
      '}',
      'moved {',
      '  from = aws_s3_bucket.old',
      '  to   = aws_s3_bucket.new',
      '}',
      'check "endpoint" {',
      '  assert {',
      '    condition     = data.http.ep.status_code == 200',
      '    error_message = "endpoint down"',
      '  }',
      '}',
      '',
    ].join('\n');

    it('keeps them in the root as lists, wrapping labelled blocks by their label', () => {
      const d = asDocument(terraform.parse('other.tf', OTHER));
      expect(d.targets.map((t) => t.address)).toEqual(['null_resource.train']);
      expect(keys(d.root)).toEqual(['resource', 'moved', 'check']);
      expect(sym(get(items(get(d.root, 'moved'))[0], 'to')).refs).toEqual(['aws_s3_bucket.new']);
      const assert = items(dig(items(get(d.root, 'check'))[0], 'endpoint', 'assert'))[0];
      expect(sym(get(assert, 'condition')).refs).toEqual(['data.http.ep']);
      const body = targetOf(d, 'null_resource.train').node;
      const exec = dig(items(get(body, 'provisioner'))[0], 'local-exec');
      expect(exec?.startLine).toBe(2);
      // The loop variable of a template directive is not a reference.
      expect(sym(get(exec, 'command')).refs).toEqual(['var.seeds']);
      expect(items(get(items(get(body, 'lifecycle'))[0], 'ignore_changes')).length).toBe(1);
    });
  });

  describe('bodies', () => {
    it('maps attributes with their key lines and literal values', () => {
      const kms = map(targetOf(doc, 'aws_kms_key.ml').node);
      expect(entry(kms, 'enable_key_rotation')).toEqual({
        key: 'enable_key_rotation',
        keyLine: lineOf(MODULE, 'enable_key_rotation     = true'),
        value: { type: 'scalar', value: true, startLine: lineOf(MODULE, 'enable_key_rotation     = true'), endLine: lineOf(MODULE, 'enable_key_rotation     = true') },
      });
      expect(value(get(kms, 'deletion_window_in_days'))).toBe(30);
      expect(value(get(kms, 'description'))).toBe('ML artefacts');
      const env = dig(targetOf(doc, 'aws_sagemaker_model.churn').node, 'primary_container');
      const environment = get(items(env)[0], 'environment');
      expect(toPlain(environment)).toEqual({ LOG_LEVEL: 'info', 'MAX-BATCH': -2, EXTRA: null });
      expect(entry(environment, 'MAX-BATCH')!.keyLine).toBe(lineOf(MODULE, '"MAX-BATCH" = -2'));
    });

    it('turns repeated nested blocks into one list with an item per block', () => {
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node;
      const variants = list(get(ec, 'production_variants'));
      expect(variants.conditional).toBeUndefined();
      expect(variants.items.map((v) => value(get(v, 'variant_name')))).toEqual(['primary', 'shadow']);
      const first = lineOf(MODULE, 'production_variants {');
      const second = lineOf(MODULE, 'production_variants {', first);
      expect(entry(ec, 'production_variants')!.keyLine).toBe(first);
      expect([variants.startLine, variants.endLine]).toEqual([first, second + 6]);
      expect([variants.items[0]!.startLine, variants.items[0]!.endLine]).toEqual([first, first + 5]);
      expect([variants.items[1]!.startLine, variants.items[1]!.endLine]).toEqual([second, second + 6]);
      expect(value(get(variants.items[1], 'initial_variant_weight'))).toBe(0.5);
      expect(get(variants.items[1], 'initial_instance_count')!.startLine).toBe(lineOf(MODULE, 'initial_instance_count = 1'));
    });

    it('turns a dynamic block into a conditional list holding its content, without for_each', () => {
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node;
      const capture = list(get(ec, 'data_capture_config'));
      expect(capture.conditional).toBe(true);
      expect(capture.items.length).toBe(1);
      const content = map(capture.items[0]);
      expect(keys(content)).toEqual(['enable_capture', 'initial_sampling_percentage', 'destination_s3_uri', 'capture_options']);
      expect(content.startLine).toBe(lineOf(MODULE, '    content {'));
      expect(entry(content, 'initial_sampling_percentage')!.keyLine).toBe(lineOf(MODULE, 'initial_sampling_percentage = 20'));
      expect(items(get(content, 'capture_options')).map((o) => value(get(o, 'capture_mode')))).toEqual(['Input', 'Output']);
      expect(entry(ec, 'data_capture_config')!.keyLine).toBe(lineOf(MODULE, 'dynamic "data_capture_config"'));
      // The iterator is bound inside the content: `data_capture_config.key` is not a reference.
      expect(sym(get(content, 'destination_s3_uri')).refs).toEqual(['aws_s3_bucket.artifacts']);
    });
  });

  describe('expressions', () => {
    it('makes references symbolic with the addresses they use', () => {
      const model = targetOf(doc, 'aws_sagemaker_model.churn').node;
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node;
      expect(sym(get(ec, 'kms_key_arn'))).toEqual({
        type: 'symbolic',
        expr: 'aws_kms_key.ml.arn',
        refs: ['aws_kms_key.ml'],
        startLine: lineOf(MODULE, 'kms_key_arn = aws_kms_key.ml.arn'),
        endLine: lineOf(MODULE, 'kms_key_arn = aws_kms_key.ml.arn'),
      });
      expect(sym(get(items(get(model, 'vpc_config'))[0], 'subnets')).refs).toEqual(['module.vpc']);
      const container = items(get(model, 'primary_container'))[0];
      expect(sym(get(container, 'image')).refs).toEqual(['data.aws_sagemaker_prebuilt_ecr_image.xgb']);
      expect(sym(get(container, 'model_data_url'))).toMatchObject({
        expr: '"s3://${aws_s3_bucket.artifacts.bucket}/model.tar.gz"',
        refs: ['aws_s3_bucket.artifacts'],
      });
      const pipeline = targetOf(doc, 'aws_iam_role.pipeline').node;
      expect(sym(get(pipeline, 'assume_role_policy')).refs).toEqual(['data.aws_iam_policy_document.assume']);
      expect(sym(get(targetOf(doc, 'var.env').node, 'type'))).toMatchObject({ expr: 'string', refs: [] });
    });

    it('keeps for-expressions, conditionals and function calls symbolic, without their bound names', () => {
      const model = targetOf(doc, 'aws_sagemaker_model.churn').node;
      expect(sym(get(items(get(model, 'vpc_config'))[0], 'security_group_ids'))).toMatchObject({
        expr: '[for sg in var.security_groups : sg.id if sg.enabled]',
        refs: ['var.security_groups'],
      });
      const ep = targetOf(doc, 'aws_sagemaker_endpoint.churn').node;
      expect(sym(get(ep, 'count'))).toMatchObject({ expr: 'var.env == "prod" ? 1 : 0', refs: ['var.env'] });
      expect(sym(get(ep, 'name')).refs).toEqual([]); // count.index is not an address
      const bucket = targetOf(doc, 'aws_s3_bucket.artifacts').node;
      expect(sym(get(bucket, 'tags'))).toMatchObject({ expr: 'merge(local.tags, { Purpose = "models" })', refs: ['local.tags'] });
    });

    it('never resolves variables', () => {
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node;
      expect(sym(get(items(get(ec, 'production_variants'))[0], 'initial_instance_count')).refs).toEqual(['var.instance_count']);
      expect(sym(get(targetOf(doc, 'provider.aws').node, 'region')).refs).toEqual(['var.region']);
    });
  });

  describe('locals', () => {
    it('resolves references to literal locals, through other locals and templates', () => {
      const bucket = targetOf(doc, 'aws_s3_bucket.artifacts').node;
      const line = lineOf(MODULE, 'bucket = local.bucket_name');
      expect(get(bucket, 'bucket')).toEqual({ type: 'scalar', value: 'churn-artifacts', startLine: line, endLine: line });
      expect(value(targetOf(doc, 'local.bucket_name').node)).toBe('churn-artifacts');
      expect(value(get(targetOf(doc, 'aws_iam_role.sagemaker').node, 'name'))).toBe('churn-sagemaker');
      expect(value(get(targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node, 'name'))).toBe('churn-ec');
    });

    it('resolves a map local with unknown entries, placed at the reference', () => {
      const ec = targetOf(doc, 'aws_sagemaker_endpoint_configuration.churn').node;
      const tags = map(get(ec, 'tags'));
      const line = lineOf(MODULE, '  tags = local.tags');
      expect([tags.startLine, tags.endLine]).toEqual([line, line]);
      expect(value(get(tags, 'Team'))).toBe('ml-platform');
      expect(sym(get(tags, 'Env')).refs).toEqual(['var.env']);
      expect(entry(tags, 'Team')!.keyLine).toBe(line);
    });

    it('resolves jsonencode(local.x) to the structure, and leaves locals built from variables symbolic', () => {
      const kms = targetOf(doc, 'aws_kms_key.ml').node;
      expect(toPlain(get(kms, 'policy'))).toEqual({ Version: '2012-10-17' });
      expect(get(kms, 'policy')!.startLine).toBe(lineOf(MODULE, 'jsonencode(local.kms_policy)'));
      const vpc = targetOf(doc, 'module.vpc').node;
      expect(sym(get(vpc, 'name'))).toMatchObject({ expr: 'local.env_name', refs: ['local.env_name'] });
      expect(sym(targetOf(doc, 'local.env_name').node).refs).toEqual(['var.env']);
    });

    it('leaves a cycle of locals and unknown locals symbolic', () => {
      const text = 'locals {\n  a = local.b\n  b = local.a\n}\nresource "x_y" "z" {\n  p = local.a\n  q = local.missing\n}\n';
      const d = asDocument(terraform.parse('cycle.tf', text));
      const body = targetOf(d, 'x_y.z').node;
      expect(sym(get(body, 'p')).refs).toEqual(['local.a']);
      expect(sym(get(body, 'q')).refs).toEqual(['local.missing']);
    });
  });

  describe('heredocs and jsonencode', () => {
    it('turns a JSON heredoc into a map positioned in the .tf file', () => {
      const role = targetOf(doc, 'aws_iam_role.sagemaker').node;
      const policy = map(get(role, 'assume_role_policy'));
      expect(value(get(policy, 'Version'))).toBe('2012-10-17');
      const statement = items(get(policy, 'Statement'))[0];
      expect(value(get(statement, 'Action'))).toBe('sts:AssumeRole');
      expect(entry(statement, 'Effect')!.keyLine).toBe(lineOf(MODULE, '"Effect": "Allow"'));
      expect(dig(statement, 'Principal', 'Service')!.startLine).toBe(lineOf(MODULE, '"Principal": { "Service"'));
      expect(entry(role, 'assume_role_policy')!.keyLine).toBe(lineOf(MODULE, 'assume_role_policy = <<EOF'));
    });

    it('strips the indentation of <<- heredocs and keeps other heredocs as strings', () => {
      const pipeline = targetOf(doc, 'aws_iam_role.pipeline').node;
      const description = get(pipeline, 'description')!;
      expect(value(description)).toBe('Role for the training pipeline.\n  Indented line.\n');
      expect([description.startLine, description.endLine]).toEqual([lineOf(MODULE, 'description        = <<-EOT'), lineOf(MODULE, '    EOT')]);
    });

    it('turns jsonencode({...}) into the map, with interpolated values symbolic', () => {
      const policy = map(get(targetOf(doc, 'aws_iam_role_policy.sagemaker').node, 'policy'));
      const statements = items(get(policy, 'Statement'));
      expect(statements.length).toBe(2);
      expect(toPlain(get(statements[0], 'Action'))).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(get(statements[0], 'Action')!.startLine).toBe(lineOf(MODULE, 'Action   = ["s3:GetObject"'));
      expect(sym(get(statements[0], 'Resource')).refs).toEqual(['aws_s3_bucket.artifacts']);
      expect(sym(get(statements[1], 'Resource')).refs).toEqual(['aws_kms_key.ml']);
      expect([policy.startLine, policy.endLine]).toEqual([lineOf(MODULE, 'policy = jsonencode({'), lineOf(MODULE, '  })')]);
    });

    it('keeps a JSON heredoc with interpolations as a map whose interpolated strings are symbolic', () => {
      const text = [
        'resource "aws_iam_policy" "p" {',
        '  policy = <<-POLICY',
        '    {',
        '      "Statement": [{',
        '        "Effect": "Allow",',
        '        "Action": "s3:*",',
        '        "Resource": "${aws_s3_bucket.b.arn}/*"',
        '      }]',
        '    }',
        '  POLICY',
        '}',
        '',
      ].join('\n');
      const d = asDocument(terraform.parse('p.tf', text));
      const st = items(get(get(targetOf(d, 'aws_iam_policy.p').node, 'policy'), 'Statement'))[0];
      expect(value(get(st, 'Action'))).toBe('s3:*');
      expect(get(st, 'Action')!.startLine).toBe(6);
      expect(sym(get(st, 'Resource'))).toMatchObject({ expr: '${aws_s3_bucket.b.arn}/*', refs: ['aws_s3_bucket.b'], startLine: 7 });
    });

    it('keeps a heredoc that interpolates outside JSON strings symbolic', () => {
      const text = 'resource "a_b" "c" {\n  script = <<EOF\nrun ${var.cmd}\nEOF\n}\n';
      const d = asDocument(terraform.parse('s.tf', text));
      expect(sym(get(targetOf(d, 'a_b.c').node, 'script'))).toMatchObject({ refs: ['var.cmd'], startLine: 2, endLine: 4 });
    });
  });

  describe('strings', () => {
    it('decodes escapes and template escapes', () => {
      const text = 'locals {\n  a = "tab\\there \\"q\\" \\u00e9 $${literal} %%{x}"\n}\n';
      const d = asDocument(terraform.parse('s.tf', text));
      expect(value(targetOf(d, 'local.a').node)).toBe('tab\there "q" é ${literal} %{x}');
    });

    it('keeps positions right after non-ASCII text (tree-sitter offsets are UTF-16 units)', () => {
      const text = [
        '# 🚀🚀 déploiement — モデル',
        'locals {',
        '  greeting = "héllo 😀 wörld"',
        '  after    = "x"',
        '}',
        '',
        'resource "aws_s3_bucket" "données" {',
        '  bucket = "bücket-😀"',
        '  tags   = { Owner = "Zoë", "clé" = "värde" }',
        '}',
        '',
      ].join('\n');
      const d = asDocument(terraform.parse('u.tf', text));
      expect(value(targetOf(d, 'local.greeting').node)).toBe('héllo 😀 wörld');
      expect(value(targetOf(d, 'local.after').node)).toBe('x');
      const b = targetOf(d, 'aws_s3_bucket.données');
      expect([b.startLine, b.endLine]).toEqual([7, 10]);
      expect(get(b.node, 'bucket')).toEqual({ type: 'scalar', value: 'bücket-😀', startLine: 8, endLine: 8 });
      expect(toPlain(get(b.node, 'tags'))).toEqual({ Owner: 'Zoë', clé: 'värde' });
    });

    it('reads a byte order mark and CRLF line endings', () => {
      const text = '\ufeffresource "a_b" "c" {\r\n  x = 1\r\n  y = <<EOT\r\n{"k": "v"}\r\nEOT\r\n}\r\n';
      const d = asDocument(terraform.parse('w.tf', text));
      const t = targetOf(d, 'a_b.c');
      expect([t.startLine, t.endLine]).toEqual([1, 6]);
      expect(toPlain(t.node)).toEqual({ x: 1, y: { k: 'v' } });
      expect(get(get(t.node, 'y'), 'k')!.startLine).toBe(4);
    });
  });

  describe('.tf.json', () => {
    const JSON_TF = `{
  "//": "generated by cdktf",
  "locals": { "prefix": "churn", "name": "\${local.prefix}-model" },
  "variable": { "env": { "type": "string", "default": "dev" } },
  "provider": { "aws": [{ "region": "eu-west-1" }, { "alias": "us", "region": "us-east-1" }] },
  "resource": {
    "aws_sagemaker_model": {
      "churn": {
        "name": "\${local.name}",
        "execution_role_arn": "\${aws_iam_role.sm.arn}",
        "primary_container": [{ "image": "img:1", "environment": { "ENV": "\${var.env}" } }]
      }
    },
    "aws_sagemaker_endpoint_configuration": [{
      "ec": {
        "kms_key_arn": "\${aws_kms_key.ml.arn}",
        "dynamic": { "data_capture_config": { "for_each": "\${var.capture}", "content": { "destination_s3_uri": "s3://\${data_capture_config.value}" } } }
      }
    }]
  },
  "data": { "aws_caller_identity": { "current": {} } },
  "module": { "vpc": { "source": "terraform-aws-modules/vpc/aws" } },
  "output": { "ec": { "value": "\${aws_sagemaker_endpoint_configuration.ec.name}" } },
  "terraform": { "required_version": ">= 1.5" }
}
`;
    it('maps the JSON syntax onto the same targets and root shape', () => {
      const d = asDocument(terraform.parse('cdktf.out/stacks/ml/cdk.tf.json', JSON_TF));
      expect(d.targets.map((t) => [t.type, t.address, t.startLine, t.endLine])).toEqual([
        ['local', 'local.prefix', 3, 3],
        ['local', 'local.name', 3, 3],
        ['variable', 'var.env', 4, 4],
        ['provider', 'provider.aws', 5, 5],
        ['provider', 'provider.aws.us', 5, 5],
        ['aws_sagemaker_model', 'aws_sagemaker_model.churn', 8, 12],
        ['aws_sagemaker_endpoint_configuration', 'aws_sagemaker_endpoint_configuration.ec', 15, 18],
        ['data.aws_caller_identity', 'data.aws_caller_identity.current', 21, 21],
        ['module', 'module.vpc', 22, 22],
        ['output', 'output.ec', 23, 23],
      ]);
      expect(keys(d.root)).toEqual(['locals', 'variable', 'provider', 'resource', 'data', 'module', 'output', 'terraform']);
      expect(value(dig(items(get(d.root, 'terraform'))[0], 'required_version'))).toBe('>= 1.5');
    });

    it('makes interpolated strings symbolic with their refs, resolves locals, rewrites dynamic blocks', () => {
      const d = asDocument(terraform.parse('main.tf.json', JSON_TF));
      const model = targetOf(d, 'aws_sagemaker_model.churn').node;
      expect(get(model, 'name')).toEqual({ type: 'scalar', value: 'churn-model', startLine: 9, endLine: 9 });
      expect(sym(get(model, 'execution_role_arn'))).toMatchObject({ expr: '${aws_iam_role.sm.arn}', refs: ['aws_iam_role.sm'] });
      expect(sym(dig(items(get(model, 'primary_container'))[0], 'environment', 'ENV')).refs).toEqual(['var.env']);
      const ec = targetOf(d, 'aws_sagemaker_endpoint_configuration.ec').node;
      const capture = list(get(ec, 'data_capture_config'));
      expect(capture.conditional).toBe(true);
      expect(sym(get(capture.items[0], 'destination_s3_uri')).refs).toEqual([]);
      expect(keys(ec)).toEqual(['kms_key_arn', 'data_capture_config']);
    });

    it('reports invalid JSON and non-Terraform JSON as parse errors', () => {
      expect(asError(terraform.parse('a.tf.json', '{\n  "resource": {\n}')).line).toBe(3);
      expect(asError(terraform.parse('b.tf.json', '[1, 2]')).message).toMatch(/must be an object/);
      expect(asError(terraform.parse('c.tf.json', '{\n  "resource": 3\n}'))).toMatchObject({ line: 2, message: expect.stringMatching(/resource/) });
    });
  });

  describe('malformed files', () => {
    const cases: [string, string, number, RegExp][] = [
      ['unterminated block', 'variable "v" {}\n\nresource "a_b" "c" {\n  x = 1\n\n  nested {\n    y = 2\n  }\n', 3, /missing "\}".*line 3/],
      ['missing "=" in an attribute', 'resource "a_b" "c" {\n  x = 1\n  name "value"\n  z = 3\n}\n', 3, /missing "=" after "name"/],
      ['a word without "="', 'resource "a_b" "c" {\n  x = 1\n  enabled true\n}\n', 3, /unexpected "enabled"/],
      ['garbage after a block', 'resource "a_b" "c" {\n  x = 1\n}\n\n@@@ !!! ###\n', 5, /unexpected "@@@"/],
      ['not terraform at all', 'The quick brown fox\n', 1, /unexpected "The"/],
      ['a stray closing brace', 'resource "a_b" "c" {\n}\n}\n', 3, /unexpected "\}"/],
      ['an unterminated string', 'resource "a_b" "c" {\n  x = "abc\n  y = 2\n}\n', 2, /missing closing quote/],
      ['an unclosed list', 'resource "a_b" "c" {\n  x = [1, 2\n  y = 2\n}\n', 2, /missing "\]"/],
      ['an unclosed heredoc', 'resource "a_b" "c" {\n  x = <<EOF\n  abc\n}\n', 2, /heredoc/],
      ['a resource with one label', '\nresource "aws_s3_bucket" {\n}\n', 2, /type and a name/],
      ['a bare object', '{ "a": 1 }\n', 1, /bare object/],
    ];
    for (const [name, text, line, message] of cases) {
      it(`reports ${name} at line ${line}`, () => {
        const e = asError(terraform.parse('bad.tf', text));
        expect(e).toMatchObject({ kind: 'terraform', path: 'bad.tf', line });
        expect(e.message).toMatch(message);
      });
    }

    it('never throws, whatever the input', () => {
      const cuts = Array.from({ length: 120 }, (_, i) => Math.floor((MODULE.length * i) / 120));
      for (const cut of cuts) {
        const r = terraform.parse('cut.tf', MODULE.slice(0, cut));
        expect('root' in r || ('line' in r && r.line >= 1)).toBe(true);
      }
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), (s) => {
          for (const path of ['f.tf', 'f.tf.json']) {
            const r = terraform.parse(path, s);
            if (!('root' in r) && !('line' in r)) return false;
          }
          return true;
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('empty files', () => {
    it('reads an empty file and a file of comments as documents without targets', () => {
      const empty = asDocument(terraform.parse('empty.tf', ''));
      expect(empty).toMatchObject({ kind: 'terraform', targets: [], lines: 0, root: { type: 'map', entries: [] } });
      const comments = asDocument(terraform.parse('versions.tf', '# nothing yet\n// really\n/* block\n comment */\n\n'));
      expect(comments.targets).toEqual([]);
      expect(comments.root).toMatchObject({ type: 'map', entries: [], startLine: 1 });
    });
  });
});
