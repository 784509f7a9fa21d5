/**
 * Hand-built Review objects for the rendering tests: one passing, one failing with many findings
 * of every kind, one full of hostile repository values. Built by hand (not by running the
 * pipeline) so the golden files change only when rendering changes.
 */
import {
  PILLARS,
  type Catalogue,
  type Finding,
  type NotReviewed,
  type Pillar,
  type PillarScore,
  type Review,
  type Rule,
  type Severity,
} from '../../src/model.js';
import { overallScore } from '../../src/scoring.js';

/** Every pillar weighs the same: the default configuration. */
const EQUAL_WEIGHTS = Object.fromEntries(PILLARS.map((p) => [p, 1])) as Record<Pillar, number>;

export function finding(over: Partial<Finding> & Pick<Finding, 'rule'>): Finding {
  return {
    title: 'A rule title',
    practices: [],
    pillar: 'security',
    phase: 'deployment',
    severity: 'medium',
    status: 'new',
    path: 'infra/main.tf',
    startLine: 1,
    endLine: 1,
    address: 'aws_thing.main',
    attribute: null,
    message: 'Something is missing.',
    remediation: 'Add it.',
    fingerprint: `fp-${over.rule}-${over.path ?? 'infra/main.tf'}-${over.address ?? 'aws_thing.main'}`,
    ...over,
  };
}

export function scores(s: Partial<Record<Pillar, [number | null, number | null]>>): Record<Pillar, PillarScore> {
  const out = {} as Record<Pillar, PillarScore>;
  for (const p of PILLARS) {
    const [base, head] = s[p] ?? [null, null];
    out[p] = { head, base, delta: head !== null && base !== null ? head - base : null };
  }
  return out;
}

/** A review; `notReviewed` and `folded` go into its stats (whatever `stats` the caller gives). */
export function review(over: Partial<Review> & { notReviewed?: NotReviewed[]; folded?: Review['stats']['folded'] } = {}): Review {
  const { notReviewed, folded, ...rest } = over;
  const findings = over.findings ?? [];
  const stats: Review['stats'] = {
    files: 1,
    artifacts: 1,
    byKind: { terraform: 1 },
    parseErrors: 0,
    suppressed: findings.filter((f) => f.status === 'suppressed').length,
    evaluations: 4,
    truncated: 0,
    notReviewed: [],
    folded: { total: 0, byPath: [] },
    ...over.stats,
  };
  if (notReviewed) stats.notReviewed = notReviewed;
  if (folded) stats.folded = folded;
  const pillarScores = over.scores ?? scores({});
  return {
    version: '0.1.0',
    gate: { conclusion: 'success', reasons: ['no new findings to act on'] },
    scores: pillarScores,
    // The overall score of the scores given, as a review computes it with the default weights.
    overall: overallScore(pillarScores, EQUAL_WEIGHTS),
    findings,
    phases: [],
    suppressionProblems: [],
    meta: { source: 'github', base: '1111111111111111111111111111111111111111', head: '2222222222222222222222222222222222222222' },
    ...rest,
    stats,
  };
}

export const fileUrl = (path: string, line: number, endLine?: number): string =>
  `https://github.com/acme/models/blob/2222222222222222222222222222222222222222/${path.split('/').map(encodeURIComponent).join('/')}#L${line}${endLine ? `-L${endLine}` : ''}`;

// ---------------------------------------------------------------------------------------------
// 1. Passing
// ---------------------------------------------------------------------------------------------

