/**
 * The fixed vocabulary of ML Lens Reviewer: the ML Lens pillars and lifecycle phases, the severities
 * of findings with their weights, and the artifact kinds. Re-exported by model.ts, where every
 * module takes its types from.
 */

export const PILLARS = [
  'operational-excellence',
  'security',
  'reliability',
  'performance-efficiency',
  'cost-optimization',
  'sustainability',
] as const;
export type Pillar = (typeof PILLARS)[number];

export const PHASES = [
  'business-goal',
  'problem-framing',
  'data-processing',
  'model-development',
  'deployment',
  'monitoring',
] as const;
export type Phase = (typeof PHASES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Scoring weights of DESIGN §5. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1, info: 0 };

/** Higher is more severe; used to compare against gate thresholds. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export const KINDS = [
  'terraform',
  'cloudformation',
  'kubernetes',
  'kubeflow-pipeline', // KFP v2 IR (YAML) and Vertex AI PipelineJob JSON
  'argo-workflow', // Argo Workflow / WorkflowTemplate, including KFP v1 compiled pipelines
  'sagemaker-pipeline',
  'step-functions',
  'github-workflow',
  'gitlab-ci',
  'buildspec',
  'dvc',
  'dvc-params',
  'mlflow-project',
  'model-card', // Markdown model card (Hugging Face front matter + sections)
  'sagemaker-model-card',
  'mct-model-card', // Google Model Card Toolkit JSON
  'sagemaker-python', // Python and notebooks calling SageMaker: boto3 and the SageMaker Python SDK
  'cdk-python', // AWS CDK apps in Python: L1 constructs as CloudFormation resources
  'cdk-typescript', // AWS CDK apps in TypeScript: the same
  'kfp-vertex-python', // Kubeflow Pipelines DSL and the Vertex AI SDK in Python and notebooks
  'airflow-dag', // Apache Airflow DAGs in Python and dag-factory YAML: DAGs and tasks, and their SageMaker operators
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * The environments a target is deployed to (src/environments.ts decides which): rules may apply to
 * some only (`environments:`), and a target whose environment is not known is production.
 */
export const ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
