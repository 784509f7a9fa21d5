/**
 * Classification through the registry (src/formats/index.ts) of the CloudFormation, SageMaker
 * pipeline, Step Functions, Kubeflow, Argo and Kubernetes kinds: the detection order must send
 * each file to its kind, and a file a specific kind rules out must fall through to the next.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kind } from '../../src/model.js';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import { fixture } from './_pipeline-helpers.js';

beforeAll(async () => {
  await createEngine();
});

function kindOf(path: string, text: string): Kind | string {
  const r = classify(path, text);
  if (r.type === 'document') return r.document.kind;
  if (r.type === 'error') return `error(${r.error.kind}:${r.error.line}: ${r.error.message})`;
  return `none(${r.reason})`;
}

describe('classify: own fixtures', () => {
  it.each([
    ['deploy/endpoint.yaml', 'cfn-endpoint.yaml', 'cloudformation'],
    ['cdk.out/ChurnStack.template.json', 'cdk-churn.template.json', 'cloudformation'],
    ['pipelines/churn/pipeline-definition.json', 'sm-pipeline-definition.json', 'sagemaker-pipeline'],
    ['modules/pipeline/pipeline-definition.json.tpl', 'sm-pipeline-definition.json.tpl', 'sagemaker-pipeline'],
    ['statemachine/train-model.asl.json', 'train-model.asl.json', 'step-functions'],
    ['sfn/score.asl.yaml', 'score.asl.yaml', 'step-functions'],
    ['pipelines/train_pipeline.yaml', 'kfp-train-pipeline.yaml', 'kubeflow-pipeline'],
    ['vertex/pipeline-job.json', 'vertex-pipeline-job.json', 'kubeflow-pipeline'],
    ['pipelines/churn.yaml', 'kfp-v1-workflow.yaml', 'argo-workflow'],
    ['argo/templates.yaml', 'argo-templates.yaml', 'argo-workflow'],
    ['deploy/k8s/serving.yaml', 'k8s-serving.yaml', 'kubernetes'],
  ])('%s is %s', (path, name, kind) => {
    expect(kindOf(path, fixture(name))).toBe(kind);
  });

  it('sends a JSON template with an inline state machine past Step Functions to CloudFormation', () => {
    const text = '{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition": {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}}}}}';
    expect(kindOf('template.json', text)).toBe('cloudformation');
  });

  it('sends an argoproj.io kind that is not a workflow to Kubernetes', () => {
    const text = '# was a kind: Workflow once\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\n';
    // The Argo signature matched (so Kubernetes stays out of detection) and Argo's parse ruled it out.
    expect(kindOf('rollout.yaml', text)).toMatch(/^none\(/);
    // Kubernetes reads it, and declines it: an Argo CD Application is no ML workload.
    expect(kindOf('app.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n')).toMatch(/^none\(kubernetes: no ML workload/);
  });

  it('says what a CloudFormation parameter file is', () => {
    const text = '{\n  "Parameters": {\n    "StageName": "prod",\n    "EndpointInstanceCount": "1"\n  }\n}\n';
    expect(kindOf('deploy/prod-config.json', text)).toMatch(/^none\(/);
  });
});

/**
 * Real files from public repositories (see ../shared/corpus/real/SOURCES.md), read where they are
 * and never copied. The corpus sits outside this repository, so these checks run only where it is
 * present (the development workspace); elsewhere they are skipped by this explicit condition.
 */
const CORPUS = new URL('../../../shared/corpus/real/', import.meta.url);
const corpusFiles = (dir: string): string[] => readdirSync(new URL(`${dir}/`, CORPUS)).map((f) => `${dir}/${f}`);

describe.skipIf(!existsSync(CORPUS))('classify: real corpus files', () => {
  const expected: [string, string][] = existsSync(CORPUS)
    ? [
        ...corpusFiles('cloudformation').map((f): [string, string] => [f, f.endsWith('shadow-config.json') ? 'none' : 'cloudformation']),
        ...corpusFiles('sagemaker-pipeline-json').map((f): [string, string] => [f, 'sagemaker-pipeline']),
        ...corpusFiles('kubeflow-v2-ir').map((f): [string, string] => [f, 'kubeflow-pipeline']),
        ...corpusFiles('kubeflow-v1-argo').map((f): [string, string] => [f, 'argo-workflow']),
      ]
    : [];

  it.each(expected)('%s is %s', (file, kind) => {
    const result = kindOf(file, readFileSync(new URL(file, CORPUS), 'utf8'));
    if (kind === 'none') expect(result).toMatch(/^none\(/);
    else expect(result).toBe(kind);
  });
});
