/**
 * Recall of the rule catalogue on the real-file corpus: for each reviewer observation in the
 * corpus's SOURCES.md that the catalogue can find, the table below names the rule expected to
 * report it, and the test asserts that rule fails on that file. The recall figure printed at the
 * end is observations found / all observations that are not marked positive.
 *
 * Each file is reviewed alone, as the only artifact of its repository (tree = the file, context
 * complete): the observations are about the file itself ("no monitoring schedule in the template").
 * The corpus lives outside the project (`../shared/corpus/real` from the repository root, or
 * `ML_LENS_CORPUS`); when it is absent the test says so and skips.
 *
 * Observations knowingly left to human review (20 of 61), and why (numbers as in SOURCES.md):
 * - 1.4: a pipeline run on every push: the trigger lives in the CodePipeline or CodeBuild webhook
 *   that runs the buildspec, usually in another template.
 * - 3.4: only project tags, no environment or cost-centre tags: which tag keys an organisation
 *   requires is its own policy.
 * - 6.3: one shared role for every component. Telling "shared" from "scoped" needs the role's
 *   purpose across resources; the reviewer sees the same !Ref repeated, not that it is too broad.
 * - 9.1-9.3: shadow-config.json is a CloudFormation parameter file, which the reviewer does not
 *   read (no artifact kind: the values mean nothing without the template that takes them).
 * - 11.4: no lint or policy stage before apply: which steps count as a policy check is a judgement.
 * - 13.4: no canary, alarms or rollback in a workflow that deploys with scripts: deployment
 *   strategy lives in the deploy script or the template it applies, not in the workflow.
 * - 16.2: steps without DependsOn and S3 paths that do not line up: data flow between steps needs
 *   comparing values across steps, which the predicate language cannot express.
 * - 18.1: a malformed ARN built by string interpolation: the reviewer does not validate ARNs.
 *   (18.3 is found for its outdated image; its missing build_timeout is not flagged in Terraform,
 *   where the provider default of 60 minutes is reasonable.)
 * - 20.4: no evaluation component in a KFP pipeline: component names vary too much to say that
 *   none of them evaluates (the SageMaker, DVC and MLflow counterparts are found).
 * - 22.3: an end-of-life base image tag (python:alpine3.6): no rule keeps a list of EOL image tags.
 * - 25.5: training data "collected from the internet" with no licence, consent or PII statement:
 *   judging what a prose section leaves out is for a reader.
 * - 27.4: precision against recall without a decision-threshold discussion: a judgement on content.
 * - 29.2: validation loss rising every epoch: the numbers are in a Markdown table, which the
 *   model-card tree keeps as text.
 * - 32.4, 34.1: settings that live in another file (.dvc/config, python_env.yaml), which a review of
 *   that file would check.
 * - 33.2, 33.3: no validation split and no acceptance thresholds in params.yaml: parameter names
 *   are project-specific.
 * - 34.3: parameters substituted into a shell command: safe here (typed float), a judgement.
 * Rows for observations that colleagues' IaC, pipeline and CI rules find are in the table too.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.js';
import { classify } from '../src/formats/index.js';
import type { Document, Evaluation } from '../src/model.js';
import { evaluateDocument, evaluateRepository } from '../src/rules/evaluate.js';
import { loadCatalogue } from '../src/rules/loader.js';

const CORPUS = process.env.ML_LENS_CORPUS
  ? resolve(process.env.ML_LENS_CORPUS)
  : fileURLToPath(new URL('../../shared/corpus/real', import.meta.url));
const present = existsSync(CORPUS) && statSync(CORPUS).isDirectory() && existsSync(join(CORPUS, 'SOURCES.md'));

/** [corpus file (folder/name), observation number in SOURCES.md, rule expected to report it]. */
const EXPECTED: readonly (readonly [string, number, string])[] = [
  // 1. Model build buildspec
  ['buildspec/amazon-sagemaker-secure-mlops__model-build-train__buildspec.yml', 1, 'buildspec-dataset-fixed-key'],
  ['buildspec/amazon-sagemaker-secure-mlops__model-build-train__buildspec.yml', 2, 'buildspec-unpinned-pip'],
  ['buildspec/amazon-sagemaker-secure-mlops__model-build-train__buildspec.yml', 3, 'buildspec-eol-runtime'],
  // 3. Serverless inference buildspec
  ['buildspec/sagemaker-custom-project-templates__serverless-inf__codebuild-buildspec.yml', 1, 'buildspec-unpinned-pip'],
  ['buildspec/sagemaker-custom-project-templates__serverless-inf__codebuild-buildspec.yml', 2, 'buildspec-eol-runtime'],
  ['buildspec/sagemaker-custom-project-templates__serverless-inf__codebuild-buildspec.yml', 3, 'buildspec-tests-before-pipeline'],
  // 4. SageMaker endpoint template
  ['cloudformation/amazon-sagemaker-secure-mlops__cfn-sm-endpoint-template.yaml', 1, 'sagemaker-endpoint-kms'],
  ['cloudformation/amazon-sagemaker-secure-mlops__cfn-sm-endpoint-template.yaml', 2, 'sagemaker-endpoint-data-capture'],
  ['cloudformation/amazon-sagemaker-secure-mlops__cfn-sm-endpoint-template.yaml', 2, 'sagemaker-endpoint-monitoring-schedule'],
  ['cloudformation/amazon-sagemaker-secure-mlops__cfn-sm-endpoint-template.yaml', 3, 'sagemaker-endpoint-autoscaling'],
  ['cloudformation/amazon-sagemaker-secure-mlops__cfn-sm-endpoint-template.yaml', 4, 'sagemaker-model-network-isolation'],
  // 6. Model build project
  ['cloudformation/amazon-sagemaker-secure-mlops__project-model-build-train.yaml', 1, 'codebuild-project-kms'],
  ['cloudformation/amazon-sagemaker-secure-mlops__project-model-build-train.yaml', 1, 'codepipeline-artifact-store-kms'],
  ['cloudformation/amazon-sagemaker-secure-mlops__project-model-build-train.yaml', 2, 'codebuild-project-timeout'],
  ['cloudformation/amazon-sagemaker-secure-mlops__project-model-build-train.yaml', 4, 'codebuild-image-deprecated'],
  // 11. Terraform apply workflow
  ['github-workflow/sn-infra-pipeline__terraform.yml', 1, 'github-workflow-static-aws-keys'],
  ['github-workflow/sn-infra-pipeline__terraform.yml', 1, 'github-workflow-permissions'],
  // 2: one finding for the missing gate, the auto-approve rule's (repository-deploy-approval-gate leaves it).
  ['github-workflow/sn-infra-pipeline__terraform.yml', 2, 'github-workflow-terraform-auto-approve'],
  ['github-workflow/sn-infra-pipeline__terraform.yml', 3, 'github-workflow-actions-pinned-sha'],
  // 13. SageMaker project deploy workflow
  ['github-workflow/sagemaker-custom-project-templates__mlops-github-actions__deploy.yml', 1, 'github-workflow-stub-test-step'],
  ['github-workflow/sagemaker-custom-project-templates__mlops-github-actions__deploy.yml', 3, 'github-workflow-static-aws-keys'],
  ['github-workflow/sagemaker-custom-project-templates__mlops-github-actions__deploy.yml', 3, 'github-workflow-actions-pinned-sha'],
  // 16. SageMaker pipeline definition template
  ['sagemaker-pipeline-json/sn-infra-pipeline__pipeline_dependencies__pipeline-definition.json.tpl', 1, 'sagemaker-pipeline-role-arn'],
  ['sagemaker-pipeline-json/sn-infra-pipeline__pipeline_dependencies__pipeline-definition.json.tpl', 3, 'sagemaker-processing-max-runtime'],
  ['sagemaker-pipeline-json/sn-infra-pipeline__pipeline_dependencies__pipeline-definition.json.tpl', 4, 'sagemaker-pipeline-model-registry'],
  ['sagemaker-pipeline-json/sn-infra-pipeline__pipeline_dependencies__pipeline-definition.json.tpl', 5, 'sagemaker-pipeline-job-kms'],
  ['sagemaker-pipeline-json/sn-infra-pipeline__pipeline_dependencies__pipeline-definition.json.tpl', 5, 'sagemaker-pipeline-job-network-isolation'],
  // 18. CodeBuild project in Terraform
  ['terraform/sagemaker-custom-project-templates__sm-project-tf-github__model-codebuild.tf', 2, 'codebuild-project-kms'],
  ['terraform/sagemaker-custom-project-templates__sm-project-tf-github__model-codebuild.tf', 3, 'codebuild-image-deprecated'],
  // 20. KFP v2 pipeline
  ['kubeflow-v2-ir/kubeflow-pipelines__two_step_pipeline_containerized.yaml', 1, 'kfp-executor-image-pinned'],
  ['kubeflow-v2-ir/kubeflow-pipelines__two_step_pipeline_containerized.yaml', 2, 'kfp-executor-resource-limits'],
  ['kubeflow-v2-ir/kubeflow-pipelines__two_step_pipeline_containerized.yaml', 3, 'kfp-task-retry'],
  // 22. KFP v1 (Argo) workflow; 22.2 is found for its missing CPU/memory limits (the GPU part is a judgement)
  ['kubeflow-v1-argo/kubeflow-pipelines__preemptible_tpu_gpu.yaml', 2, 'kfp-executor-resource-limits'],
  ['kubeflow-v1-argo/kubeflow-pipelines__preemptible_tpu_gpu.yaml', 4, 'argo-workflow-active-deadline'],
  // 25. Whisper model card (no front matter)
  ['model-card-md/whisper__model-card.md', 1, 'model-card-license'],
  ['model-card-md/whisper__model-card.md', 1, 'model-card-dataset-named'],
  ['model-card-md/whisper__model-card.md', 1, 'model-card-machine-readable-results'],
  ['model-card-md/whisper__model-card.md', 2, 'model-card-machine-readable-results'],
  ['model-card-md/whisper__model-card.md', 3, 'model-card-environmental-impact'],
  // 27. AutoNLP card
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 1, 'model-card-license'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 1, 'model-card-language-known'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 1, 'model-card-intended-use'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 1, 'model-card-limitations'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 1, 'model-card-bias-risks'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 2, 'model-card-co2-details'],
  ['model-card-hf/huggingface-models__lidiia__autonlp-trans_class_arg-32957902__README.md', 3, 'model-card-machine-readable-results'],
  // 29. Trainer-generated card
  ['model-card-hf/CS577-NLP__Olwflynn_test-trainer-init_README.md', 1, 'model-card-results-on-training-data'],
  ['model-card-hf/CS577-NLP__Olwflynn_test-trainer-init_README.md', 3, 'model-card-placeholder-text'],
  ['model-card-hf/CS577-NLP__Olwflynn_test-trainer-init_README.md', 3, 'model-card-training-data'],
  ['model-card-hf/CS577-NLP__Olwflynn_test-trainer-init_README.md', 4, 'model-card-base-model'],
  ['model-card-hf/CS577-NLP__Olwflynn_test-trainer-init_README.md', 4, 'model-card-environmental-impact'],
  // 32. DVC pipeline
  ['dvc/example-get-started__dvc.yaml', 1, 'dvc-evaluation-metrics'],
  ['dvc/example-get-started__dvc.yaml', 3, 'dvc-pickle-model'],
  // 34. MLflow project
  ['mlflow-mlproject/mlflow__sklearn_elasticnet_wine__MLproject', 2, 'mlflow-evaluation-entry-point'],
];

