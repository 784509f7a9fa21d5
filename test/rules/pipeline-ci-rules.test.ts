/**
 * Edge cases of the pipeline, CI and ML-project rules (rules/pipelines.yaml, ci.yaml,
 * ml-projects.yaml) that their examples cannot show: the examples test demands that pass examples
 * pass for sure, so unknown values (a pipeline `Get`, a template `${placeholder}`, a JSONPath
 * `Key.$`) are exercised here — they must never fail — together with nesting (steps in Condition
 * branches, states in Parallel branches) and the many spellings of workflow triggers and commands.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify } from '../../src/formats/index.js';
import type { Document } from '../../src/model.js';
import { evaluateDocument } from '../../src/rules/evaluate.js';
import { loadCatalogue } from '../../src/rules/loader.js';

const catalogue = loadCatalogue();

beforeAll(async () => {
  await createEngine();
});

function parse(path: string, content: string): Document {
  const c = classify(path, content);
  if (c.type !== 'document') throw new Error(`${path} did not parse: ${JSON.stringify(c)}`);
  return c.document;
}

/** `address outcome` per evaluation of one rule, `?` marking an unknown verdict. */
function run(ruleId: string, path: string, content: string): string[] {
  const rule = catalogue.byId.get(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  return evaluateDocument([rule], parse(path, content)).map((e) => `${e.address} ${e.outcome}${e.uncertain ? '?' : ''}`);
}

const pipeline = (steps: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ Version: '2020-12-01', ...extra, Steps: steps }, null, 2);

const training = (args: Record<string, unknown>, name = 'Train'): Record<string, unknown> => ({
  Name: name,
  Type: 'Training',
  Arguments: {
    AlgorithmSpecification: { TrainingImage: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/train:2.1.0', TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::111122223333:role/sagemaker',
    OutputDataConfig: { S3OutputPath: 's3://acme-ml/models/' },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...args,
  },
});

const register = (name = 'Register'): Record<string, unknown> => ({
  Name: name,
  Type: 'RegisterModel',
  Arguments: { ModelPackageGroupName: 'churn', ModelApprovalStatus: 'PendingManualApproval' },
});

const gate = (ifSteps: unknown[], elseSteps: unknown[] = []): Record<string, unknown> => ({
  Name: 'Gate',
  Type: 'Condition',
  Arguments: { Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: 0.9, RightValue: 0.8 }], IfSteps: ifSteps, ElseSteps: elseSteps },
});

