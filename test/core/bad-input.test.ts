/**
 * Bad input through the whole review: a malformed file of every kind becomes a `parse-error`
 * finding on that file, at the parser's line, and the rest of the review goes on.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { ChangeSet, Review } from '../../src/model.js';
import { changeSetOf, reviewer, type TestReviewOptions } from '../helpers/engine.js';

/** path, malformed text, expected line of the error. */
const BROKEN: [string, string, number][] = [
  ['infra/main.tf', 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n\nresource "aws_kms_key" "k" {}\n', 1],
  ['infra/main.tf.json', '{"resource": {"aws_s3_bucket": {"b": {"bucket": "x",}}}}', 1],
  ['infra/template.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n   Properties: {}\n', 5],
  ['cdk.out/App.template.json', '{\n  "Resources": {\n    "B": {"Type": "AWS::S3::Bucket"\n  }\n}\n', 5],
  ['pipelines/definition.json', '{\n  "Version": "2020-12-01",\n  "Steps": [\n    {"Name": "Train", "Type": "Training",}\n  ]\n}\n', 4],
  ['statemachine/train.asl.json', '{\n  "StartAt": "Train",\n  "States": {\n    "Train": {"Type": "Task" "End": true}\n  }\n}\n', 4],
  ['pipelines/pipeline.yaml', '# PIPELINE DEFINITION\npipelineInfo:\n  name: p\ndeploymentSpec:\n  executors:\n    exec-a:\n      container: {image: "x"\nroot: {}\n', 8],
  ['workflows/wf.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates:\n  - name: a\n    container: [\n', 6],
  ['k8s/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec: [\n', 5],
  ['.github/workflows/train.yml', 'on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n    - run: echo\n   - run: x\n', 7],
  ['.gitlab-ci.yml', 'train:\n  script:\n    - "unterminated\n', 3],
  ['buildspec.yml', 'version: 0.2\nphases:\n  build:\n    commands:\n      - run-pipeline\n     - x\n', 6],
  ['dvc.yaml', 'stages:\n  train:\n    cmd: python train.py\n    deps: [a, b\n', 4],
  ['MLproject', 'name: p\nentry_points:\n  main:\n    command: "python x.py\n', 4],
  ['model/README.md', '---\nlicense: apache-2.0\ndatasets: [a, b\n---\n# Model card\n', 4],
  ['model_card.json', '{"model_overview": {"model_name": "x"}, "intended_uses": {"purpose_of_model": }}', 1],
];

let review: (changeSet: ChangeSet, options?: TestReviewOptions) => Review;
beforeAll(async () => {
  review = await reviewer();
});

function changeSet(files: [string, string][]): ChangeSet {
  return changeSetOf(
    files.map(([path, head]) => ({ path, status: 'added', head, base: null })),
    { meta: { source: 'dir' } },
  );
}

describe('malformed files of every kind', () => {
  for (const [path, text, line] of BROKEN) {
    it(`${path} becomes a parse-error finding at line ${line}`, () => {
      const good = 'resource "aws_s3_bucket" "ok" {\n  bucket = "ok"\n}\n';
      // Named in paths.include: a cdk.out/ template or a KFP compiler's YAML is otherwise left out by default (src/generated.ts).
      const r = review(changeSet([[path, text], ['infra/ok.tf', good]]), { config: configSchema.parse({ paths: { include: ['**', path] } }) });
      const pe = r.findings.filter((f) => f.rule === 'parse-error');
      expect(pe, JSON.stringify(r.findings.map((f) => [f.rule, f.path]))).toHaveLength(1);
      expect(pe[0]).toMatchObject({ path, startLine: line, status: 'new' });
      expect(pe[0]!.message).toContain(path);
      // The good file was still reviewed.
      expect(r.findings.some((f) => f.path === 'infra/ok.tf')).toBe(true);
      expect(r.stats.parseErrors).toBe(1);
    });
  }

  it('a huge single-line file, NUL bytes and a hostile file name do not crash the review', () => {
    const r = review(
      changeSet([
        ['infra/big.tf', `locals { x = "${'a'.repeat(500_000)}" }\n`],
        ['infra/nul.tf', 'resource "a" "b" {\u0000}\n'],
        ['infra/$(rm -rf ~) `x` <script>.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n'],
      ]),
    );
    expect(r.stats.artifacts).toBe(3);
    expect(r.findings.filter((f) => f.rule === 'parse-error').map((f) => f.path)).toEqual(['infra/nul.tf']);
  });
});
