/**
 * Redaction of credentials: every family with its exact output, what must stay readable, the
 * properties every output relies on (idempotent, bounded growth, nothing new that Markdown or a
 * terminal would interpret), linear time, and fuzzing with secrets hidden in random text.
 *
 * The fake credentials are assembled at run time (`t(...)`), so that this file does not itself
 * look like a leak to the secret scanners that read the repository.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikeCredential, redact, redactDeep } from '../../src/redact.js';

/** A fake credential, assembled so that the source holds none. */
const t = (...parts: string[]) => parts.join('');

const B36 = 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5';
const B62_32 = 'Zk3q9XvB2mLp7RtY4wNc8HsJ1dFg6KaE';

const AWS_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = t('wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY');
const GHP = t('ghp', '_', B36);
const GHS = t('ghs', '_', B36);
const GITHUB_PAT = t('github', '_pat_', '11ABCDEFG0aBcDeFgHiJkL', '_', 'mNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsTuVwXyZ012345678');
const GLPAT = t('glpat', '-', 'xK9mP2qR7sT4vW8yZ1aB');
const GLDT = t('gldt', '-', 'Qw3rTy7uIo9pAs2dFg5h');
const GLPTT = t('glptt', '-', '0f8e2d4c6b1a3957e8d0c2b4a6f1e3d5c7b9a0f2');
const GITLAB_RUNNER = t('GR1348941', 'aB3dE5fG7hJ9kL1mN3pQ');
const GLPAT_ROUTABLE = t('glpat', '-', 'x9Kq2mVb7TzR4wYp1NcL8sHd3Fg', '.01', 'a2b3c4d');
const HF = t('hf', '_', 'kXqWbTzYvRsPlMnOaBcDeFgHiJkLmNoPqR');
const HF_ORG = t('api', '_org_', 'kXqWbTzYvRsPlMnOaBcDeFgHiJkLmNoPqR');
const SLACK_BOT = t('xoxb', '-', '1234567890123-1234567890123-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7');
const SLACK_HOOK_PATH = t('T024BE7LD', '/B01ABCDEF12/', 'aB3dE5fG7hJ9kL1mN3pQ5rS7');
const STRIPE = t('sk', '_live_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7');
const STRIPE_RESTRICTED = t('rk', '_live_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7');
const STRIPE_TEST = t('sk', '_test_', 'aB3dE5fG7hJ9kL1mN3pQ5rS7');
const GOOGLE = t('AIza', 'SyD-3kX9mP2qR7sT4vW8yZ1aB5cE6gH0jKx');
const OPENAI = t('sk', '-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3');
const OPENAI_PROJECT = t('sk', '-proj-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3_kL5mN7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9mN1pQ3rS5tU7vW9xY1zA3bC5');
const ANTHROPIC = t('sk', '-ant-api03-', 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7zA9bC1dE3fG5hJ7kL9mN1pQ3rS5', 'AA');
const NPM = t('npm', '_', B36);
const PYPI = t('pypi', '-AgEIcHlwaS5vcmc', 'CJDk3ZjQ4YzE2LTY0MjAtNDc1YS05YjJlLTAxMjM0NTY3ODlhYgACJXsicGVybWlzc2lvbnMiOiAidXNlciJ9');
const JWT = t(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const AZURE_KEY = t('Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq', '/K1SZFPTOtr/KBHBeksoGMGw==');
const SAS_SIG = t('k3Jd9%2BqLm0Xr7TnYv2Wc8pZs4Bf6Hu1Ea5Gi3', 'Oj7Ky0%3D');
const PEM_BEGIN = t('-----BEGIN RSA ', 'PRIVATE KEY-----');
const PEM_END = t('-----END RSA ', 'PRIVATE KEY-----');
const PEM_BODY = [
  'MIIEowIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HECdnH',
  'lWu2a1gB9JW5TBQ+AVpum9Okx7KfqkfBKL9mcHgSL0yWMdjMfNOqNtrQqKlN4kE',
  'K1r1/gycfDkUCQRP4DbZHt+458JlFHm8QL6VstKzkrp8mYDRhffY0WJnYJL98tr4',
  'ZcJjRIt8w8g/s4X6MhKasBYm9s3owALzCuJjGzUKcDHiO2DKu1xXAb0SzRcTzUCn==',
].join('\n');

/** Every family, in a sentence, with its exact redaction. */
const FAMILIES: [family: string, text: string, redacted: string][] = [
  ['AWS access key id', `key ${AWS_ID} in main.tf`, 'key AKIA…(20 chars, redacted) in main.tf'],
  ['AWS temporary key id', t('ASIA', 'Y34FZKBOKMUTVV7A'), 'ASIA…(20 chars, redacted)'],
  ['AWS secret key after its key', `aws_secret_access_key = "${AWS_SECRET}"`, 'aws_secret_access_key = "wJal…(40 chars, redacted)"'],
  ['AWS secret key in YAML', `AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}`, 'AWS_SECRET_ACCESS_KEY: wJal…(40 chars, redacted)'],
  ['AWS secret key after an assignment', `credentials=${AWS_SECRET}`, 'credentials=wJal…(40 chars, redacted)'],
  ['GitHub classic token', `token ${GHP} leaked`, 'token ghp_…(40 chars, redacted) leaked'],
  ['GitHub app token', GHS, 'ghs_…(40 chars, redacted)'],
  ['GitHub fine-grained token', GITHUB_PAT, 'github…(93 chars, redacted)'],
  ['GitLab personal token', `GITLAB_TOKEN=${GLPAT}`, 'GITLAB_TOKEN=glpat-…(26 chars, redacted)'],
  ['GitLab routable token', `${GLPAT_ROUTABLE}.`, 'glpat-…(43 chars, redacted).'],
  ['GitLab deploy token', GLDT, 'gldt-…(25 chars, redacted)'],
  ['GitLab trigger token', GLPTT, 'glptt-…(46 chars, redacted)'],
  ['GitLab runner registration token', GITLAB_RUNNER, 'GR1348…(29 chars, redacted)'],
  ['Hugging Face token', `HF_TOKEN=${HF}`, 'HF_TOKEN=hf_…(37 chars, redacted)'],
  ['Hugging Face organisation token', HF_ORG, 'api_or…(42 chars, redacted)'],
  ['Slack bot token', `"${SLACK_BOT}"`, '"xoxb-…(57 chars, redacted)"'],
  ['Slack webhook', `https://hooks.slack.com/services/${SLACK_HOOK_PATH}`, 'https://hooks.slack.com/services/…(46 chars, redacted)'],
  ['Stripe secret key', STRIPE, 'sk_liv…(32 chars, redacted)'],
  ['Stripe restricted key', STRIPE_RESTRICTED, 'rk_liv…(32 chars, redacted)'],
  ['Stripe test key', STRIPE_TEST, 'sk_tes…(32 chars, redacted)'],
  ['Google API key', `key=${GOOGLE}&q=1`, 'key=AIza…(39 chars, redacted)&q=1'],
  ['OpenAI key', OPENAI, 'sk-…(51 chars, redacted)'],
  ['OpenAI project key', OPENAI_PROJECT, 'sk-pro…(120 chars, redacted)'],
  ['Anthropic key', ANTHROPIC, 'sk-ant…(111 chars, redacted)'],
  ['npm token', `//registry.npmjs.org/:_authToken=${NPM}`, '//registry.npmjs.org/:_authToken=npm_…(40 chars, redacted)'],
  ['PyPI token', `password: ${PYPI}`, 'password: pypi-…(105 chars, redacted)'],
  ['JWT', `Authorization: Bearer ${JWT}`, 'Authorization: Bearer eyJ…(155 chars, redacted)'],
  [
    'Azure storage connection string',
    `DefaultEndpointsProtocol=https;AccountName=mlartifacts;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`,
    'DefaultEndpointsProtocol=https;AccountName=mlartifacts;AccountKey=Eby8…(88 chars, redacted);EndpointSuffix=core.windows.net',
  ],
  [
    'Azure SAS token',
    `https://acct.blob.core.windows.net/models?sv=2022-11-02&ss=b&sp=rl&se=2025-01-01T00:00:00Z&sig=${SAS_SIG}`,
    'https://acct.blob.core.windows.net/models?sv=2022-11-02&ss=b&sp=rl&se=2025-01-01T00:00:00Z&sig=k3Jd…(48 chars, redacted)',
  ],
  ['URL password', 'https://deploy:s3cr3tP4ss@git.example.com/org/repo.git', 'https://deploy:…(10 chars, redacted)@git.example.com/org/repo.git'],
  ['database URL password', 'postgres://ml:hunter2@db.internal:5432/features', 'postgres://ml:…(7 chars, redacted)@db.internal:5432/features'],
  ['private key block', `${PEM_BEGIN}\n${PEM_BODY}\n${PEM_END}`, `${PEM_BEGIN}\n…(260 chars, redacted)\n${PEM_END}`],
  ['high-entropy token', `api_key: "${B62_32}"`, 'api_key: "Zk3q…(32 chars, redacted)"'],
  ['hex key of a secret-named variable', t('WANDB_API_KEY=', '3f786850e387550fdab836ed7e6dc881de23001b'), 'WANDB_API_KEY=3f78…(40 chars, redacted)'],
  ['token of a secret-named YAML key', t('SERVICE_TOKEN: ', '9c1b2e7d4a5f60718293a4b5'), 'SERVICE_TOKEN: 9c1b…(24 chars, redacted)'],
  ['password of a secret-named JSON key', t('{"dbPassword": "', 'Sup3rS3cretPassw0rd', '"}'), '{"dbPassword": "Sup3…(19 chars, redacted)"}'],
];

/** Values that are not secrets and must stay as they are. */
const MUST_NOT: [what: string, text: string][] = [
  ['git SHA', 'commit 6eece09a1c31e47489811edd003d1e36910e9fd3'],
  ['git SHA assigned', 'sha = "6eece09a1c31e47489811edd003d1e36910e9fd3"'],
  ['upper-case hex', 'fingerprint: 6EECE09A1C31E47489811EDD003D1E36910E9FD3'],
  ['sha256 digest', 'sha256 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed'],
  ['image digest', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/train@sha256:3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed'],
  ['UUID', 'job 123e4567-e89b-12d3-a456-426614174000 and 123E4567-E89B-12D3-A456-426614174000'],
  ['KMS key ARN', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  ['multi-region KMS key id', 'mrk-1234abcd12ab34cd56ef1234567890ab'],
  ['IAM role ARN', 'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20200101T000001'],
  ['S3 ARN', 'arn:aws:s3:::ml-datasets-prod-eu-west-1/training/2024/*'],
  ['S3 URI', 's3://ml-datasets-prod-eu-west-1/training/2024/01/part-00000-8f3e2d1c-0b5a-4c3e-9f1d-2a7b6c5d4e3f-c000.snappy.parquet'],
  ['ECR image URI', '123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-training:2.1.0-gpu-py310-cu121-ubuntu20.04'],
  ['Terraform address', 'module.training.aws_sagemaker_endpoint_configuration.this["prod"]'],
  ['Terraform resource type', 'aws_s3_bucket_server_side_encryption_configuration.datasets'],
  ['file path', 'infra/modules/sagemaker/endpoint/main.tf'],
  ['file path with capitals and digits', 'src/Models/Llama2/TokenizerConfig2024/config.json'],
  ['notebook path', 'notebooks/01-ExploratoryDataAnalysis2024-Baseline/train.ipynb'],
  ['commit URL', 'https://github.com/Codertocat/Hello-World/commit/4544205a385319fd846d5df4ed2e3b8173529d78'],
  ['advisory URL', 'https://security.snyk.io/vuln/SNYK-JS-MINIMIST-2429795'],
  ['identifier', 'MutationAddProjectV2ItemByIdArgs'],
  ['identifier with digits', 'HuggingFaceTGIContainer2x1Gpu4Cuda121'],
  ['policy name', 'AmazonSageMakerFullAccess2023Policy'],
  ['scikit-learn prose', 'sk-learn-pipeline-2024-baseline-v2'],
  ['subresource integrity', 'sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=='],
  ['Go sum', 'h1:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcgSpIdNs6c5H0NE8='],
  ['angle placeholder', 'kms_key_arn = "<your-kms-key-arn>"'],
  ['Actions secret', 'token: ${{ secrets.HF_TOKEN }}'],
  ['Terraform variable', 'kms_key_id = ${var.kms_key_id}'],
  ['x placeholder', 'api_key = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"'],
  ['changeme', 'password: changeme'],
  ['AWS key id placeholder', 'AKIAXXXXXXXXXXXXXXXX'],
  ['GitHub token placeholder', t('ghp', '_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')],
  ['Hugging Face placeholder', t('hf', '_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')],
  ['documented Slack webhook', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'],
  ['URL with a placeholder password', 'https://user:password@example.com/repo.git'],
  ['URL with a CI variable', 'https://oauth2:${CI_JOB_TOKEN}@gitlab.com/group/repo.git'],
  ['URL with an environment variable', 'https://x-access-token:$GITHUB_TOKEN@github.com/org/repo'],
  ['URL with a user only', 'ssh://git@github.com/org/repo.git and git@github.com:org/repo.git'],
  ['e-mail address', 'maintainers: ml-platform@example.com'],
  ['armour without a key', `found ${PEM_BEGIN} in keys/id_rsa`],
  ['instance type and version', 'ml.p4d.24xlarge running 2.1.0-transformers4.36.0-gpu-py310'],
  ['upper-case constant', 'COMPRESSED_SRGB8_ALPHA8_ASTC_12x10_KHR'],
  ['SHA of a key that is no secret', 'TOKENIZER_REVISION: 6eece09a1c31e47489811edd003d1e36910e9fd3'],
  ['reference to a secret', 'API_KEY_FILE: /run/secrets/api-key-file-2024'],
  ['name of a secret', 'secret_name: ml-platform-secret-2024-prod'],
  ['id of a key', 'kms_key_id: 1234abcd-12ab-34cd-56ef-1234567890ab'],
  ['number after a token-named key', 'token_budget: 1000000000000000000'],
];

describe('redact: every family', () => {
  for (const [family, text, redacted] of FAMILIES) {
    it(family, () => {
      expect(redact(text)).toBe(redacted);
      expect(redact(redacted)).toBe(redacted);
    });
  }

  it('keeps the marker, at most 6 characters and never more than a quarter of the secret', () => {
    const tokens = [AWS_ID, GHP, GITHUB_PAT, GLPAT, GLDT, GLPTT, GITLAB_RUNNER, HF, HF_ORG, SLACK_BOT, STRIPE, GOOGLE, OPENAI, OPENAI_PROJECT, ANTHROPIC, NPM, PYPI, JWT, B62_32];
    for (const token of tokens) {
      const m = /^(.*)…\((\d+) chars, redacted\)$/.exec(redact(token));
      expect(m, token).not.toBeNull();
      const kept = m![1]!;
      expect(token.startsWith(kept)).toBe(true);
      expect(kept.length).toBeLessThanOrEqual(Math.min(6, Math.floor(token.length / 4)));
      expect(Number(m![2])).toBe(token.length);
    }
    // The shortest Stripe key: 24 characters, a quarter is 6, and `sk_live_` is cut to `sk_liv`.
    expect(redact(t('sk', '_live_', 'aB3dE5fG7hJ9kL1m'))).toBe('sk_liv…(24 chars, redacted)');
    // The shortest `sig=` value: 16 characters, 4 kept.
    expect(redact(t('&sig=', 'Ab3dE5fG7hJ9kL1m'))).toBe('&sig=Ab3d…(16 chars, redacted)');
  });

  it('uses the singular for one character', () => {
    expect(redact('https://ci:Z@example.com/')).toBe('https://ci:…(1 char, redacted)@example.com/');
  });

  it('redacts AWS documented example keys too', () => {
    expect(redact(`aws_access_key_id = ${AWS_ID}`)).toBe('aws_access_key_id = AKIA…(20 chars, redacted)');
    expect(looksLikeCredential(AWS_ID)).toBe(true);
    expect(looksLikeCredential(AWS_SECRET)).toBe(true);
  });

  it('redacts a 40-character AWS secret key without context when it looks random', () => {
    const random40 = t('Vq3ZP9xk+Lr2m', 'W7nTb4YcJ8dHs1FgK6eAa0Q/uR5');
    expect(random40).toHaveLength(40);
    expect(redact(`value ${random40} found`)).toBe('value Vq3Z…(40 chars, redacted) found');
  });
});

describe('redact: what stays readable', () => {
  for (const [what, text] of MUST_NOT) {
    it(what, () => {
      expect(redact(text)).toBe(text);
      expect(looksLikeCredential(text)).toBe(false);
    });
  }

  it('returns the same string, not a copy, when nothing is redacted', () => {
    const text = 'aws_sagemaker_endpoint_configuration.serving has no KMS key (kms_key_arn: null)';
    expect(redact(text)).toBe(text);
    expect(redact('')).toBe('');
    expect(redact(undefined as unknown as string)).toBe(undefined);
  });
});

describe('redact: in context', () => {
  it('redacts a token in the middle of a sentence and keeps the sentence', () => {
    const message = `The workflow step "Upload model" passes ${HF} to huggingface-cli on the command line, where it is logged.`;
    expect(redact(message)).toBe(
      'The workflow step "Upload model" passes hf_…(37 chars, redacted) to huggingface-cli on the command line, where it is logged.',
    );
  });

  it('redacts every secret of a string', () => {
    const text = `env: AWS_ACCESS_KEY_ID=${AWS_ID} AWS_SECRET_ACCESS_KEY=${AWS_SECRET} GITLAB=${GLPAT}, HF=${HF}; url https://bot:${B62_32}@gitlab.example.com`;
    expect(redact(text)).toBe(
      'env: AWS_ACCESS_KEY_ID=AKIA…(20 chars, redacted) AWS_SECRET_ACCESS_KEY=wJal…(40 chars, redacted) GITLAB=glpat-…(26 chars, redacted), HF=hf_…(37 chars, redacted); url https://bot:…(32 chars, redacted)@gitlab.example.com',
    );
  });

  it('redacts a private key block across lines and keeps its armour', () => {
    const file = ['ssh:', '  key: |', `    ${PEM_BEGIN}`, ...PEM_BODY.split('\n').map((l) => `    ${l}`), `    ${PEM_END}`, 'next: 1'].join('\n');
    const out = redact(file);
    expect(out).toBe(['ssh:', '  key: |', `    ${PEM_BEGIN}`, `    …(${PEM_BODY.length + 3 * 4} chars, redacted)`, `    ${PEM_END}`, 'next: 1'].join('\n'));
    for (const line of PEM_BODY.split('\n')) expect(out).not.toContain(line.slice(0, 12));
  });

  it('redacts a private key block cut short to the end of the text', () => {
    const cut = `${t('-----BEGIN OPENSSH ', 'PRIVATE KEY-----')}\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB`;
    expect(redact(cut)).toBe(`${t('-----BEGIN OPENSSH ', 'PRIVATE KEY-----')}\n…(84 chars, redacted)`);
  });

  it('redacts a private key inside a JSON string, escaped line breaks and all', () => {
    const json = `{"type": "service_account", "private_key": "${t('-----BEGIN ', 'PRIVATE KEY-----')}\\n${PEM_BODY.replace(/\n/g, '\\n')}\\n${t('-----END ', 'PRIVATE KEY-----')}\\n"}`;
    const out = redact(json);
    expect(out).toBe(
      `{"type": "service_account", "private_key": "${t('-----BEGIN ', 'PRIVATE KEY-----')}\\n…(263 chars, redacted)\\n${t('-----END ', 'PRIVATE KEY-----')}\\n"}`,
    );
  });

  it('reads an escaped line break as a break, not as a letter glued to a key', () => {
    expect(redact(`"keys": "${AWS_ID}\\n${t('ASIA', 'Y34FZKBOKMUTVV7A')}"`)).toBe('"keys": "AKIA…(20 chars, redacted)\\nASIA…(20 chars, redacted)"');
  });

  it('redacts a token that a parse error quotes', () => {
    const error = `Unexpected token at line 3: "  token: ${GLPAT}\\" (expected a mapping)`;
    expect(redact(error)).toBe('Unexpected token at line 3: "  token: glpat-…(26 chars, redacted)\\" (expected a mapping)');
  });

  it('keeps the user of a URL and redacts the password only', () => {
    expect(redact('git clone https://ml-bot:Tr41n1ng-S3cret@gitlab.example.com/ml/models.git')).toBe(
      'git clone https://ml-bot:…(15 chars, redacted)@gitlab.example.com/ml/models.git',
    );
  });

  it('is idempotent on every example', () => {
    for (const [, text] of [...FAMILIES.map(([f, x]) => [f, x] as const), ...MUST_NOT]) {
      const once = redact(text);
      expect(redact(once)).toBe(once);
    }
  });
});

describe('looksLikeCredential', () => {
  it('recognises whole values of every family', () => {
    for (const value of [AWS_ID, GHP, GITHUB_PAT, GLPAT, HF, SLACK_BOT, STRIPE, GOOGLE, OPENAI, NPM, PYPI, JWT, B62_32]) {
      expect(looksLikeCredential(value), value).toBe(true);
    }
  });

  it('reads a whole value as assigned, so a bare AWS secret key counts', () => {
    // No digit: not random enough for the entropy rule, so in running text it needs a key before it.
    const secret = t('wJalrXUtnFEMI', '/KqMDENG/bPxRfiCYEXAMPLEKEY');
    expect(looksLikeCredential(secret)).toBe(true);
    expect(redact(`value ${secret} found`)).toBe(`value ${secret} found`);
    expect(redact(`aws_secret_access_key: ${secret}`)).toBe('aws_secret_access_key: wJal…(40 chars, redacted)');
  });

  it('says no to values that are not credentials', () => {
    for (const value of ['', 'changeme', 'true', '6eece09a1c31e47489811edd003d1e36910e9fd3', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', '${{ secrets.HF_TOKEN }}']) {
      expect(looksLikeCredential(value), value).toBe(false);
    }
  });
});

describe('redactDeep', () => {
  it('returns an untouched value as the same object', () => {
    const finding = {
      rule: 'sagemaker-endpoint-kms',
      message: 'aws_sagemaker_endpoint_configuration.serving has no KMS key',
      location: { path: 'infra/main.tf', line: 12 },
      tags: ['security', 'encryption'],
      score: 0.5,
      fixed: false,
      extra: null,
    };
    expect(redactDeep(finding)).toBe(finding);
    expect(redactDeep(finding.tags)).toBe(finding.tags);
    expect(redactDeep('plain')).toBe('plain');
    expect(redactDeep(42)).toBe(42);
    expect(redactDeep(undefined)).toBe(undefined);
  });

  it('copies only what holds a credential and shares the rest', () => {
    const location = { path: 'infra/main.tf', line: 12 };
    const finding = {
      rule: 'literal-secret',
      message: `token ${GHP} in provider block`,
      location,
      evidence: ['provider "github" {', `  token = "${GHP}"`],
    };
    const out = redactDeep(finding);
    expect(out).not.toBe(finding);
    expect(out).toEqual({
      rule: 'literal-secret',
      message: 'token ghp_…(40 chars, redacted) in provider block',
      location,
      evidence: ['provider "github" {', '  token = "ghp_…(40 chars, redacted)"'],
    });
    expect(out.location).toBe(location);
    expect(finding.message).toContain(GHP);
  });

  it('redacts keys, and a `__proto__` key stays an own property', () => {
    const value = JSON.parse(`{"${HF}": 1, "__proto__": {"x": "${GLPAT}"}}`) as Record<string, unknown>;
    const out = redactDeep(value);
    expect(Object.keys(out)).toEqual(['hf_…(37 chars, redacted)', '__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ x: 'glpat-…(26 chars, redacted)' });
  });

  it('leaves objects that are not plain data alone and survives cycles', () => {
    const date = new Date(0);
    expect(redactDeep(date)).toBe(date);
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    expect(redactDeep(cyclic)).toBe(cyclic);
    const leaky: Record<string, unknown> = { token: GHP };
    leaky.self = leaky;
    const out = redactDeep(leaky);
    expect(out.token).toBe('ghp_…(40 chars, redacted)');
  });
});

describe('cost', () => {
  /** Messages as rules write them: 60 to 200 characters, paths, addresses, ARNs, no secret. */
  const TEMPLATES = [
    '{a} does not default to a customer-managed KMS key ({attr}: {v}): objects get SSE-S3 or the AWS-managed aws/s3 key.',
    '{a} switches off part of S3 Block Public Access ({attr}: {v}).',
    'Training job {a} writes model artifacts to {s3} without encryption.',
    '{a} runs {img} as root; set a non-root user in {path}.',
    'The workflow {path} pins actions/checkout to a tag instead of a commit SHA such as {sha}.',
    'Endpoint {a} has a single instance ({attr}: {v}); one failed host takes the model offline.',
    '{a} grants {arn} access to every key in the account.',
    'Notebook {path} has no kernel metadata; it cannot be rerun as recorded.',
    'Model card {path} does not name the evaluation dataset (job {uuid}).',
    'Pipeline step {a} caches results for {v} days without a version of {s3}.',
  ];
  const FILL: Record<string, string[]> = {
    a: ['aws_sagemaker_endpoint_configuration.serving', 'module.training.aws_s3_bucket.datasets[0]', 'Resources.TrainingJobRole', 'aws_s3_bucket_server_side_encryption_configuration.datasets'],
    attr: ['kms_key_arn', 'server_side_encryption_configuration', 'Properties.KmsKeyId', 'initial_instance_count'],
    v: ['null', '"AES256"', 'false', '1'],
    s3: ['s3://ml-artifacts-prod/models/churn/2024-06-01/model.tar.gz', 's3://datasets/raw/'],
    img: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/train:2.1.0-gpu-py310', 'python:3.11-slim'],
    path: ['infra/modules/sagemaker/main.tf', '.github/workflows/train.yml', 'notebooks/01-ExploratoryDataAnalysis.ipynb'],
    sha: ['b4ffde65f46336ab88eb53be808477a3936bae11'],
    arn: ['arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20200101T000001', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    uuid: ['123e4567-e89b-12d3-a456-426614174000'],
  };
  const typical = Array.from({ length: 10_000 }, (_, i) => {
    const text = TEMPLATES[i % TEMPLATES.length]!.replace(/\{(\w+)\}/g, (_m, k: string) => FILL[k]![(i >> 3) % FILL[k]!.length]!);
    return text.slice(0, 60 + (i % 141));
  });

  it('redacts nothing in typical messages, 10,000 of them in a few milliseconds', () => {
    for (const text of typical) expect(redact(text)).toBe(text);
    let best = Infinity;
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      for (const text of typical) redact(text);
      best = Math.min(best, performance.now() - start);
    }
    // About 5 ms on a busy two-core machine; the bound leaves room for a slow CI runner.
    expect(best).toBeLessThan(100);
  });

  it('takes linear time on adversarial input', () => {
    const size = 200_000;
    const repeat = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const inputs = [
      repeat('A'),
      repeat('eyJ-'),
      repeat('eyJaaaaaaaaaaaaaa.'),
      repeat('glpat-'),
      repeat('-----BEGIN'),
      repeat('-----BEGIN RSA PRIVATE KEY-----\n'),
      t('-----BEGIN RSA ', 'PRIVATE KEY-----\n') + repeat('Ab3+'),
      repeat('x://a:b'),
      repeat('://@'),
      repeat(' '),
      repeat('aws_secret='),
      repeat('ab/'),
      repeat('Ab3dE5fG7hJ9kL1m/'),
      repeat('0123456789abcdefABCDEF+/'),
      repeat('sig=Ab3dE5fG7hJ9kL1m'),
      repeat('AccountKey='),
      repeat('\\n'),
      repeat(`${B62_32} aws_secret_access_key=${AWS_SECRET} `),
      repeat(`${'aws'.repeat(21)}(${AWS_SECRET}) `),
      repeat(`secret${' '.repeat(58)}:${AWS_SECRET}(`),
    ];
    for (const input of inputs) {
      const start = performance.now();
      const out = redact(input);
      const ms = performance.now() - start;
      expect(ms, input.slice(0, 40)).toBeLessThan(500);
      expect(redact(out)).toBe(out);
    }
  });
});

describe('fuzz', () => {
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const URLSAFE = ALNUM + '_-';

  /**
   * `n` characters of `alphabet`. Position i adds 7i, so that fast-check's favourite values (zeros,
   * small numbers) still give a varied string, as a real token is; other values give any string.
   */
  const body = (alphabet: string, n: number) =>
    fc.array(fc.nat(alphabet.length - 1), { minLength: n, maxLength: n }).map((r) => r.map((x, i) => alphabet[(x + 7 * i) % alphabet.length]).join(''));
  const has = (s: string, re: RegExp) => re.test(s);

  /** A secret, and the part of it that must not survive. */
  const SECRETS: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
    fc.tuple(fc.constantFrom('AKIA', 'ASIA', 'AROA', 'AIDA', 'ANPA'), body(B32, 16)).map(([p, b]) => p + b),
    fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), body(ALNUM, 36)).map(([p, b]) => p + b),
    body(ALNUM, 82).map((b) => t('github', '_pat_', b.slice(0, 22), '_', b.slice(22))),
    fc.tuple(fc.constantFrom('glpat-', 'gldt-', 'glrt-'), body(ALNUM, 20)).map(([p, b]) => p + b),
    body(LETTERS, 34)
      .filter((b) => has(b, /[A-Z]/) && has(b, /[a-z]/))
      .map((b) => t('hf', '_', b)),
    fc.tuple(fc.integer({ min: 1e12, max: 9e12 }), fc.integer({ min: 1e12, max: 9e12 }), body(ALNUM, 24)).map(([a, b, c]) => t('xoxb', '-', `${a}-${b}-`, c)),
    fc.tuple(fc.constantFrom('sk_live_', 'rk_live_', 'sk_test_'), body(ALNUM, 24)).map(([p, b]) => p + b),
    body(URLSAFE, 35).map((b) => t('AIza', b)),
    fc.tuple(fc.constantFrom('sk-', 'sk-proj-', 'sk-ant-api03-'), body(ALNUM, 48))
      .filter(([, b]) => has(b, /[A-Z]/) && has(b, /[a-z]/) && has(b, /[0-9]/))
      .map(([p, b]) => p + b),
    body(ALNUM, 36).map((b) => t('npm', '_', b)),
    body(URLSAFE, 60).map((b) => t('pypi', '-AgEIcHlwaS5vcmc', b)),
    fc.tuple(body(URLSAFE, 20), body(URLSAFE, 40), body(URLSAFE, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
    fc.integer({ min: 32, max: 64 }).chain((n) => body(ALNUM, n)).filter(looksLikeCredential),
  ).map((secret) => ({ text: secret, secret }));

  /** Secrets that only their context identifies. */
  const CONTEXTUAL: fc.Arbitrary<{ text: string; secret: string }> = fc.oneof(
    body(ALNUM + '+/', 40)
      .filter((b) => has(b, /[A-Z]/) && has(b, /[a-z]/))
      .map((b) => ({ text: `aws_secret_access_key = ${b}`, secret: b })),
    body(ALNUM + '+/', 86).map((b) => ({ text: `AccountKey=${b}==`, secret: b })),
    body(ALNUM, 12)
      .filter((b) => new Set(b).size > 3)
      .map((b) => ({ text: `https://deploy:${b}@git.example.com/repo.git`, secret: b })),
    fc.array(body(ALNUM + '+/', 64), { minLength: 1, maxLength: 4 }).map((lines) => ({
      text: [t('-----BEGIN ', 'PRIVATE KEY-----'), ...lines, t('-----END ', 'PRIVATE KEY-----')].join('\n'),
      secret: lines.join('\n'),
    })),
  );

  /** Random text, with what the rules treat specially thrown in. */
  const NOISE = ['://', '@', ':', '=', '-----BEGIN ', 'PRIVATE KEY-----', '\n', '…(3 chars, redacted)', 'sha256:', '/', '_', '-', '.', 'AKIA', 'ghp_', 'eyJ', '\\n', '`', '<', '|'];
  const text = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom(...NOISE), body(ALNUM + '+/_-', 20)), { maxLength: 8 }).map((parts) => parts.join(''));
  const SEPARATORS = [' ', '\n', '"', "'", ',', ';', '(', ')', '`', '<', '>', '|', '[', ']', '{', '}', '\t'];
  const sep = fc.constantFrom(...SEPARATORS);

  const markers = (s: string) => s.split(', redacted)').length - 1;
  // Characters a redaction may bring: the ellipsis, the parentheses, the comma, the space, and the
  // letters and digits of "(40 chars, redacted)".
  const ADDED = /^[…(), a-z0-9]$/;

  function properties(input: string): void {
    const out = redact(input);
    expect(redact(out)).toBe(out);
    expect(out.length).toBeLessThanOrEqual(input.length + 18 * markers(out));
    const had = new Set(input);
    for (const ch of new Set(out)) if (!had.has(ch)) expect(ch).toMatch(ADDED);
  }

  it('never throws, is idempotent, grows by at most 18 characters a secret and adds nothing to interpret', () => {
    fc.assert(
      fc.property(text, (input) => properties(input)),
      { numRuns: 1500, seed: 20261128 },
    );
  });

  it('holds the same properties with secrets in the text', () => {
    fc.assert(
      fc.property(text, fc.oneof(SECRETS, CONTEXTUAL), sep, text, (before, s, between, after) => properties(before + between + s.text + between + after)),
      { numRuns: 800, seed: 7 },
    );
  });

  it('never lets a secret through, wherever it sits in random text', () => {
    fc.assert(
      fc.property(text, sep, fc.oneof(SECRETS, CONTEXTUAL), sep, text, (before, left, s, right, after) => {
        fc.pre(!before.includes(s.secret) && !after.includes(s.secret));
        const out = redact(before + left + s.text + right + after);
        expect(out).not.toContain(s.secret);
        expect(looksLikeCredential(s.text)).toBe(true);
      }),
      { numRuns: 1500, seed: 42 },
    );
  });

  it('redactDeep never throws and returns untouched structures as they are', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(json, (value) => {
        const out = redactDeep(value);
        if (JSON.stringify(out) === JSON.stringify(value)) expect(out).toBe(value);
        else expect(redactDeep(out)).toEqual(out);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