describe('SageMaker pipeline rules', () => {
  const P = 'pipelines/pipeline-definition.json';

  it('never fail on values given by pipeline parameters', () => {
    const get = (p: string) => ({ Get: `Parameters.${p}` });
    expect(run('sagemaker-pipeline-job-network-isolation', P, pipeline([training({ EnableNetworkIsolation: get('Isolate') })]))).toEqual(['Train pass?']);
    expect(run('sagemaker-pipeline-image-pinned', P, pipeline([training({ AlgorithmSpecification: { TrainingImage: get('Image') } })]))).toEqual(['Train pass?']);
    const check = { Name: 'Bias', Type: 'ClarifyCheck', CheckType: 'DATA_BIAS', SkipCheck: get('Skip'), Arguments: {} };
    expect(run('sagemaker-pipeline-check-enforced', P, pipeline([check]))).toEqual(['Bias pass?']);
    // A symbolic instance count: whether the job is distributed is unknown, so it is not evaluated.
    const count = training({ ResourceConfig: { InstanceType: 'ml.g5.12xlarge', InstanceCount: get('Count') } });
    expect(run('sagemaker-pipeline-inter-container-encryption', P, pipeline([count]))).toEqual([]);
  });

  it('never fail on Terraform template placeholders', () => {
    const tpl = `{
  "Version": "2020-12-01",
  "Steps": [{
    "Name": "Train", "Type": "Training",
    "Arguments": {
      "AlgorithmSpecification": {"TrainingImage": "\${training_image}", "TrainingInputMode": "File"},
      "RoleArn": "\${role_arn}",
      "EnableManagedSpotTraining": \${use_spot},
      "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": \${instance_count}}
    }
  }]
}`;
    const path = 'modules/pipeline/pipeline-definition.json.tpl';
    expect(run('sagemaker-pipeline-image-pinned', path, tpl)).toEqual(['Train pass?']);
    expect(run('sagemaker-pipeline-role-arn', path, tpl)).toEqual(['Train pass']);
    expect(run('sagemaker-training-spot-checkpoint', path, tpl)).toEqual([]);
    expect(run('sagemaker-pipeline-inter-container-encryption', path, tpl)).toEqual([]);
  });

  it('tells registration inside a Condition branch from registration outside it', () => {
    const doc = pipeline([gate([register('Gated')]), register('Ungated')]);
    expect(run('sagemaker-pipeline-register-gated', P, doc)).toEqual(['Gated pass', 'Ungated fail']);
  });

  it('finds check steps wherever they sit, and only counts validation-like processing steps', () => {
    const quality = { Name: 'DataQuality', Type: 'QualityCheck', CheckType: 'DATA_QUALITY', Arguments: {} };
    expect(run('sagemaker-pipeline-quality-checks', P, pipeline([gate([quality, register()])]))).toEqual(['Register pass']);
    const validate = { Name: 'ValidateData', Type: 'Processing', Arguments: {} };
    const evaluate = { Name: 'Evaluate', Type: 'Processing', Arguments: {} };
    expect(run('sagemaker-pipeline-quality-checks', P, pipeline([validate, register()]))).toEqual(['Register pass']);
    expect(run('sagemaker-pipeline-quality-checks', P, pipeline([evaluate, register()]))).toEqual(['Register fail']);
  });

  it('asks for a registry only of pipelines that train', () => {
    const features = { Name: 'BuildFeatures', Type: 'Processing', Arguments: {} };
    expect(run('sagemaker-pipeline-model-registry', P, pipeline([features]))).toEqual([]);
    expect(run('sagemaker-pipeline-model-registry', P, pipeline([training({}), gate([register()])]))).toEqual(['pipeline pass']);
    expect(run('sagemaker-pipeline-model-registry', P, pipeline([{ Name: 'TrainModel', Type: 'Processing', Arguments: {} }]))).toEqual(['pipeline fail']);
  });

  it('checks Tuning steps for encryption in every training job definition', () => {
    const def = (kms: boolean) => ({
      ResourceConfig: kms ? { VolumeKmsKeyId: 'alias/ml' } : {},
      OutputDataConfig: kms ? { KmsKeyId: 'alias/ml' } : {},
    });
    const tuning = (defs: unknown[]) => ({ Name: 'Tune', Type: 'Tuning', Arguments: { TrainingJobDefinitions: defs } });
    expect(run('sagemaker-pipeline-job-kms', P, pipeline([tuning([def(true), def(true)])]))).toEqual(['Tune pass']);
    expect(run('sagemaker-pipeline-job-kms', P, pipeline([tuning([def(true), def(false)])]))).toEqual(['Tune fail']);
  });
});

describe('Step Functions rules', () => {
  const S = 'statemachine/train.asl.json';
  const task = (resource: string, extra: Record<string, unknown> = {}) => ({ Type: 'Task', Resource: resource, Parameters: {}, End: true, ...extra });

  it('count a Retry on the enclosing Parallel state, and only SageMaker tasks', () => {
    const machine = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
          Branches: [{ StartAt: 'Inner', States: { Inner: task('arn:aws:states:::sagemaker:createModel') } }],
          Next: 'Outer',
        },
        Outer: task('arn:aws:states:::sagemaker:createEndpoint'),
        Notify: task('arn:aws:states:::sns:publish'),
      },
    };
    expect(run('sfn-sagemaker-task-retry', S, JSON.stringify(machine))).toEqual(['States.Inner pass', 'States.Outer fail']);
  });

  it('accept JSONPath-valued keys as set', () => {
    const machine = {
      StartAt: 'Train',
      States: {
        Train: task('arn:aws:states:::sagemaker:createTrainingJob.sync', {
          Parameters: { 'ResourceConfig.$': '$.resources', OutputDataConfig: { 'KmsKeyId.$': '$.key', S3OutputPath: 's3://x/' } },
        }),
      },
    };
    expect(run('sfn-sagemaker-job-kms', S, JSON.stringify(machine))).toEqual(['States.Train pass']);
  });

  it('do not read a placeholder Resource as a SageMaker task', () => {
    const machine = { StartAt: 'Train', States: { Train: task('${TrainFunctionArn}') } };
    expect(run('sfn-sagemaker-task-retry', S, JSON.stringify(machine))).toEqual([]);
    expect(run('sfn-state-machine-timeout', S, JSON.stringify(machine))).toEqual([]);
  });
});

