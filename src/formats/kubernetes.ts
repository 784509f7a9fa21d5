/**
 * Kubernetes manifests: YAML whose documents have `apiVersion` + `kind` (multi-document streams,
 * `kind: List` expanded). Targets are one per manifest (type = kind, address `Kind/name`; a
 * manifest without a name is `Kind/#<n>`, n its 1-based position among the file's manifests).
 *
 * The more specific kinds that also carry `apiVersion` + `kind` are left to their modules, and
 * files that are not YAML yet (Helm chart templates with `{{ }}` actions) are not claimed.
 */
import type { Document, FormatModule, Node, NotAnArtifact, Target } from '../model.js';
import { guard, makeDocument, streamRoot, target } from './common.js';
import { hasArgoWorkflowSignature } from './argo.js';
import { dig, get, items, parseYaml, str } from './tree.js';

const KIND = 'kubernetes';
const YAML_PATH = /\.ya?ml$/i;
/** CI files that can never be manifests (GitHub workflows, GitLab CI). */
const CI_PATH = /(?:^|\/)(?:\.github\/workflows\/|\.gitlab-ci\.ya?ml$)/i;
const TOP_API_VERSION = /^["']?apiVersion["']?[ \t]*:/m;
const TOP_KIND = /^["']?kind["']?[ \t]*:/m;
const HELM_DIR = /(?:^|\/)templates\//i;
/** A line that is a Go template action (`{{- if .Values.x }}`), which no YAML parser reads. */
const TEMPLATE_ACTION_LINE = /^[ \t]*\{\{/m;

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
  const targets = manifests.map(manifestTarget);
  return makeDocument(KIND, path, text, streamRoot(docs), targets);
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
  return target(kind, name, `${kind}/${name}`, doc);
}