// ---------------------------------------------------------------------------------------------
// SOURCES.md: `### N. \`folder/file\`` headings, each followed by `  k. [TAGS] text` observations
// ---------------------------------------------------------------------------------------------

interface Observation {
  entry: number;
  n: number;
  positive: boolean;
  text: string;
}

function readObservations(): Map<string, Observation[]> {
  const byFile = new Map<string, Observation[]>();
  let file: string | undefined;
  let entry = 0;
  for (const line of readFileSync(join(CORPUS, 'SOURCES.md'), 'utf8').split('\n')) {
    const h = /^###\s+(\d+)\.\s+`([^`]+)`/.exec(line);
    if (h) {
      entry = Number(h[1]);
      file = h[2]!;
      byFile.set(file, []);
      continue;
    }
    if (/^#{1,2}\s/.test(line)) file = undefined;
    const o = /^\s+(\d+)\.\s+\[([^\]]*)\]\s*(.*)$/.exec(line);
    if (o && file) byFile.get(file)!.push({ entry, n: Number(o[1]), positive: /positive/i.test(o[2]!), text: o[3]! });
  }
  return byFile;
}

/** A plausible original path for a corpus file (`repo__dir__file`), as test/corpus.test.ts rebuilds it. */
function originalPath(folder: string, file: string): string {
  const base = file.slice(file.lastIndexOf('__') + 2);
  const lower = base.toLowerCase();
  if (folder === 'github-workflow') return `.github/workflows/${base}`;
  if (base.endsWith('MLproject')) return 'MLproject';
  if (lower.endsWith('readme.md')) return 'README.md';
  const card = ['model_card.md', 'model-card.md', 'modelcard.md'].find((n) => lower.endsWith(n));
  return card ?? base;
}

