/**
 * What the reviewer knows it does not read yet: code that defines ML pipelines, training,
 * deployment or infrastructure through an SDK no format module maps (the AWS CDK in JavaScript,
 * Pulumi, the AWS CLI in shell scripts), in source files and notebooks; and SDKs a module does
 * read (FormatModule.code: boto3 and the SageMaker Python SDK, Kubeflow and Vertex AI, Airflow, the
 * CDK in Python and TypeScript) when a file read for one uses another. Such a changed file is
 * listed as not reviewed, with what it uses, so the gate is never a bare success over it
 * (parse-change.ts).
 *
 * Recognition is by the file's own import lines (or CLI calls), read as text and never run: a
 * statement at the start of a line, also inside a notebook's JSON source strings (`"import kfp\n"`).
 * A module that mentions a library only in prose or a string is not taken for a user of it.
 */
import { baseName } from './common.js';

interface UnreadLanguage {
  /** Which paths hold this language. */
  accepts(path: string): boolean;
  /** The SDKs recognised in it: what the file uses, and the line that shows it. */
  sdks: readonly { id: string; uses: string; line: RegExp; also?: RegExp }[];
}

/** A notebook's source lines are JSON strings: an import line may open with a quote. */
const PY = String.raw`^[ \t]*"?[ \t]*`;
export const pyImport = (module: string) => new RegExp(`${PY}(?:from[ \\t]+${module}(?:\\.[\\w.]+)?[ \\t]+import\\b|import[ \\t]+${module}\\b)`, 'm');

export const BOTO3_SAGEMAKER = new RegExp(
  String.raw`\.client\(\s*(?:service_name\s*=\s*)?\\?["']sagemaker\\?["']` +
    String.raw`|\.create_(?:training_job|processing_job|endpoint_config|hyper_parameter_tuning_job|monitoring_schedule|transform_job|model_package|notebook_instance)\(`,
);

export const KFP_IMPORT = pyImport('kfp');
export const VERTEX_IMPORT = new RegExp(`${PY}(?:from[ \\t]+google\\.cloud(?:\\.aiplatform)?[ \\t]+import[ \\t]+aiplatform\\b|(?:from|import)[ \\t]+(?:google\\.cloud\\.aiplatform|vertexai)\\b)`, 'm');

const PYTHON: UnreadLanguage = {
  accepts: (path) => /\.(?:py|ipynb)$/i.test(path),
  sdks: [
    { id: 'sagemaker', uses: 'the SageMaker Python SDK', line: pyImport('sagemaker') },
    // A SageMaker client, or a call only SageMaker's API has (the client may come from elsewhere).
    { id: 'boto3-sagemaker', uses: "boto3's SageMaker client", line: pyImport('boto3'), also: BOTO3_SAGEMAKER },
    { id: 'kfp', uses: 'the Kubeflow Pipelines SDK (kfp)', line: KFP_IMPORT },
    { id: 'vertex', uses: 'the Vertex AI SDK', line: VERTEX_IMPORT },
    { id: 'airflow', uses: 'Apache Airflow', line: pyImport('airflow') },
    { id: 'aws-cdk', uses: 'the AWS CDK', line: pyImport('aws_cdk') },
    { id: 'pulumi', uses: 'Pulumi', line: pyImport('pulumi(?:_aws)?') },
  ],
};

const TYPESCRIPT: UnreadLanguage = {
  accepts: (path) => /\.(?:[cm]?[jt]s)$/i.test(path) && !/\.d\.ts$/i.test(path),
  sdks: [
    { id: 'aws-cdk', uses: 'the AWS CDK', line: /^[ \t]*(?:import\b[^\n;]*\bfrom[ \t]*|(?:const|let|var)\b[^\n;]*=[ \t]*require\([ \t]*)["'](?:aws-cdk-lib|@aws-cdk\/)/m },
    { id: 'pulumi', uses: 'Pulumi', line: /^[ \t]*(?:import\b[^\n;]*\bfrom[ \t]*|(?:const|let|var)\b[^\n;]*=[ \t]*require\([ \t]*)["']@pulumi\//m },
  ],
};

const SHELL: UnreadLanguage = {
  accepts: (path) => /\.(?:sh|bash)$/i.test(path) || baseName(path) === 'makefile',
  sdks: [{ id: 'aws-cli-sagemaker', uses: 'the AWS CLI for SageMaker', line: /^[^#\n]*\baws[ \t]+sagemaker[ \t]+create-/m }],
};

const LANGUAGES: readonly UnreadLanguage[] = [PYTHON, TYPESCRIPT, SHELL];

/** Whether a file at this path could be ML code the reviewer does not read (its text decides). */
export function mayBeUnreadCode(path: string): boolean {
  return LANGUAGES.some((l) => l.accepts(path));
}

/**
 * Why a file is ML or infrastructure code the reviewer did not read, or undefined when it is not.
 * `read`: the SDKs a format module did read in it (FormatModule.code): only the rest is unread.
 * `readable`: the SDKs some module reads in files of their own (every FormatModule.code); one of
 * them in a file read for another SDK is said to be read only on its own, not as never read.
 */
export function unreadCode(path: string, text: string, read: readonly string[] = [], readable: readonly string[] = []): string | undefined {
  for (const language of LANGUAGES) {
    if (!language.accepts(path)) continue;
    const used = language.sdks.filter((s) => !read.includes(s.id) && s.line.test(text) && (!s.also || s.also.test(text)));
    if (used.length === 0) continue;
    const never = used.filter((s) => read.length === 0 || !readable.includes(s.id)).map((s) => s.uses);
    const elsewhere = used.filter((s) => read.length > 0 && readable.includes(s.id)).map((s) => s.uses);
    const parts: string[] = [];
    if (never.length > 0) parts.push(`uses ${joinAnd(never)}, which this reviewer does not read yet`);
    if (elsewhere.length > 0) parts.push(`also uses ${joinAnd(elsewhere)}, which this reviewer reads in files of its own but not beside the SDK this file is read for`);
    return parts.join('; ');
  }
  return undefined;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
