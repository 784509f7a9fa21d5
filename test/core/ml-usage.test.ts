/**
 * ML framing by usage (src/ml-usage.ts, Rule.generic): a bucket the review's ML workload uses keeps
 * the rule's ML wording and severity; any other bucket gets the generic wording, one severity lower,
 * in the finding, the gate and the pillar scores alike.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import { mlUsage } from '../../src/ml-usage.js';
import type { Document, FileChange, Finding, Review } from '../../src/model.js';
import { appliedRule } from '../../src/rules/evaluate.js';
import { parseRuleFile } from '../../src/rules/loader.js';
import { RuleLoadError } from '../../src/rules/loader/problems.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

let review: Awaited<ReturnType<typeof reviewer>>;
beforeAll(async () => {
  await createEngine();
  review = await reviewer();
});

const added = (path: string, head: string): FileChange => ({ path, status: 'added', base: null, head });
const reviewed = (...files: [string, string][]): Review => review(changeSetOf(files.map(([p, t]) => added(p, t))));
const finding = (r: Review, rule: string, address: string): Finding => {
  const f = r.findings.find((x) => x.rule === rule && x.address === address);
  if (!f) throw new Error(`no ${rule} on ${address}: ${r.findings.map((x) => `${x.rule} ${x.address}`).join(', ')}`);
  return f;
};

function docs(...files: [string, string][]): Document[] {
  return files.flatMap(([path, text]) => {
    const c = classify(path, text);
    if (c.type !== 'document') throw new Error(`${path} not read: ${JSON.stringify(c)}`);
    return [c.document];
  });
}
/** The usage of `address` in the first file, with every file in the review. */
const usageOf = (address: string, ...files: [string, string][]) => mlUsage(docs(...files), new Map(files))(files[0]![0], address);

const MODEL_TF = (bucketRef: string) => `
resource "aws_sagemaker_model" "churn" {
  name               = "churn"
  execution_role_arn = "arn:aws:iam::111122223333:role/sm"

  primary_container {
    image          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1.0"
    model_data_url = "s3://\${${bucketRef}}/churn/model.tar.gz"
  }
}
`;

const BUCKETS_TF = `
resource "aws_s3_bucket" "store" {
  bucket = "acme-store"
}

resource "aws_s3_bucket" "thumbnails" {
  bucket = "acme-thumbnails"
}

resource "aws_s3_bucket_versioning" "store" {
  bucket = aws_s3_bucket.store.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_versioning" "thumbnails" {
  bucket = aws_s3_bucket.thumbnails.id
  versioning_configuration {
    status = "Suspended"
  }
}
`;

