/**
 * Argo Workflows: `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate` and `CronWorkflow`
 * (`apiVersion: argoproj.io/...`), including Kubeflow Pipelines v1 compiled pipelines.
 *
 * Targets: each workflow (type = its kind, address `Workflow/<metadata.name or generateName>`)
 * and each of its templates (`spec.templates[]`, for a CronWorkflow `spec.workflowSpec.templates[]`;
 * type `template`, address `templates.<name>`). Other documents of the stream (a ConfigMap beside
 * the workflow) are kept in `root` but give no target.
 *
 * meta: `kfp`, whether a workflow or template carries a `pipelines.kubeflow.org/` annotation or
 * label (a KFP v1 pipeline rather than a hand-written workflow).
 */
import type { Document, FormatModule, Node, NotAnArtifact, Target } from '../model.js';
import { guard, makeDocument, parseStructuredStrict, streamRoot, target } from './common.js';
import { dig, get, items, keys, str } from './tree.js';

const KIND = 'argo-workflow';
const ARGO_PATH = /\.(?:ya?ml|json)$/i;
const API_SIGNATURE = /["']?apiVersion["']?[ \t]*:[ \t]*["']?argoproj\.io\//;
const KIND_SIGNATURE = /["']?kind["']?[ \t]*:[ \t]*["']?(?:Workflow|WorkflowTemplate|ClusterWorkflowTemplate|CronWorkflow)\b/;
const WORKFLOW_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']);
const KFP_PREFIX = 'pipelines.kubeflow.org/';

export interface ArgoMeta {
  kfp: boolean;
}

/** The content signature of an Argo workflow, also used by the Kubernetes module to leave these files alone. */
export function hasArgoWorkflowSignature(text: string): boolean {
  return API_SIGNATURE.test(text) && KIND_SIGNATURE.test(text);
}

export const argoWorkflow: FormatModule = {
  kind: KIND,
  phrase: 'an Argo workflow',
  address: '`Workflow/<name>` for the workflow, `templates.<name>` for a template',
  documentAddress: 'workflow',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => ARGO_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    return ARGO_PATH.test(path) && hasArgoWorkflowSignature(text);
  },
  parse(path, text) {
    return guard(KIND, path, () => parseWorkflows(path, text));
  },
};

function parseWorkflows(path: string, text: string): Document | NotAnArtifact {
  const docs = parseStructuredStrict(text);
  const workflows = docs.filter(isWorkflow);
  if (workflows.length === 0) return { notArtifact: 'no argoproj.io Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow document' };
  const targets = workflows.flatMap(workflowTargets);
  const meta: ArgoMeta = { kfp: workflows.some((w) => isKfp(w) || templates(w).some(isKfp)) };
  return makeDocument(KIND, path, text, streamRoot(docs), targets, { ...meta });
}

function isWorkflow(doc: Node): boolean {
  const api = str(get(doc, 'apiVersion'));
  const kind = str(get(doc, 'kind'));
  return api !== undefined && api.startsWith('argoproj.io/') && kind !== undefined && WORKFLOW_KINDS.has(kind);
}

function workflowName(doc: Node): string {
  return str(dig(doc, 'metadata', 'name')) ?? str(dig(doc, 'metadata', 'generateName')) ?? '';
}

/** A CronWorkflow wraps its workflow spec in `spec.workflowSpec`. */
function templates(doc: Node): Node[] {
  return items(dig(doc, 'spec', 'templates') ?? dig(doc, 'spec', 'workflowSpec', 'templates'));
}

function workflowTargets(doc: Node): Target[] {
  const name = workflowName(doc);
  const out: Target[] = [target(str(get(doc, 'kind'))!, name, `Workflow/${name}`, doc)];
  for (const t of templates(doc)) {
    const tname = str(get(t, 'name'));
    if (tname !== undefined) out.push(target('template', tname, `templates.${tname}`, t));
  }
  return out;
}

function isKfp(node: Node): boolean {
  const labelled = (k: string) => keys(dig(node, 'metadata', k)).some((key) => key.startsWith(KFP_PREFIX));
  return labelled('annotations') || labelled('labels');
}
