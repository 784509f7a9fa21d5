/**
 * The hostile inputs of the hardening issue, as repositories: what the default branch holds
 * (`base`, with the configuration and custom rules) and what a pull request makes of it (`head`).
 * test/hostile/hostile.test.ts runs each through `scan`, `review` and the App, with a time and a
 * memory bound, and checks what every output says (and that no secret appears in any).
 */
import type { Conclusion } from '../../src/model.js';

export type Files = Record<string, string>;
export type Via = 'scan' | 'review' | 'app';

export interface HostileCase {
  name: string;
  base: Files;
  head: Files;
  expect: {
    /** The gate's conclusion. */
    conclusion: Conclusion;
    /** Paths listed as not reviewed (exactly). */
    notReviewed?: string[];
    /** Rules with a new finding. */
    rules?: string[];
    /** Texts no output may contain (secrets). */
    absent?: string[];
    /** Findings left out by the caps. */
    folded?: boolean;
  };
  /** The paths it is run through; default all three. */
  via?: Via[];
  /** Per-file time budget (ms) for this case; default 10 s. */
  fileTimeoutMs?: number;
  /** Wall-clock bound of one run (ms) and growth of the resident set (MB). */
  bounds?: { ms?: number; mb?: number };
}

const CONFIG = 'gate:\n  fail_on: high\n';

/** A Terraform endpoint configuration without a KMS key: `sagemaker-endpoint-kms` (high) fails. */
export const insecureEndpoint = (name = 'prod') =>
  `resource "aws_sagemaker_endpoint_configuration" "${name}" {\n  name = "${name}"\n  production_variants {\n    variant_name           = "primary"\n    model_name             = "churn"\n    instance_type          = "ml.m5.large"\n    initial_instance_count = 2\n  }\n}\n`;

const card = [
  '---',
  'license: apache-2.0',
  'datasets: [acme/tickets-2025]',
  '---',
  '# Churn model card',
  '',
  '## Intended uses',
  'Scoring churn risk of support customers.',
  '',
  '## Out-of-scope use',
  'Credit decisions.',
  '',
  '## Bias, risks and limitations',
  'Under-serves new customers; evaluated on 2025 tickets only.',
  '',
  '## Training data',
  'Support tickets 2025.',
  '',
  '## Evaluation',
  'AUC 0.91 on the 2025 hold-out.',
  '',
].join('\n');

function cfnWithManyKeys(n: number): string {
  const lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'Metadata:'];
  for (let i = 0; i < n; i++) lines.push(`  key${i}: value`);
  lines.push('Resources:', '  Notebook:', '    Type: AWS::SageMaker::NotebookInstance', '    Properties:', '      InstanceType: ml.t3.medium', '      RoleArn: arn:aws:iam::123456789012:role/nb', '      DirectInternetAccess: Enabled', '');
  return lines.join('\n');
}

function minifiedCfn(n: number): string {
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    resources[`E${i}`] = { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ VariantName: 'a', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] } };
  }
  return JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources });
}

function aliasBomb(): string {
  const lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push('Resources:', '  B:', '    Type: AWS::S3::Bucket', '    Properties: *a9', '');
  return lines.join('\n');
}

function hugeTerraform(): string {
  let tf = insecureEndpoint('slow');
  for (let i = 0; tf.length < 950_000; i++) tf += `resource "aws_s3_bucket" "b${i}" {\n  bucket = "x${i}"\n  tags   = { team = "ml" }\n}\n`;
  return tf;
}

export const GITLAB_TOKEN = 'glpat-Xz3kR8vQ2mN7pL4wT9yB';
export const HF_TOKEN = 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345';
export const AWS_KEY_ID = 'AKIAZ7QW3RT5YU2OP4LK';
export const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY';

const base: Files = { '.github/ml-lens.yml': CONFIG, 'README.md': '# churn\n' };
const cdkOutBase: Files = { ...base, '.github/ml-lens.yml': `${CONFIG}paths:\n  include: ["**", "cdk.out/**"]\n` };