describe('GitHub workflow rules', () => {
  const W = '.github/workflows/train.yml';
  const workflow = (on: string, run = 'python src/train.py', job = '') => `name: train
on: ${on}
permissions:
  contents: read
jobs:
  train:
    runs-on: ubuntu-latest
    timeout-minutes: 60
${job}    steps:
      - uses: actions/checkout@v4
      - run: ${run}
`;

  it('read every spelling of the trigger', () => {
    const id = 'github-workflow-training-trigger-paths';
    expect(run(id, W, workflow('push'))).toEqual(['jobs.train fail']);
    expect(run(id, W, workflow('[pull_request, workflow_dispatch]'))).toEqual(['jobs.train fail']);
    expect(run(id, W, workflow('[workflow_dispatch, schedule]'))).toEqual(['jobs.train pass']);
    expect(run(id, W, workflow('{push: {branches: [main]}}'))).toEqual(['jobs.train fail']);
    expect(run(id, W, workflow('{push: }'))).toEqual(['jobs.train fail']);
    expect(run(id, W, workflow("{push: {branches: [main], paths: ['src/**']}}"))).toEqual(['jobs.train pass']);
    expect(run(id, W, workflow("{push: {paths-ignore: ['docs/**']}}"))).toEqual(['jobs.train pass']);
    expect(run(id, W, workflow("{push: {tags: ['v*']}}"))).toEqual(['jobs.train pass']);
    // A job condition may restrict the trigger: not evaluated.
    expect(run(id, W, workflow('push', 'python src/train.py', "    if: github.event_name == 'workflow_dispatch'\n"))).toEqual([]);
    // A training step with its own condition may not run on push.
    const stepIf = workflow('push').replace('      - run: python src/train.py', "      - if: github.event_name == 'workflow_dispatch'\n        run: python src/train.py");
    expect(run(id, W, stepIf)).toEqual([]);
    // Not a training job: tests of the training code.
    expect(run(id, W, workflow('push', 'pytest tests/test_train.py'))).toEqual([]);
    expect(run(id, W, workflow('push', 'python tests/test_train.py'))).toEqual([]);
  });

  it('tell pinned from unpinned installs of ML tooling', () => {
    const id = 'github-workflow-unpinned-pip';
    const pip = (cmd: string) => run(id, W, workflow('workflow_dispatch', JSON.stringify(cmd)));
    expect(pip('pip install sagemaker')).toEqual(['jobs.train fail']);
    expect(pip('pip install -U "transformers[torch]"')).toEqual(['jobs.train fail']);
    expect(pip('pip install "awscli>=1.20"')).toEqual(['jobs.train fail']);
    expect(pip('pip install sagemaker==2.232.1 "torch==2.4.1"')).toEqual(['jobs.train pass']);
    expect(pip('pip install "sagemaker>=2.200,<3"')).toEqual(['jobs.train pass']);
    expect(pip('pip install "mlflow~=2.16"')).toEqual(['jobs.train pass']);
    expect(pip('pip install -r requirements.txt')).toEqual(['jobs.train pass']);
    expect(pip('pip install sagemaker-training==4.8.1')).toEqual(['jobs.train pass']);
    expect(pip('python -m pip install --upgrade pip')).toEqual(['jobs.train pass']);
  });

  it('only report literal credentials, not expressions, placeholders or test passwords', () => {
    const id = 'github-workflow-literal-secrets';
    const env = (lines: string) => run(id, W, workflow('workflow_dispatch', 'python evaluate.py', `    env:\n${lines}`));
    expect(env('      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n      TOKENIZERS_PARALLELISM: "false"\n')).toEqual(['workflow pass']);
    expect(env('      DB_PASSWORD: postgres\n      API_KEY_FILE: /run/secrets/api-key-file\n')).toEqual(['workflow pass']);
    expect(env('      OPENAI_API_KEY: your-openai-api-key-here\n')).toEqual(['workflow pass']);
    expect(env('      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n')).toEqual(['workflow pass']);
    expect(env('      TOKEN_BUDGET: 100000000000000\n')).toEqual(['workflow pass']);
    expect(env('      SERVICE_TOKEN: 9c1b2e7d4a5f60718293a4b5\n')).toEqual(['workflow fail']);
    expect(env('      AWS_ACCESS_KEY_ID: AKIA2JXQ7ZK4NBVR5TQW\n')).toEqual(['workflow fail']);
  });
});