describe('Terraform: a bucket a SageMaker resource refers to, beside a thumbnails bucket', () => {
  it('the referenced bucket keeps the ML wording and severity; the other gets the generic wording, one lower', () => {
    const r = reviewed(['infra/s3.tf', BUCKETS_TF], ['infra/model.tf', MODEL_TF('aws_s3_bucket.store.bucket')]);
    // The bucket itself (s3-bucket-kms: no encryption configuration anywhere)...
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.store')).toMatchObject({ severity: 'medium', message: expect.stringContaining('the datasets or models in it') });
    const kms = finding(r, 's3-bucket-kms', 'aws_s3_bucket.thumbnails');
    expect(kms.severity).toBe('low');
    expect(kms.message).toContain('and what it holds');
    expect(kms.message).not.toMatch(/dataset|model/);
    // ...and a resource of the bucket, judged as the bucket it names.
    expect(finding(r, 's3-bucket-versioning', 'aws_s3_bucket_versioning.store')).toMatchObject({ severity: 'medium', message: expect.stringContaining('dataset or model') });
    const versioning = finding(r, 's3-bucket-versioning', 'aws_s3_bucket_versioning.thumbnails');
    expect(versioning).toMatchObject({
      severity: 'low',
      message: 'aws_s3_bucket_versioning.thumbnails does not keep object versions (versioning_configuration[0].status: Suspended): an overwritten or deleted object cannot be recovered.',
    });
    expect(versioning.remediation).not.toContain('retraining');
  });

  it('without the reference, the neutral name alone makes the same bucket generic', () => {
    const r = reviewed(['infra/s3.tf', BUCKETS_TF], ['infra/model.tf', MODEL_TF('var.model_bucket')]);
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.store').severity).toBe('low');
  });

  it('a reference from another Terraform directory (another module) does not count', () => {
    const r = reviewed(['infra/s3.tf', BUCKETS_TF], ['other/model.tf', MODEL_TF('aws_s3_bucket.store.bucket')]);
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.store').severity).toBe('low');
  });

  it('the gate and the pillar scores see the lowered severity', () => {
    // A public access block turned off is high (the default gate fails on high) on an ML bucket only.
    const block = (name: string) => `
resource "aws_s3_bucket" "b" {
  bucket = "${name}"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
`;
    const ml = reviewed(['infra/s3.tf', block('acme-training-data')]);
    const thumbs = reviewed(['infra/s3.tf', block('acme-thumbnails')]);
    expect(finding(ml, 's3-bucket-public-access-block', 'aws_s3_bucket_public_access_block.b').severity).toBe('high');
    expect(ml.gate.conclusion).toBe('failure');
    expect(finding(thumbs, 's3-bucket-public-access-block', 'aws_s3_bucket_public_access_block.b').severity).toBe('medium');
    expect(thumbs.gate.conclusion).not.toBe('failure');
    // Same evaluations, other weights. Security: encryption passes twice (the configuration, and the
    // bucket that has one), the public access block and access logging fail: 2×3 of 2×3+5+1 on the
    // ML bucket, 2×1 of 2×1+3+1 on the other.
    expect(thumbs.findings.map((f) => f.rule)).toEqual(ml.findings.map((f) => f.rule));
    expect(ml.scores.security.head).toBe(50);
    expect(thumbs.scores.security.head).toBe(33);
  });
});

describe('CloudFormation: a bucket a SageMaker resource refers to, beside a thumbnails bucket', () => {
  const template = (reference: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Store:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-store
  ThumbnailsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-thumbnails
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/sm
      PrimaryContainer:
        Image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/churn:1.0
        Environment:
          DATA: ${reference}
`;
  for (const reference of ['!Ref Store', '!GetAtt Store.Arn', '!Sub "s3://${Store}/churn/"', '{ "Fn::GetAtt": [Store, Arn] }']) {
    it(`through ${reference}`, () => {
      const r = reviewed(['templates/stack.yaml', template(reference)]);
      expect(finding(r, 's3-bucket-versioning', 'Store')).toMatchObject({ severity: 'medium', message: expect.stringContaining('dataset or model') });
      expect(finding(r, 's3-bucket-kms', 'Store').severity).toBe('medium');
      expect(finding(r, 's3-bucket-versioning', 'ThumbnailsBucket')).toMatchObject({ severity: 'low', message: expect.not.stringContaining('dataset') });
      expect(finding(r, 's3-bucket-kms', 'ThumbnailsBucket').severity).toBe('low');
      // Low stays low, in the generic wording.
      expect(finding(r, 's3-bucket-lifecycle', 'ThumbnailsBucket')).toMatchObject({ severity: 'low', message: expect.stringContaining('until someone deletes them') });
    });
  }

  it('without a reference, the bucket named for nothing ML is generic', () => {
    const r = reviewed(['templates/stack.yaml', template('"static"')]);
    expect(finding(r, 's3-bucket-versioning', 'Store').severity).toBe('low');
  });

  it('a public bucket policy names the bucket, not datasets, on a bucket the ML workload does not use', () => {
    const policy = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SitePolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref StaticSite
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub \${StaticSite.Arn}/*
  StaticSite:
    Type: AWS::S3::Bucket
`;
    const f = finding(reviewed(['templates/site.yaml', policy]), 'iam-resource-policy-public', 'SitePolicy');
    expect(f).toMatchObject({ severity: 'medium', message: expect.stringContaining("the bucket's objects are open") });
  });
});