export const CASES: HostileCase[] = [
  {
    name: 'insecure Terraform padded past 1 MB with comments',
    base,
    head: { ...base, 'infra/endpoint.tf': insecureEndpoint() + '# padding\n'.repeat(120_000) },
    expect: { conclusion: 'failure', notReviewed: ['infra/endpoint.tf'] },
  },
  {
    name: 'insecure Terraform with a NUL byte in its first 8 KB',
    base,
    head: { ...base, 'infra/endpoint.tf': `# \0\n${insecureEndpoint()}` },
    expect: { conclusion: 'failure', notReviewed: ['infra/endpoint.tf'] },
  },
  {
    name: 'insecure Terraform with a newline and a bidi override in its name',
    base,
    head: { ...base, 'infra/end\npoint\u202e.tf': insecureEndpoint() },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'], notReviewed: [] },
  },
  {
    name: 'a model card cut down to a stub',
    base: { ...base, 'MODEL_CARD.md': card },
    head: { ...base, 'MODEL_CARD.md': '# Churn model\n\nSee the wiki.\n' },
    expect: { conclusion: 'neutral', rules: ['model-card-limitations', 'model-card-intended-use', 'model-card-training-data'], notReviewed: [] },
  },
  {
    name: 'a YAML mapping of 40,000 keys (quadratic duplicate-key check)',
    base,
    head: { ...base, 'stack.yaml': cfnWithManyKeys(40_000) },
    expect: { conclusion: 'failure', rules: ['sagemaker-notebook-direct-internet'], notReviewed: [] },
  },
  {
    name: 'YAML nested 5,000 levels deep',
    base,
    head: { ...base, 'stack.yaml': `AWSTemplateFormatVersion: "2010-09-09"\nResources: ${'['.repeat(5000)}${']'.repeat(5000)}\n` },
    expect: { conclusion: 'neutral', rules: ['parse-error'], notReviewed: ['stack.yaml'] },
  },
  {
    name: 'Terraform nested 5,000 levels deep',
    base,
    head: { ...base, 'main.tf': `locals {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n` },
    expect: { conclusion: 'failure', rules: ['parse-error'], notReviewed: ['main.tf'] },
  },
  {
    name: 'a YAML alias bomb',
    base,
    head: { ...base, 'stack.yaml': aliasBomb() },
    expect: { conclusion: 'neutral', rules: ['parse-error'], notReviewed: ['stack.yaml'] },
  },
  {
    name: 'a 978 KB minified CloudFormation template with thousands of failing resources',
    // cdk.out/ is left out by default (src/generated.ts): the configuration names it, so it is reviewed.
    base: cdkOutBase,
    head: { ...cdkOutBase, 'cdk.out/Stack.template.json': minifiedCfn(5500) },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'], notReviewed: [], folded: true },
    // Before the caps and bounded suggestions: 4.2 GB for the JSON report, 1.85 GB in the App.
    bounds: { ms: 60_000, mb: 400 },
  },
  {
    name: 'credentials in files (GitLab, Hugging Face, AWS), in findings and in a parse error',
    base,
    head: {
      ...base,
      '.github/workflows/deploy.yml': `on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      GITLAB_TOKEN: ${GITLAB_TOKEN}\n      HF_TOKEN: ${HF_TOKEN}\n      AWS_ACCESS_KEY_ID: ${AWS_KEY_ID}\n      AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}\n    steps:\n      - run: aws s3 ls\n`,
      'stack.yaml': `AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B: [${AWS_KEY_ID} ${HF_TOKEN}\n`,
    },
    expect: { conclusion: 'failure', absent: [GITLAB_TOKEN, HF_TOKEN, AWS_KEY_ID, AWS_SECRET], notReviewed: ['stack.yaml'] },
  },
  {
    name: 'suppression markers inside a string and a heredoc',
    base,
    head: {
      ...base,
      'infra/endpoint.tf': insecureEndpoint().replace(
        '  name = "prod"\n',
        '  name = "prod # ml-lens:ignore sagemaker-endpoint-kms not really"\n  description = <<EOF\n# ml-lens:ignore sagemaker-endpoint-kms also not\nEOF\n',
      ),
    },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'] },
  },
  {
    name: 'a pull request that relaxes its own gate in .github/ml-lens.yml',
    base,
    head: { ...base, '.github/ml-lens.yml': "ignore:\n  - rule: '*'\n    reason: not today\n", 'infra/endpoint.tf': insecureEndpoint() },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'] },
    // `scan` has no base: it reads the working tree's configuration by design.
    via: ['review', 'app'],
  },
  {
    name: 'a backtracking glob in the configuration against a long file name',
    base: { ...base, '.github/ml-lens.yml': `${CONFIG}paths:\n  exclude: ['**/*a*a*a*a*a*a*c']\n` },
    head: { ...base, '.github/ml-lens.yml': `${CONFIG}paths:\n  exclude: ['**/*a*a*a*a*a*a*c']\n`, [`infra/${'a'.repeat(105)}.tf`]: insecureEndpoint() },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'] },
    bounds: { ms: 20_000 },
  },
  {
    name: 'a custom rule with a catastrophic regular expression',
    base: {
      ...base,
      '.github/ml-lens/rules/team.yaml': `- id: team-name
  title: Names are short
  practices: [MLOPS02-BP01]
  pillar: operational-excellence
  phase: deployment
  severity: high
  match:
    - kind: terraform
      resource: aws_sagemaker_endpoint_configuration
      require: { not: { matches: { path: name, pattern: "^(a+)+$" } } }
  message: "{{address}} has a long name"
  remediation: Shorten it.
  examples:
    pass: [{ path: a.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"a\\" {\\n  name = \\"b\\"\\n}\\n" }]
    fail: [{ path: a.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"a\\" {\\n  name = \\"aaa\\"\\n}\\n" }]
`,
    },
    head: { ...base, 'infra/endpoint.tf': insecureEndpoint().replace('name = "prod"', `name = "${'a'.repeat(5000)}!"`) },
    expect: { conclusion: 'failure', rules: ['sagemaker-endpoint-kms'] },
    bounds: { ms: 20_000 },
  },
  {
    name: 'a file that takes longer than the time budget to read',
    base,
    head: { ...base, 'infra/huge.tf': hugeTerraform(), 'infra/ok.tf': insecureEndpoint('ok') },
    expect: { conclusion: 'failure', rules: ['time-budget', 'sagemaker-endpoint-kms'], notReviewed: ['infra/huge.tf'] },
    fileTimeoutMs: 150,
  },
  {
    name: 'SageMaker Python nested 20,000 levels deep',
    base,
    head: { ...base, 'jobs/deep.py': `import boto3\nsm = boto3.client("sagemaker")\nX = ${'['.repeat(20_000)}${']'.repeat(20_000)}\nsm.create_model(ModelName="m", Containers=X)\n` },
    expect: { conclusion: 'neutral', rules: ['parse-error'], notReviewed: ['jobs/deep.py'] },
  },
  {
    name: 'a notebook past 1 MB of outputs',
    base,
    head: {
      ...base,
      'notebooks/train.ipynb': JSON.stringify({
        cells: [{ cell_type: 'code', metadata: {}, source: ['import sagemaker\n'], outputs: [{ output_type: 'stream', name: 'stdout', text: ['x'.repeat(1_200_000)] }] }],
        nbformat: 4,
        nbformat_minor: 5,
      }),
    },
    expect: { conclusion: 'neutral', notReviewed: ['notebooks/train.ipynb'] },
  },
  {
    name: 'training rewritten into SDK code the reviewer does not read yet (AutoML)',
    base,
    head: { ...base, 'pipelines/pipeline.py': 'from sagemaker.automl.automl import AutoML\n\nAutoML(role="r", target_attribute_name="churn").fit("s3://acme-ml/churn.csv")\n' },
    expect: { conclusion: 'neutral', notReviewed: ['pipelines/pipeline.py'] },
  },
];
