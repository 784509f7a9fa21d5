/**
 * Environments: which environment a target is in (its names, the configuration), and rules that
 * apply in some environments only, which meet no target of the others.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, validateConfig } from '../../src/config/load.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { detectEnvironment, environmentInText, environmentResolver } from '../../src/environments.js';
import type { Catalogue, ChangeSet, Document, Review, Rule } from '../../src/model.js';
import { parseRuleFile, pipelineRules, RuleLoadError } from '../../src/rules/loader.js';
import { evaluateRepository } from '../../src/rules/evaluate.js';
import { changeSetOf, reviewer, type TestReviewOptions } from '../helpers/engine.js';

describe('the environment of a name', () => {
  it.each([
    ['envs/dev/main.tf', 'development'],
    ['infra/development/endpoint.tf', 'development'],
    ['terraform/dev.tfvars', 'development'],
    ['accounts/sandbox/main.tf', 'development'],
    ['infra/sbx/main.tf', 'development'],
    ['envs/qa/main.tf', 'test'],
    ['e2e/endpoint.yaml', 'test'],
    ['ci/stack.yaml', 'test'],
    ['config-staging.yaml', 'staging'],
    ['deploy/uat/main.tf', 'staging'],
    ['deploy/stg/main.tf', 'staging'],
    ['envs/pre-prod/main.tf', 'staging'],
    ['envs/preprod/main.tf', 'staging'],
    ['params/prod.json', 'production'],
    ['envs/prod1/main.tf', 'production'],
    ['live/endpoint.tf', 'production'],
    ['churn-endpoint-dev', 'development'],
    ['churn_endpoint_dev', 'development'],
    ['DevStack', 'development'],
    ['ChurnEndpointDev', 'development'],
    ['QAStack', 'test'],
    ['E2ETestStack', 'test'],
    ['ChurnStagingConfig', 'staging'],
    ['PRODEndpoint', 'production'],
  ] as const)('%s is %s', (text, environment) => {
    expect(environmentInText(text)).toBe(environment);
  });

  it.each([
    'iot/device/endpoint.tf',
    'devops/main.tf',
    'DevOpsStack',
    'DevSecOpsPipeline',
    'protest/main.tf',
    'contest.tf',
    'models/latest/endpoint.tf',
    'developer-tools/main.tf',
    'staged/main.tf',
    '.gitlab-ci.yml',
    'ci-cd/main.tf',
    'non-prod/main.tf',
    'infra/main.tf',
    'ContestEndpoint',
  ])('%s names no environment', (text) => {
    expect(environmentInText(text)).toBeUndefined();
  });

  it('takes the word nearest the end of a path: the file over its folders, an inner folder over an outer one', () => {
    expect(environmentInText('envs/prod/dev.tfvars')).toBe('development');
    expect(environmentInText('dev/prod/main.tf')).toBe('production');
  });

  it("takes the target's name over its path, and holds a target nothing places to production", () => {
    expect(detectEnvironment('envs/prod/main.tf', 'churn_dev')).toBe('development');
    expect(detectEnvironment('envs/dev/main.tf', 'churn')).toBe('development');
    expect(detectEnvironment('infra/main.tf', 'churn')).toBe('production');
    expect(detectEnvironment('iot/device/main.tf', 'latest')).toBe('production');
  });
});

describe('the environments of the configuration', () => {
  it('decide before the names, the last matching entry winning', () => {
    const environmentOf = environmentResolver([
      { environment: 'production', paths: ['**'], names: [] },
      { environment: 'development', paths: ['scratch/**'], names: ['*_sandbox'] },
    ]);
    // The first entry turns the detection off: envs/dev is what the configuration says.
    expect(environmentOf('envs/dev/main.tf', 'churn')).toBe('production');
    expect(environmentOf('scratch/main.tf', 'churn')).toBe('development');
    expect(environmentOf('infra/main.tf', 'churn_sandbox')).toBe('development');
  });

  it('leave the detection to what no entry matches', () => {
    const environmentOf = environmentResolver([{ environment: 'staging', paths: ['rehearsal/**'], names: [] }]);
    expect(environmentOf('rehearsal/main.tf', 'churn_dev')).toBe('staging');
    expect(environmentOf('envs/dev/main.tf', 'churn')).toBe('development');
    expect(environmentOf('infra/main.tf', 'churn')).toBe('production');
  });

  it('are validated: a known environment, and paths or names', () => {
    const config = parseConfig('environments:\n  - environment: test\n    names: ["*-it"]\n');
    expect(config.environments).toEqual([{ environment: 'test', paths: [], names: ['*-it'] }]);
    expect(() => validateConfig({ environments: [{ environment: 'dev', paths: ['envs/dev/**'] }] })).toThrow(ConfigError);
    expect(() => validateConfig({ environments: [{ environment: 'development' }] })).toThrow(/paths or names/);
    expect(() => validateConfig({ environments: [{ environment: 'development', paths: ['@(a|b)/**'] }] })).toThrow(ConfigError);
  });
});

const RULES = `
- id: test-endpoint-two-instances
  title: Endpoint variants run on two instances
  practices: [MLREL05-BP01]
  pillar: reliability
  phase: deployment
  severity: medium
  environments: [production]
  match:
    - kind: terraform
      resource: aws_sagemaker_endpoint_configuration
      require: { each: { path: production_variants, require: { greater_than: { path: initial_instance_count, value: 1 } } } }
  message: "{{address}} runs one instance"
  remediation: Run two.
  examples:
    pass: [{ path: main.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"e\\" {\\n  production_variants {\\n    initial_instance_count = 2\\n  }\\n}\\n" }]
    fail: [{ path: main.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"e\\" {\\n  production_variants {\\n    initial_instance_count = 1\\n  }\\n}\\n" }]
- id: test-endpoint-kms
  title: Endpoint storage has a KMS key
  practices: [MLSEC02-BP01]
  pillar: security
  phase: deployment
  severity: high
  match:
    - kind: terraform
      resource: aws_sagemaker_endpoint_configuration
      require: { present: kms_key_arn }
  message: "{{address}} has no KMS key"
  remediation: Set kms_key_arn.
  examples:
    pass: [{ path: main.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"e\\" {\\n  kms_key_arn = \\"k\\"\\n}\\n" }]
    fail: [{ path: main.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"e\\" {\\n}\\n" }]
`;

/** One endpoint configuration on one instance, without a KMS key. */
function endpoint(label: string): string {
  return `resource "aws_sagemaker_endpoint_configuration" "${label}" {
  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
`;
}