const catalogue = loadCatalogue();
const failures = new Map<string, Evaluation[]>();

/** The failing evaluations of the whole catalogue on one corpus file, reviewed alone. */
function failuresOf(corpusFile: string): Evaluation[] {
  let f = failures.get(corpusFile);
  if (f) return f;
  const [folder, name] = corpusFile.split('/') as [string, string];
  const path = originalPath(folder, name);
  const c = classify(path, readFileSync(join(CORPUS, corpusFile), 'utf8'));
  if (c.type !== 'document') throw new Error(`${corpusFile} as ${path} is not reviewed: ${JSON.stringify(c)}`);
  const doc: Document = c.document;
  f = [
    ...evaluateDocument(catalogue.rules, doc),
    ...evaluateRepository(catalogue.rules, { tree: [path], changed: [doc], contextComplete: true }),
  ].filter((e) => e.outcome === 'fail');
  failures.set(corpusFile, f);
  return f;
}

if (!present) {
  console.warn(`[corpus-recall] ${CORPUS} is absent: the recall test on the real-file corpus is skipped (set ML_LENS_CORPUS to its folder).`);
}

describe('recall on the real-file corpus', () => {
  const observations = present ? readObservations() : new Map<string, Observation[]>();
  const found = new Set<string>();

  beforeAll(async () => {
    await createEngine();
  });

  it.skipIf(!present)(`every row of the table names a non-positive observation of SOURCES.md and a known rule (${CORPUS})`, () => {
    for (const [file, n, rule] of EXPECTED) {
      const obs = observations.get(file)?.find((o) => o.n === n);
      expect(obs, `${file} #${n} is not in SOURCES.md`).toBeDefined();
      expect(obs!.positive, `${file} #${n} is a positive observation`).toBe(false);
      expect(catalogue.byId.has(rule), `${rule} is not in the catalogue`).toBe(true);
    }
  });

  for (const [file, n, rule] of EXPECTED) {
    it.skipIf(!present)(`${file} #${n}: ${rule}`, () => {
      const f = failuresOf(file);
      const mine = f.filter((e) => e.rule.id === rule);
      expect(mine.length, `${rule} does not fail on ${file}; failing rules: ${[...new Set(f.map((e) => e.rule.id))].join(', ')}`).toBeGreaterThan(0);
      found.add(`${file}#${n}`);
    });
  }

  afterAll(() => {
    if (!present) return;
    let total = 0;
    for (const list of observations.values()) total += list.filter((o) => !o.positive).length;
    const pct = total === 0 ? 0 : Math.round((100 * found.size) / total);
    console.log(`[corpus-recall] observations found by the catalogue: ${found.size} of ${total} non-positive observations (${pct}%), ${EXPECTED.length} rule rows`);
  });
});
