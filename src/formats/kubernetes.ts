/**
 * Kubernetes manifests: YAML whose documents have `apiVersion` + `kind` (multi-document streams,
 * `kind: List` expanded). Targets are one per manifest (type = kind, address `Kind/name`; a
 * manifest without a name is `Kind/#<n>`, n its 1-based position among the file's manifests).
 *
 * The more specific kinds that also carry `apiVersion` + `kind` are left to their modules, and
 * files that are not YAML yet (Helm chart templates with `{{ }}` actions) are not claimed.
 *
 * Only files that run ML are artifacts: a manifest of an ML workload kind (KServe, Kubeflow
 * Training Operator and Trainer, KubeRay, Seldon), or a plain workload (Deployment, StatefulSet,
 * Job, CronJob, Pod) whose containers request accelerators (`nvidia.com/gpu`, ...). Any other file
 * of manifests (a ConfigMap, a web service) is not reviewed rather than counted as reviewed with
 * nothing to check; every manifest of an ML file stays a target.
 */
import type { Document, FormatModule, Node, NotAnArtifact, Target } from '../model.js';
import { guard, makeDocument, streamRoot, target } from './common.js';
import { hasArgoWorkflowSignature } from './argo.js';
import { dig, entry, get, items, keys, parseYaml, str } from './tree.js';