const added = (path: string, label = 'churn'): ChangeSet => changeSetOf([{ path, status: 'added', base: null, head: endpoint(label) }]);

describe('a rule scoped to environments', () => {
  let review: (changeSet: ChangeSet, options?: TestReviewOptions) => Review;
  let catalogue: Catalogue;
  beforeAll(async () => {
    review = await reviewer();
    const rules = [...pipelineRules(), ...parseRuleFile('test-rules.yaml', RULES)];
    catalogue = { rules, byId: new Map(rules.map((r) => [r.id, r])) };
  });
  const rulesOf = (r: Review) => r.findings.map((f) => f.rule).sort();

  it('is not evaluated on a development endpoint: no finding, not scored; unscoped rules still are', () => {
    const r = review(added('envs/dev/main.tf'), { catalogue });
    expect(rulesOf(r)).toEqual(['test-endpoint-kms']);
    expect(r.scores.reliability.head).toBeNull();
    expect(r.stats.evaluations).toBe(1);
  });

  it('fails on a production endpoint and on one in a path that names no environment', () => {
    expect(rulesOf(review(added('envs/prod/main.tf'), { catalogue }))).toEqual(['test-endpoint-kms', 'test-endpoint-two-instances']);
    const unnamed = review(added('infra/main.tf'), { catalogue });
    expect(rulesOf(unnamed)).toEqual(['test-endpoint-kms', 'test-endpoint-two-instances']);
    expect(unnamed.scores.reliability.head).toBe(0);
  });

  it("reads the target's name: churn_dev in infra/ is a development endpoint", () => {
    expect(rulesOf(review(added('infra/main.tf', 'churn_dev'), { catalogue }))).toEqual(['test-endpoint-kms']);
  });

  it('follows the configuration over the names', () => {
    const config: Config = { ...defaultConfig(), environments: [{ environment: 'production', paths: ['envs/dev/**'], names: [] }] };
    expect(rulesOf(review(added('envs/dev/main.tf'), { catalogue, config }))).toEqual(['test-endpoint-kms', 'test-endpoint-two-instances']);
    const sandbox: Config = { ...defaultConfig(), environments: [{ environment: 'development', paths: [], names: ['churn'] }] };
    expect(rulesOf(review(added('envs/prod/main.tf'), { catalogue, config: sandbox }))).toEqual(['test-endpoint-kms']);
  });

  it('holds the repository as a whole to production', () => {
    const doc: Document = { kind: 'terraform', path: 'envs/dev/main.tf', root: { type: 'map', entries: [], startLine: 1, endLine: 1 }, targets: [], lines: 1 };
    const repositoryRule = (environments: NonNullable<Rule['environments']>): Rule => ({
      ...catalogue.byId.get('test-endpoint-kms')!,
      id: 'test-codeowners',
      match: [{ kind: 'repository', require: { tree_has: 'CODEOWNERS' } }],
      environments,
    });
    const input = { tree: ['envs/dev/main.tf'], changed: [doc], contextComplete: true };
    expect(evaluateRepository([repositoryRule(['production'])], input).map((e) => e.outcome)).toEqual(['fail']);
    expect(evaluateRepository([repositoryRule(['development'])], input)).toEqual([]);
  });
});