describe('named or tagged for ML', () => {
  const alone = (bucket: string, extra = '') => [
    'infra/s3.tf',
    `resource "aws_s3_bucket" "this" {\n  bucket = ${bucket}\n${extra}}\n`,
  ] as [string, string];

  it('acme-training-data alone is ML; acme-thumbnails alone is not', () => {
    expect(usageOf('aws_s3_bucket.this', alone('"acme-training-data"'))).toBe(true);
    expect(usageOf('aws_s3_bucket.this', alone('"acme-thumbnails"'))).toBe(false);
    const r = reviewed(alone('"acme-training-data"'));
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.this')).toMatchObject({ severity: 'medium', message: expect.stringContaining('datasets or models') });
    const t = reviewed(alone('"acme-thumbnails"'));
    expect(finding(t, 's3-bucket-kms', 'aws_s3_bucket.this')).toMatchObject({ severity: 'low', message: expect.not.stringContaining('datasets') });
  });

  it('matches whole words of names, templates, logical ids and tags', () => {
    expect(usageOf('aws_s3_bucket.this', alone('"${var.env}-model-artifacts"'))).toBe(true);
    expect(usageOf('aws_s3_bucket.this', alone('"acme-thumbnails"', '  tags = { Purpose = "training" }\n'))).toBe(true);
    expect(usageOf('aws_s3_bucket.this', alone('"acme-store"', '  tags = { "sagemaker:project-name" = "churn" }\n'))).toBe(true);
    expect(usageOf('MlOpsArtifactsBucket', ['t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  MlOpsArtifactsBucket:\n    Type: AWS::S3::Bucket\n'])).toBe(true);
    expect(usageOf('aws_s3_bucket.features', ['infra/s3.tf', 'resource "aws_s3_bucket" "features" {\n  bucket = var.name\n}\n'])).toBe(true);
  });

  it('near misses are not ML: words that contain an ML word, and data words in tag keys', () => {
    for (const name of ['acme-modeling-docs', 'acme-metadata', 'acme-static-site', 'acme-access-logs', 'acme-database-backups']) {
      expect(usageOf('aws_s3_bucket.this', alone(`"${name}"`)), name).toBe(false);
    }
    expect(usageOf('aws_s3_bucket.this', alone('"acme-thumbnails"', '  tags = { DataClassification = "public" }\n'))).toBe(false);
  });

  it('a bucket that says nothing of its purpose is ML only in a review that holds something ML', () => {
    const anonymous = alone('var.bucket_name');
    expect(usageOf('aws_s3_bucket.this', anonymous)).toBe(false);
    expect(usageOf('aws_s3_bucket.this', anonymous, ['infra/model.tf', MODEL_TF('var.model_bucket')])).toBe(true);
    // A name that says what the bucket is for settles it, ML or not, whatever else the review holds.
    expect(usageOf('aws_s3_bucket.this', alone('"${var.env}-thumbnails"'), ['infra/model.tf', MODEL_TF('var.model_bucket')])).toBe(false);
    expect(usageOf('Bucket', ['t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n'], ['infra/model.tf', MODEL_TF('var.x')])).toBe(true);
  });

  it('only bucket targets are decided', () => {
    expect(usageOf('aws_sagemaker_model.churn', ['infra/model.tf', MODEL_TF('var.x')])).toBeUndefined();
    expect(usageOf('aws_s3_bucket.nowhere', alone('"acme-thumbnails"'))).toBeUndefined();
  });
});

