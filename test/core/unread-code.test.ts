/**
 * ML and infrastructure code the reviewer does not read yet is said, never passed in silence: a
 * pull request that rewrites a pipeline into SageMaker SDK code gets a neutral check naming the
 * file and what it uses, while ordinary Python, notebooks and TypeScript cost nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isArtifactPath } from '../../src/formats/index.js';
import { unreadCode } from '../../src/formats/unread.js';
import { changeSetOf, reviewer } from '../helpers/engine.js';

const review = await reviewer();

// The SDK's AutoML is not read yet (its estimators, pipelines and @step functions are).
const PIPELINE = `import sagemaker
from sagemaker.automl.automl import AutoML

automl = AutoML(role="arn:aws:iam::111122223333:role/ml", target_attribute_name="churn", max_candidates=20)
automl.fit(inputs="s3://acme-ml/churn/train.csv")
`;

const notebook = (lines: string[]) =>
  JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: lines.map((l) => `${l}\n`), outputs: [], execution_count: null }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);

describe('code the reviewer does not read yet', () => {
  it.each([
    ['pipelines/pipeline.py', PIPELINE, 'the SageMaker Python SDK'],
    ['jobs/deploy.py', 'import boto3\nsm = boto3.client("sagemaker")\nsm.create_endpoint(EndpointName="x", EndpointConfigName="y")\n', "boto3's SageMaker client"],
    ['jobs/deploy2.py', 'import boto3\nsm = boto3.client(service_name="sagemaker")\n', "boto3's SageMaker client"],
    ['kfp/p.py', 'from kfp import dsl\n', 'the Kubeflow Pipelines SDK (kfp)'],
    ['vertex/p.py', 'from google.cloud import aiplatform\n', 'the Vertex AI SDK'],
    ['dags/churn.py', 'from airflow import DAG\n', 'Apache Airflow'],
    ['cdk/stack.py', 'import aws_cdk as cdk\n', 'the AWS CDK'],
    ['cdk/lib/stack.ts', "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';\n", 'the AWS CDK'],
    ['infra/index.ts', "import * as aws from '@pulumi/aws';\n", 'Pulumi'],
    ['scripts/train.sh', 'aws sagemaker create-training-job --cli-input-json file://job.json\n', 'the AWS CLI for SageMaker'],
    ['notebooks/train.ipynb', notebook(['import sagemaker', 'from sagemaker.estimator import Estimator']), 'the SageMaker Python SDK'],
    ['notebooks/deploy.ipynb', notebook(['import boto3', 'sm = boto3.client("sagemaker")']), "boto3's SageMaker client"],
  ])('%s: %s', (path, text, uses) => {
    expect(isArtifactPath(path)).toBe(true);
    expect(unreadCode(path, text)).toBe(`uses ${uses}, which this reviewer does not read yet`);
  });

  it.each([
    ['app/main.py', 'import numpy as np\nprint("sagemaker")\n# import sagemaker (see the docs)\n'],
    ['app/s3.py', 'import boto3\ns3 = boto3.client("s3")\n'],
    ['web/index.ts', "import express from 'express';\n// aws-cdk-lib is not used here\n"],
    ['scripts/build.sh', '# aws sagemaker create-model is run by CI\nnpm run build\n'],
    ['notebooks/eda.ipynb', notebook(['import pandas as pd', 'df = pd.read_csv("x.csv")'])],
    ['types/index.d.ts', "import type { Stack } from 'aws-cdk-lib';\n"],
  ])('%s is ordinary code', (path, text) => {
    expect(unreadCode(path, text)).toBeUndefined();
  });

  it('a pull request whose only ML change is SDK code gets a neutral check naming it, never a bare green', () => {
    const r = review(
      changeSetOf([
        { path: 'pipelines/pipeline.py', status: 'added', base: null, head: PIPELINE },
        { path: 'app/util.py', status: 'added', base: null, head: 'def f():\n    return 1\n' },
      ]),
    );
    expect(r.gate.conclusion).toBe('neutral');
    expect(r.stats.notReviewed).toEqual([{ path: 'pipelines/pipeline.py', reason: 'uses SageMaker Python SDK constructs this reviewer does not read yet: AutoML' }]);
    expect(r.gate.reasons.join('\n')).toContain('pipelines/pipeline.py (uses SageMaker Python SDK constructs this reviewer does not read yet: AutoML');
  });

  it('code the reviewer reads and finds nothing in is not listed: a CDK app.py, a script using SDK helpers only', () => {
    const r = review(
      changeSetOf([
        { path: 'app.py', status: 'modified', base: 'import aws_cdk as cdk\napp = cdk.App()\n', head: 'import aws_cdk as cdk\nfrom stacks import MlStack\napp = cdk.App()\nMlStack(app, "Ml")\napp.synth()\n' },
        { path: 'jobs/role.py', status: 'added', base: null, head: 'import sagemaker\nrole = sagemaker.get_execution_role()\n' },
      ]),
    );
    expect(r.stats.notReviewed).toEqual([]);
    expect(r.gate.conclusion).toBe('success');
  });

  it('a removed SDK file, or one that stops using the SDK, is not listed', () => {
    const r = review(
      changeSetOf([
        { path: 'pipelines/old.py', status: 'removed', base: PIPELINE, head: null },
        { path: 'pipelines/now-plain.py', status: 'modified', base: PIPELINE, head: 'def f():\n    return 1\n' },
      ]),
    );
    expect(r.stats.notReviewed).toEqual([]);
    expect(r.gate.conclusion).toBe('success');
  });
});

/** The real ML code of the shared corpus (`../shared/corpus/code`), when it is there. */
const CODE = process.env.ML_LENS_CODE_CORPUS ?? fileURLToPath(new URL('../../../shared/corpus/code', import.meta.url));
const present = existsSync(CODE) && statSync(CODE).isDirectory();

describe('the real ML code corpus', () => {
  it.skipIf(!present)(`says what it does not read of every SDK file at ${CODE}${present ? '' : ' (absent: skipped)'}`, () => {
    let files = 0;
    for (const dir of readdirSync(CODE)) {
      // Kubernetes manifests are YAML the format modules read (or not) on their own terms.
      if (dir === 'k8s-ml' || !statSync(join(CODE, dir)).isDirectory()) continue;
      for (const name of readdirSync(join(CODE, dir))) {
        files++;
        expect(unreadCode(name, readFileSync(join(CODE, dir, name), 'utf8')), `${dir}/${name}`).toMatch(/^uses .+, which this reviewer does not read yet$/);
      }
    }
    expect(files).toBeGreaterThanOrEqual(20);
  });
});

describe('an SDK read in files of its own, used beside another', () => {
  it('is named as read only on its own, not as never read', () => {
    const text = 'import sagemaker\nfrom kfp import dsl\nfrom sagemaker.estimator import Estimator\nEstimator(image_uri="i:1", role="r", instance_count=1, instance_type="ml.m5.xlarge").fit()\n';
    const r = review(changeSetOf([{ path: 'pipelines/mixed.py', status: 'added', base: null, head: text }]));
    expect(r.stats.notReviewed.map((n) => n.reason)).toEqual([
      'partly reviewed (a SageMaker Python file): also uses the Kubeflow Pipelines SDK (kfp), which this reviewer reads in files of its own but not beside the SDK this file is read for',
    ]);
    // Pulumi is read nowhere: said as never read.
    expect(unreadCode('x.py', 'import pulumi\nimport kfp\n', ['kfp'], ['kfp', 'sagemaker'])).toBe('uses Pulumi, which this reviewer does not read yet');
  });
});