const KIND = 'kubernetes';
const YAML_PATH = /\.ya?ml$/i;
/** CI files that can never be manifests (GitHub workflows, GitLab CI). */
const CI_PATH = /(?:^|\/)(?:\.github\/workflows\/|\.gitlab-ci\.ya?ml$)/i;
const TOP_API_VERSION = /^["']?apiVersion["']?[ \t]*:/m;
const TOP_KIND = /^["']?kind["']?[ \t]*:/m;
const HELM_DIR = /(?:^|\/)templates\//i;
/** A line that is a Go template action (`{{- if .Values.x }}`), which no YAML parser reads. */
const TEMPLATE_ACTION_LINE = /^[ \t]*\{\{/m;

/** ML workload kinds, each with the API groups that define it (`serving.kserve.io/v1beta1` -> `serving.kserve.io`). */
const ML_KINDS: Record<string, readonly string[]> = {
  InferenceService: ['serving.kserve.io', 'serving.kubeflow.org'],
  PyTorchJob: ['kubeflow.org'],
  TFJob: ['kubeflow.org'],
  MPIJob: ['kubeflow.org'],
  XGBoostJob: ['kubeflow.org'],
  PaddleJob: ['kubeflow.org'],
  TrainJob: ['trainer.kubeflow.org', 'kubeflow.org'],
  RayCluster: ['ray.io'],
  RayJob: ['ray.io'],
  RayService: ['ray.io'],
  SeldonDeployment: ['machinelearning.seldon.io'],
};
const ML_WORKLOADS = 'KServe, Kubeflow training, KubeRay or Seldon';
/** Plain workloads that are ML when their containers request accelerators. */
const PLAIN_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'Pod']);
/** Extended resources of accelerators (device plugins' resource names); kept in step with rules/kubernetes-ml.yaml. */
const ACCELERATOR = /^(?:nvidia\.com\/(?:gpu|mig-.+)|amd\.com\/gpu|gpu\.intel\.com\/.+|aws\.amazon\.com\/neuron(?:core|device)?|google\.com\/tpu|habana\.ai\/gaudi)$/;
/** Deep enough for a CronJob's containers (spec.jobTemplate.spec.template.spec.containers). */
const MAX_SPEC_DEPTH = 8;

export const kubernetes: FormatModule = {
  kind: KIND,
  phrase: 'a Kubernetes manifest',
  address: '`<kind>/<metadata.name>` (`Deployment/scorer`)',
  documentAddress: 'manifest',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => YAML_PATH.test(path) && !CI_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    if (!YAML_PATH.test(path) || CI_PATH.test(path)) return false;
    if (!TOP_API_VERSION.test(text) || !TOP_KIND.test(text)) return false;
    return !isGoTemplate(path, text) && !hasArgoWorkflowSignature(text) && !text.includes('AWSTemplateFormatVersion');
  },
  parse(path, text) {
    return guard(KIND, path, () => parseManifests(path, text));
  },
};

function isGoTemplate(path: string, text: string): boolean {
  return text.includes('{{') && (HELM_DIR.test(path) || TEMPLATE_ACTION_LINE.test(text));
}

function parseManifests(path: string, text: string): Document | NotAnArtifact {
  const docs = parseYaml(text);
  const manifests = docs.flatMap(expandList).filter(isManifest);
  if (manifests.length === 0) return { notArtifact: 'no document with `apiVersion` and `kind`' };
  if (!manifests.some(isMlWorkload)) return { notArtifact: `no ML workload (${ML_WORKLOADS}, or a workload that requests GPUs)` };
  const targets = manifests.map(manifestTarget);
  return makeDocument(KIND, path, text, streamRoot(docs), targets);
}

function isMlWorkload(doc: Node): boolean {
  const kind = str(get(doc, 'kind'))!;
  const groups = Object.hasOwn(ML_KINDS, kind) ? ML_KINDS[kind] : undefined;
  if (groups) return groups.includes(str(get(doc, 'apiVersion'))!.split('/')[0]!);
  return PLAIN_WORKLOADS.has(kind) && requestsAccelerator(get(doc, 'spec'), 0);
}

/** Whether a container under `node` (a pod spec, or a spec that holds a pod template) requests an accelerator. */
function requestsAccelerator(node: Node | undefined, depth: number): boolean {
  if (node?.type !== 'map' || depth > MAX_SPEC_DEPTH) return false;
  for (const c of items(get(node, 'containers'))) {
    const resources = get(c, 'resources');
    if ([...keys(get(resources, 'limits')), ...keys(get(resources, 'requests'))].some((k) => ACCELERATOR.test(k))) return true;
  }
  return node.entries.some((e) => e.value.type === 'map' && requestsAccelerator(e.value, depth + 1));
}

function isManifest(doc: Node): boolean {
  return str(get(doc, 'apiVersion')) !== undefined && str(get(doc, 'kind')) !== undefined;
}

/** `kind: List` (what `kubectl get -o yaml` writes) holds its manifests under `items`. */
function expandList(doc: Node): Node[] {
  const kind = str(get(doc, 'kind'));
  return kind !== undefined && kind.endsWith('List') && get(doc, 'items')?.type === 'list' ? items(get(doc, 'items')) : [doc];
}

function manifestTarget(doc: Node, index: number): Target {
  const kind = str(get(doc, 'kind'))!;
  const name = str(dig(doc, 'metadata', 'name')) ?? str(dig(doc, 'metadata', 'generateName')) ?? `#${index + 1}`;
  const t = target(kind, name, `${kind}/${name}`, doc);
  const anchors = specAnchors(doc);
  if (anchors) t.anchors = anchors;
  return t;
}

/**
 * Where a setting missing under `spec` is reported: on the `spec:` line, or on the line of the
 * `spec.<key>` map it belongs in (`runPolicy:`), rather than on the manifest's `apiVersion` line.
 */
function specAnchors(doc: Node): Record<string, number> | undefined {
  const spec = entry(doc, 'spec');
  if (!spec) return undefined;
  const anchors: Record<string, number> = { spec: spec.keyLine };
  if (spec.value.type !== 'map') return anchors;
  for (const e of spec.value.entries) {
    if (e.value.type === 'map') anchors[`spec.${e.key}`] = e.keyLine;
    // A list of maps (Seldon's predictors): a setting an item lacks is reported on the item.
    else if (e.value.type === 'list') {
      anchors[`spec.${e.key}`] = e.keyLine;
      e.value.items.forEach((item, i) => {
        if (item.type === 'map') anchors[`spec.${e.key}[${i}]`] = item.startLine;
      });
    }
  }
  return anchors;
}