export function passingReview(): Review {
  return review({
    gate: { conclusion: 'success', reasons: ['no new findings to act on'] },
    scores: scores({
      'operational-excellence': [90, 100],
      security: [100, 100],
      'cost-optimization': [75, 75],
    }),
    findings: [
      finding({
        rule: 'sagemaker-endpoint-instance-count',
        title: 'Production endpoints run on at least two instances',
        practices: ['MLREL05-BP01'],
        pillar: 'reliability',
        phase: 'deployment',
        severity: 'low',
        status: 'existing',
        path: 'infra/endpoint.tf',
        startLine: 14,
        endLine: 22,
        address: 'aws_sagemaker_endpoint_configuration.scoring',
        attribute: 'production_variants[0].initial_instance_count',
        message: 'aws_sagemaker_endpoint_configuration.scoring runs one instance.',
        remediation: 'Set initial_instance_count to 2 or more for production variants.',
      }),
    ],
    phases: ['model-development', 'deployment'],
    stats: { files: 3, artifacts: 2, byKind: { terraform: 1, 'model-card': 1 }, parseErrors: 0, suppressed: 0, evaluations: 9, truncated: 0, notReviewed: [], folded: { total: 0, byPath: [] } },
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Failing, with many findings across pillars
// ---------------------------------------------------------------------------------------------

export function failingFindings(): Finding[] {
  return [
    finding({
      rule: 'sagemaker-endpoint-kms',
      title: 'Endpoint storage is encrypted with a customer-managed KMS key',
      practices: ['MLSEC02-BP01'],
      pillar: 'security',
      phase: 'deployment',
      severity: 'high',
      path: 'infra/endpoint.tf',
      startLine: 3,
      endLine: 12,
      address: 'aws_sagemaker_endpoint_configuration.scoring',
      attribute: 'kms_key_arn',
      message: 'aws_sagemaker_endpoint_configuration.scoring stores model artefacts on volumes without a customer-managed key.',
      remediation: 'Set kms_key_arn to a KMS key that your team controls.',
      fix: {
        startLine: 3,
        endLine: 3,
        replacement: 'resource "aws_sagemaker_endpoint_configuration" "scoring" {\n  kms_key_arn = aws_kms_key.ml.arn',
        choose: false,
      },
    }),
    finding({
      rule: 'sagemaker-training-vpc',
      title: 'Training jobs run inside a VPC',
      practices: ['MLSEC05-BP01', 'MLSEC05-BP02'],
      pillar: 'security',
      phase: 'model-development',
      severity: 'critical',
      path: 'pipelines/train.json',
      startLine: 40,
      endLine: 71,
      address: 'Steps.TrainModel',
      attribute: 'Arguments.VpcConfig',
      message: 'Training step TrainModel has no VpcConfig: it runs with internet access.',
      remediation: 'Add VpcConfig with private subnets and a security group to the training step.',
    }),
    finding({
      rule: 'sagemaker-network-isolation',
      title: 'Training containers run with network isolation',
      practices: ['MLSEC05-BP03'],
      pillar: 'security',
      phase: 'model-development',
      severity: 'medium',
      path: 'pipelines/train.json',
      startLine: 40,
      endLine: 71,
      address: 'Steps.TrainModel',
      attribute: 'Arguments.EnableNetworkIsolation',
      message: 'Training step TrainModel does not enable network isolation.',
      remediation: 'Set EnableNetworkIsolation to true.',
    }),
    finding({
      rule: 'model-monitor-schedule',
      title: 'Deployed endpoints have a data quality monitoring schedule',
      practices: ['MLOPS07-BP01'],
      pillar: 'operational-excellence',
      phase: 'monitoring',
      severity: 'high',
      path: 'infra/endpoint.tf',
      startLine: 30,
      endLine: 34,
      address: 'aws_sagemaker_endpoint.scoring',
      message: 'No monitoring schedule refers to aws_sagemaker_endpoint.scoring anywhere in the repository.',
      remediation: 'Add an aws_sagemaker_monitoring_schedule for the endpoint.',
    }),
    finding({
      rule: 'model-card-limitations',
      title: 'The model card documents limitations',
      practices: ['MLOPS03-BP02'],
      pillar: 'operational-excellence',
      phase: 'model-development',
      severity: 'low',
      path: 'models/churn/README.md',
      startLine: 1,
      endLine: 48,
      address: 'model-card',
      attribute: 'sections.Limitations',
      message: 'The model card has no Limitations section.',
      remediation: 'Add a "Limitations" section that says where the model should not be used.',
    }),
    finding({
      rule: 'training-spot-instances',
      title: 'Training jobs use managed spot training',
      practices: ['MLCOST04-BP03'],
      pillar: 'cost-optimization',
      phase: 'model-development',
      severity: 'medium',
      path: 'pipelines/train.json',
      startLine: 40,
      endLine: 71,
      address: 'Steps.TrainModel',
      attribute: 'Arguments.EnableManagedSpotTraining',
      message: 'Training step TrainModel does not use managed spot training.',
      remediation: 'Set EnableManagedSpotTraining with a MaxWaitTimeInSeconds.',
    }),
    finding({
      rule: 'endpoint-autoscaling',
      title: 'Endpoints scale with demand',
      practices: ['MLPERF06-BP01'],
      pillar: 'performance-efficiency',
      phase: 'deployment',
      severity: 'medium',
      path: 'infra/endpoint.tf',
      startLine: 30,
      endLine: 34,
      address: 'aws_sagemaker_endpoint.scoring',
      message: 'No autoscaling policy targets aws_sagemaker_endpoint.scoring.',
      remediation: 'Add an aws_appautoscaling_target and policy for the endpoint variant.',
    }),
    finding({
      rule: 'lifecycle-config-idle-shutdown',
      title: 'Notebooks stop when idle',
      practices: ['MLSUS04-BP02'],
      pillar: 'sustainability',
      phase: 'data-processing',
      severity: 'info',
      path: 'infra/notebook.tf',
      startLine: 1,
      endLine: 9,
      address: 'aws_sagemaker_notebook_instance.explore',
      attribute: 'lifecycle_config_name',
      message: 'aws_sagemaker_notebook_instance.explore has no lifecycle configuration to stop it when idle.',
      remediation: 'Attach a lifecycle configuration that stops the instance after an idle period.',
      fix: {
        startLine: 1,
        endLine: 1,
        replacement: 'resource "aws_sagemaker_notebook_instance" "explore" {\n  lifecycle_config_name = <name of a lifecycle configuration>',
        choose: true,
      },
    }),
    finding({
      rule: 'parse-error',
      title: 'The file parses',
      practices: [],
      pillar: 'operational-excellence',
      phase: 'deployment',
      severity: 'medium',
      path: 'pipelines/broken.yaml',
      startLine: 7,
      endLine: 7,
      address: 'kubeflow-pipeline',
      message: 'line 7: bad indentation of a mapping entry',
      remediation: 'Fix the syntax so the file can be reviewed.',
    }),
    // existing
    finding({
      rule: 's3-bucket-versioning',
      title: 'Training data buckets keep object versions',
      practices: ['MLREL03-BP01'],
      pillar: 'reliability',
      phase: 'data-processing',
      severity: 'medium',
      status: 'existing',
      path: 'infra/data.tf',
      startLine: 5,
      endLine: 11,
      address: 'aws_s3_bucket.training_data',
      message: 'aws_s3_bucket.training_data has no versioning configuration.',
      remediation: 'Add an aws_s3_bucket_versioning resource with status Enabled.',
    }),
    finding({
      rule: 's3-bucket-kms',
      title: 'Training data buckets are encrypted with a customer-managed KMS key',
      practices: ['MLSEC03-BP01'],
      pillar: 'security',
      phase: 'data-processing',
      severity: 'high',
      status: 'existing',
      path: 'infra/data.tf',
      startLine: 5,
      endLine: 11,
      address: 'aws_s3_bucket.training_data',
      message: 'aws_s3_bucket.training_data is encrypted with an AWS-managed key only.',
      remediation: 'Add a server-side encryption configuration that uses a customer-managed KMS key.',
    }),
    finding({
      rule: 'training-checkpoints',
      title: 'Long training jobs write checkpoints',
      practices: ['MLREL04-BP02'],
      pillar: 'reliability',
      phase: 'model-development',
      severity: 'low',
      status: 'existing',
      path: 'pipelines/train.json',
      startLine: 40,
      endLine: 71,
      address: 'Steps.TrainModel',
      message: 'Training step TrainModel has no CheckpointConfig.',
      remediation: 'Add CheckpointConfig with an S3 URI.',
    }),
    // suppressed
    finding({
      rule: 'sagemaker-endpoint-data-capture',
      title: 'Endpoints capture inference data',
      practices: ['MLOPS07-BP02'],
      pillar: 'operational-excellence',
      phase: 'monitoring',
      severity: 'high',
      status: 'suppressed',
      path: 'infra/dev/endpoint.tf',
      startLine: 8,
      endLine: 15,
      address: 'aws_sagemaker_endpoint_configuration.dev',
      message: 'aws_sagemaker_endpoint_configuration.dev does not capture inference data.',
      remediation: 'Add a data_capture_config block.',
      suppression: { source: 'config', reason: 'dev endpoints are throw-away', until: '2027-01-31' },
    }),
    finding({
      rule: 'training-spot-instances',
      title: 'Training jobs use managed spot training',
      practices: ['MLCOST04-BP03'],
      pillar: 'cost-optimization',
      phase: 'model-development',
      severity: 'medium',
      status: 'suppressed',
      path: 'pipelines/tune.json',
      startLine: 12,
      endLine: 30,
      address: 'Steps.Tune',
      message: 'Tuning step Tune does not use managed spot training.',
      remediation: 'Set EnableManagedSpotTraining with a MaxWaitTimeInSeconds.',
      suppression: { source: 'inline', reason: 'spot capacity is too scarce for this instance type', line: 11 },
    }),
  ];
}

export function failingReview(): Review {
  const findings = failingFindings();
  return review({
    gate: {
      conclusion: 'failure',
      reasons: [
        "3 new findings at or above the gate's severity: sagemaker-training-vpc (critical) at pipelines/train.json:40; sagemaker-endpoint-kms (high) at infra/endpoint.tf:3; model-monitor-schedule (high) at infra/endpoint.tf:30",
        'security scores 40, below the minimum of 60',
      ],
    },
    scores: scores({
      'operational-excellence': [80, 62],
      security: [71, 40],
      reliability: [67, 67],
      'performance-efficiency': [null, 50],
      'cost-optimization': [100, 70],
      sustainability: [null, null],
    }),
    findings,
    fixed: [
      {
        ...finding({ rule: 'ecr-image-scanning', title: 'Images are scanned for vulnerabilities on push', practices: ['MLSEC07-BP02'], severity: 'medium', path: 'infra/ecr.tf', address: 'aws_ecr_repository.training', startLine: 4, endLine: 9 }),
        status: 'fixed',
      },
      {
        ...finding({ rule: 'sagemaker-endpoint-kms', title: 'Endpoint storage is encrypted with a customer-managed KMS key', practices: ['MLSEC02-BP01'], severity: 'high', path: 'infra/old-endpoint.tf', address: 'aws_sagemaker_endpoint_configuration.legacy', startLine: 1, endLine: 12 }),
        status: 'fixed',
      },
    ],
    phases: ['data-processing', 'model-development', 'deployment', 'monitoring'],
    suppressionProblems: [
      {
        path: 'infra/network.tf',
        line: 4,
        rule: 'sagemaker-endpoint-kms',
        problem: 'expired',
        message: 'ml-lens:ignore sagemaker-endpoint-kms expired on 2025-06-30: waiting for the shared key',
      },
      {
        path: 'pipelines/train.json',
        line: 2,
        rule: null,
        problem: 'unknown-rule',
        message: 'ml-lens:ignore names no rule',
      },
    ],
    notReviewed: [
      { path: 'infra/legacy.tf', reason: 'binary file (a NUL byte in its first 8 KB)', claimedBy: 'terraform' },
      { path: 'models/churn/weights.json', reason: 'larger than 1 MB (3.4 MB)' },
    ],
    folded: { total: 340, byPath: [{ path: 'cdk.out/Stack.template.json', count: 340 }] },
    stats: {
      files: 14,
      artifacts: 9,
      byKind: { terraform: 4, 'sagemaker-pipeline': 3, 'model-card': 1, 'kubeflow-pipeline': 1 },
      parseErrors: 1,
      suppressed: 2,
      evaluations: 61,
      truncated: 0,
      notReviewed: [],
      folded: { total: 0, byPath: [] },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Hostile values
// ---------------------------------------------------------------------------------------------

export const HOSTILE = {
  path: 'infra/`weird`|name @org/team.tf',
  address: 'aws_s3_bucket.@acme/security-team',
  title: '# Injected heading *bold* [click](javascript:alert(1)) @octocat',
  message:
    'Bucket <script>alert("x")</script> named "a|b" ](javascript:alert(1)) cc @org/team and @octocat, see #12\n\n## Not a heading\n<!-- ml-lens:summary --> $x$ ~~gone~~',
  remediation: '<img src=x onerror=alert(1)> Set `kms_key_arn` | then ask @admins',
  reason: 'approved by @security-lead <b>bold</b>',
  ansiPath: 'infra/\u001b[31mred\u001b[0m.tf',
};

export function hostileReview(): Review {
  const findings: Finding[] = [
    finding({
      rule: 'custom-@org/team-rule',
      title: HOSTILE.title,
      practices: ['MLSEC02-BP01', '](javascript:alert(1))'],
      pillar: 'security',
      severity: 'high',
      path: HOSTILE.path,
      startLine: 2,
      endLine: 4,
      address: HOSTILE.address,
      attribute: 'tags.`owner`',
      message: HOSTILE.message,
      remediation: HOSTILE.remediation,
      fingerprint: 'fp--> <!-- injected',
      fix: {
        startLine: 2,
        endLine: 2,
        replacement: 'resource "aws_s3_bucket" "x" {\n  # ```suggestion\n  tags = { owner = "@org/team" }',
        choose: false,
      },
    }),
    finding({
      rule: 'model-card-intended-use',
      title: 'The model card states its intended use',
      practices: ['MLBG01-BP01'],
      pillar: 'operational-excellence',
      phase: 'business-goal',
      severity: 'medium',
      path: 'models/README.md',
      startLine: 10,
      endLine: 10,
      address: 'model-card#<script>Heading</script> | @team',
      message: 'Section "# Intended use @team | <b>x</b>" is empty.',
      remediation: 'Describe the intended use.',
    }),
    finding({
      rule: 'ansi',
      title: 'Terminal escape in a path',
      pillar: 'reliability',
      severity: 'low',
      path: HOSTILE.ansiPath,
      startLine: 1,
      endLine: 1,
      address: 'aws_x.\u001b]8;;http://evil\u0007link\u001b]8;;\u0007',
      message: 'A value with a bell\u0007 and a carriage return\rhere.',
    }),
    finding({
      rule: 'suppressed-hostile',
      title: 'Suppressed with a hostile reason',
      pillar: 'security',
      severity: 'medium',
      status: 'suppressed',
      path: 'infra/a|b.tf',
      startLine: 3,
      endLine: 3,
      address: 'aws_y.z',
      suppression: { source: 'inline', reason: HOSTILE.reason, line: 2, until: '2099-01-01' },
    }),
  ];
  return review({
    gate: { conclusion: 'failure', reasons: ['1 new finding at or above the gate\'s severity: custom-@org/team-rule (high) at infra/`weird`|name @org/team.tf:2 <script>'] },
    scores: scores({ security: [100, 50], 'operational-excellence': [null, 75], reliability: [100, 90] }),
    findings,
    phases: ['business-goal', 'deployment'],
    suppressionProblems: [
      { path: 'infra/`x`.tf', line: 1, rule: '@team', problem: 'no-reason', message: 'ml-lens:ignore @team has no reason <script>' },
    ],
    notReviewed: [
      { path: 'weird|pipe <b>.yaml', reason: 'binary | @someone' },
      { path: 'infra/evil\nname\u202e.tf', reason: 'does not parse (line 1: `x` <img src=x>)', claimedBy: 'terraform' },
    ],
    meta: { source: 'git', base: 'main', head: 'feature/`x`' },
  });
}

// ---------------------------------------------------------------------------------------------
// Many findings (the 65536 cap)
// ---------------------------------------------------------------------------------------------

const SEV: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function hugeReview(n: number): Review {
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const status = i % 7 === 0 ? 'existing' : i % 11 === 0 ? 'suppressed' : 'new';
    findings.push(
      finding({
        rule: `rule-${i % 40}`,
        title: `Generated rule number ${i % 40} with a reasonably long title to take up space`,
        practices: ['MLSEC02-BP01', 'MLOPS07-BP01'],
        pillar: PILLARS[i % 6]!,
        severity: SEV[i % 5]!,
        status,
        path: `infra/module-${i % 97}/very/long/directory/name/for/padding/main.tf`,
        startLine: (i % 500) + 1,
        endLine: (i % 500) + 5,
        address: `aws_sagemaker_endpoint_configuration.generated_resource_${i}`,
        message: `Finding ${i}: `.padEnd(400, 'x'),
        remediation: 'Fix it. '.repeat(30),
        fingerprint: `fp${i}`,
        ...(status === 'suppressed' ? { suppression: { source: 'config' as const, reason: 'generated '.repeat(20) } } : {}),
      }),
    );
  }
  return review({
    gate: { conclusion: 'failure', reasons: ['many findings'] },
    scores: scores({ security: [90, 10], reliability: [50, 40] }),
    findings,
    phases: ['deployment'],
    suppressionProblems: Array.from({ length: 300 }, (_, i) => ({
      path: `infra/p${i}.tf`,
      line: i + 1,
      rule: 'x',
      problem: 'expired' as const,
      message: 'expired '.repeat(20),
    })),
    notReviewed: Array.from({ length: 300 }, (_, i) => ({ path: `data/blob-${i}.json`, reason: 'binary file' })),
  });
}

// ---------------------------------------------------------------------------------------------
// A catalogue for SARIF
// ---------------------------------------------------------------------------------------------

export function catalogueFor(findings: Finding[], extra: Partial<Rule>[] = []): Catalogue {
  const rules: Rule[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (seen.has(f.rule) || f.rule === 'parse-error' || f.rule.startsWith('custom-')) continue;
    seen.add(f.rule);
    rules.push(rule({ id: f.rule, title: f.title, practices: f.practices, pillar: f.pillar, phase: f.phase, severity: f.severity, remediation: f.remediation }));
  }
  for (const e of extra) rules.push(rule(e));
  rules.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { rules, byId: new Map(rules.map((r) => [r.id, r])) };
}

export function rule(over: Partial<Rule>): Rule {
  return {
    id: 'a-rule',
    title: 'A rule',
    practices: [],
    pillar: 'security',
    phase: 'deployment',
    severity: 'medium',
    match: [{ kind: 'terraform', resource: ['aws_thing'], require: { present: 'x' } }],
    message: '{{address}} is missing x.',
    remediation: 'Add x.',
    examples: { pass: [], fail: [] },
    source: 'rules/test.yaml',
    ...over,
  };
}

/**
 * A stack of five buckets failing the same rule (told as one item) and a model failing two related
 * rules (told as one), beside a finding on its own.
 */
export function groupedReview(): Review {
  const bucket = (n: number): Finding =>
    finding({
      rule: 's3-bucket-versioning',
      title: 'Buckets keep object versions',
      practices: ['MLREL05-BP02'],
      pillar: 'reliability',
      severity: 'medium',
      path: 'infra/buckets.tf',
      startLine: n * 12 - 11,
      endLine: n * 12 - 4,
      address: `aws_s3_bucket.b${n}`,
      message: `aws_s3_bucket.b${n} does not keep versions of its objects.`,
      remediation: 'Add an aws_s3_bucket_versioning resource with status Enabled.',
    });
  const model = { path: 'infra/model.tf', address: 'aws_sagemaker_model.churn', startLine: 3, endLine: 14, pillar: 'security' as const, severity: 'medium' as const };
  const findings = [
    ...[1, 2, 3, 4, 5].map(bucket),
    finding({
      ...model,
      rule: 'sagemaker-model-vpc',
      title: 'Model containers run in your VPC or with network isolation',
      practices: ['MLSEC03-BP02', 'MLSEC06-BP01'],
      related: ['sagemaker-model-network-isolation'],
      message: 'aws_sagemaker_model.churn runs its containers in SageMaker’s network with outbound internet access.',
      remediation: 'Give the model a vpc_config with private subnets, or enable network isolation.',
    }),
    finding({
      ...model,
      rule: 'sagemaker-model-network-isolation',
      title: 'Model containers run with network isolation',
      practices: ['MLSEC05-BP01', 'MLSEC03-BP02'],
      related: ['sagemaker-model-vpc'],
      message: 'aws_sagemaker_model.churn lets the model container make outbound network calls.',
      remediation: 'Set enable_network_isolation to true.',
      attribute: 'enable_network_isolation',
    }),
    finding({ rule: 'sagemaker-endpoint-kms', title: 'Endpoint storage is encrypted with a customer-managed KMS key', severity: 'high', path: 'infra/model.tf', address: 'aws_sagemaker_endpoint_configuration.churn', startLine: 20, endLine: 30 }),
  ];
  return review({ gate: { conclusion: 'failure', reasons: ['1 new finding at or above the gate\'s severity: sagemaker-endpoint-kms (high) at infra/model.tf:20'] }, findings, phases: ['deployment'] });
}