describe('environments in rules', () => {
  it('must be known environments', () => {
    const text = RULES.replace('environments: [production]', 'environments: [prodution]');
    let problems: string[] = [];
    try {
      parseRuleFile('rules/x.yaml', text);
    } catch (e) {
      if (e instanceof RuleLoadError) problems = e.problems;
    }
    expect(problems).toEqual(['rules/x.yaml: rule test-endpoint-two-instances: environments[0]: expected one of development, test, staging, production, got "prodution"']);
  });

  it('are copied onto the rule, once each', () => {
    const [rule] = parseRuleFile('rules/x.yaml', RULES.replace('environments: [production]', 'environments: [staging, production, staging]'));
    expect(rule!.environments).toEqual(['staging', 'production']);
  });

  it('keep the shipped rules on a development endpoint to what applies everywhere', async () => {
    const review = await reviewer();
    const ids = (path: string) => review(added(path)).findings.map((f) => f.rule);
    const dev = ids('envs/dev/main.tf');
    const prod = ids('envs/prod/main.tf');
    // Two instances and data capture are production standards; a KMS key is not negotiable.
    expect(prod).toEqual(expect.arrayContaining(['sagemaker-endpoint-multi-instance', 'sagemaker-endpoint-data-capture', 'sagemaker-endpoint-kms']));
    expect(dev).toContain('sagemaker-endpoint-kms');
    expect(dev).not.toContain('sagemaker-endpoint-multi-instance');
    expect(dev).not.toContain('sagemaker-endpoint-data-capture');
  });

  it('never scope a security rule of the catalogue', async () => {
    const catalogue = (await import('../../src/rules/loader.js')).loadCatalogue();
    expect(catalogue.rules.filter((r) => r.pillar === 'security' && r.environments).map((r) => r.id)).toEqual([]);
  });
});