describe('a literal bucket name in an ML document of the review', () => {
  const bucket: [string, string] = ['infra/s3.tf', 'resource "aws_s3_bucket" "store" {\n  bucket = "acme-store"\n}\n'];
  const pipeline = JSON.stringify(
    {
      Version: '2020-12-01',
      Steps: [
        {
          Name: 'Prepare',
          Type: 'Processing',
          Arguments: {
            AppSpecification: { ImageUri: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/prep:1.0' },
            ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
            RoleArn: 'arn:aws:iam::111122223333:role/sm',
            ProcessingInputs: [{ InputName: 'raw', S3Input: { S3Uri: 's3://acme-store/raw/', LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix', S3InputMode: 'File' } }],
          },
        },
      ],
    },
    null,
    2,
  );
  const sdk = `import sagemaker
from sagemaker.estimator import Estimator

estimator = Estimator(
    image_uri="111122223333.dkr.ecr.eu-west-1.amazonaws.com/train:1.0",
    role="arn:aws:iam::111122223333:role/sm",
    instance_count=1,
    instance_type="ml.m5.xlarge",
)
estimator.fit({"train": "s3://acme-store/train/"})
`;

  it('in an s3:// URI of a SageMaker pipeline definition', () => {
    expect(usageOf('aws_s3_bucket.store', bucket)).toBe(false);
    expect(usageOf('aws_s3_bucket.store', bucket, ['pipelines/pipeline.json', pipeline])).toBe(true);
    const r = reviewed(bucket, ['pipelines/pipeline.json', pipeline]);
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.store')).toMatchObject({ severity: 'medium', message: expect.stringContaining('datasets or models') });
  });

  it('in an s3:// URI of SageMaker Python SDK code, also where the reader maps no request (fit)', () => {
    expect(usageOf('aws_s3_bucket.store', bucket, ['pipelines/train.py', sdk])).toBe(true);
    expect(usageOf('aws_s3_bucket.store', bucket, ['pipelines/train.py', sdk.replace('acme-store', 'acme-other')])).toBe(false);
    const r = reviewed(bucket, ['pipelines/train.py', sdk]);
    expect(finding(r, 's3-bucket-kms', 'aws_s3_bucket.store').severity).toBe('medium');
  });
});

describe('the generic field of a rule', () => {
  const rule = (match: string, generic = 'generic:\n    message: "{{address}} is a bucket"') => `
- id: test-generic
  title: Test
  practices: [MLSEC02-BP01]
  pillar: security
  phase: data-processing
  severity: critical
  match:
${match}
  message: "{{address}} holds datasets"
  remediation: Fix it.
  ${generic}
  examples:
    pass: [{ path: a.tf, content: "" }]
    fail: [{ path: a.tf, content: "" }]
`;
  const bucketClause = '    - kind: terraform\n      resource: aws_s3_bucket\n      require: { present: tags }';

  it('is loaded, and applied only to evaluations marked generic, one severity lower', () => {
    const [r] = parseRuleFile('rules/t.yaml', rule(bucketClause));
    expect(r!.generic).toEqual({ message: '{{address}} is a bucket' });
    const ev = { rule: r!, path: 'a.tf', address: 'aws_s3_bucket.x', outcome: 'fail' as const, startLine: 1, endLine: 1 };
    expect(appliedRule(r!, ev)).toBe(r);
    expect(appliedRule(r!, { ...ev, generic: true })).toMatchObject({ severity: 'high', message: '{{address}} is a bucket', remediation: 'Fix it.' });
  });

  it('is refused on a rule with no bucket target, and with an unknown placeholder', () => {
    const noBucket = '    - kind: terraform\n      resource: aws_sagemaker_model\n      require: { present: tags }';
    expect(() => parseRuleFile('rules/t.yaml', rule(noBucket))).toThrow(RuleLoadError);
    expect(() => parseRuleFile('rules/t.yaml', rule(noBucket))).toThrow(/generic: no clause matches/);
    expect(() => parseRuleFile('rules/t.yaml', rule(bucketClause, 'generic:\n    message: "{{bucket}}"'))).toThrow(/generic\.message: unknown placeholder/);
  });
});