describe('GitLab and buildspec rules', () => {
  it('leave images from CI/CD variables alone', () => {
    const ci = 'stages: [train]\ntrain:\n  stage: train\n  image: $CI_REGISTRY_IMAGE/trainer:$CI_COMMIT_SHORT_SHA\n  script: [python train.py]\n';
    expect(run('gitlab-ci-image-pinned', '.gitlab-ci.yml', ci)).toEqual(['jobs.train pass', 'pipeline pass']);
    const untagged = 'train:\n  image: {name: python}\n  script: [python train.py]\n';
    expect(run('gitlab-ci-image-pinned', '.gitlab-ci.yml', untagged)).toEqual(['jobs.train fail', 'pipeline pass']);
  });

  it('read runtime versions as written, and leave the ambiguous 3.1 alone', () => {
    const spec = (v: string) => `version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: ${v}\n  build:\n    commands: [python train.py]\n`;
    expect(run('buildspec-eol-runtime', 'buildspec.yml', spec('"3.9"'))).toEqual(['buildspec fail']);
    expect(run('buildspec-eol-runtime', 'buildspec.yml', spec('"3.10"'))).toEqual(['buildspec pass']);
    expect(run('buildspec-eol-runtime', 'buildspec.yml', spec('3.10'))).toEqual(['buildspec pass']); // YAML reads 3.1
    expect(run('buildspec-eol-runtime', 'buildspec.yml', spec('3.12'))).toEqual(['buildspec pass']);
  });
});

describe('DVC and MLflow rules', () => {
  it('read DVC outputs with options, whose path is the key', () => {
    const dvc = 'stages:\n  train:\n    cmd: python train.py\n    outs:\n      - models/model.pkl:\n          cache: true\n      - metrics.json\n';
    expect(run('dvc-pickle-model', 'dvc.yaml', dvc)).toEqual(['stages.train fail']);
    expect(run('dvc-evaluation-metrics', 'dvc.yaml', dvc)).toEqual(['dvc fail']);
    const data = 'stages:\n  prepare:\n    cmd: python prepare.py\n    outs: [data/prepared]\n';
    expect(run('dvc-evaluation-metrics', 'dvc.yaml', data)).toEqual([]);
  });

  it('accept bare MLflow placeholders of any type, and flag quoted ones only with text parameters', () => {
    const project = (params: string, command: string) => `name: p\npython_env: python_env.yaml\nentry_points:\n  main:\n    parameters:\n${params}    command: ${JSON.stringify(command)}\n`;
    const id = 'mlflow-parameter-injection';
    expect(run(id, 'MLproject', project('      data: path\n', 'python train.py --data {data}'))).toEqual(['entry_points.main pass']);
    expect(run(id, 'MLproject', project('      data: path\n', "python train.py --data '{data}'"))).toEqual(['entry_points.main fail']);
    expect(run(id, 'MLproject', project('      code: {default: "print(1)"}\n', 'python -c {code}'))).toEqual(['entry_points.main fail']);
    // Only numbers: MLflow validates them, the rule does not apply.
    expect(run(id, 'MLproject', project('      alpha: {type: float, default: 0.5}\n', "python train.py '{alpha}'"))).toEqual([]);
  });
});

describe('deployment approval gates', () => {
  const workflow = (steps: string) => `name: w
on:
  push:
    branches: [main]
jobs:
  run:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
${steps}`;

  it('an end-to-end test on a throwaway cluster deploys nowhere real', () => {
    const kind = workflow('      - uses: helm/kind-action@v1\n      - run: kubectl apply -f deploy/isvc.yaml\n');
    expect(run('repository-deploy-approval-gate', '.github/workflows/e2e.yml', kind)).toEqual([]);
    const minikube = workflow('      - run: minikube start --driver=docker\n      - run: helm install churn charts/churn\n');
    expect(run('repository-deploy-approval-gate', '.github/workflows/e2e.yml', minikube)).toEqual([]);
    // Without the local cluster, the same commands deploy somewhere that matters.
    expect(run('repository-deploy-approval-gate', '.github/workflows/rollout.yml', workflow('      - run: kubectl apply -f deploy/isvc.yaml\n'))).toEqual(['workflow fail']);
    // A cloud deployment beside the test still needs its gate.
    expect(run('repository-deploy-approval-gate', '.github/workflows/e2e.yml', workflow('      - uses: helm/kind-action@v1\n      - run: kubectl apply -f deploy/isvc.yaml\n      - run: python deploy.py --stage prod\n'))).toEqual(['workflow fail']);
  });

  it('one finding per missing gate: an auto-approved apply is the terraform rule\'s', () => {
    const text = workflow('      - run: terraform init\n      - run: terraform apply -auto-approve\n      - run: python deploy.py\n');
    expect(run('github-workflow-terraform-auto-approve', '.github/workflows/tf.yml', text)).toEqual(['jobs.run fail']);
    expect(run('repository-deploy-approval-gate', '.github/workflows/tf.yml', text)).toEqual([]);
  });
});
