/**
 * DVC pipelines (`dvc.yaml`, targets = stages addressed `stages.<name>`) and DVC parameter files
 * (`params.yaml`, free-form YAML referenced by dotted keys; no targets).
 */
import type { Document, FormatModule, MapNode, NotAnArtifact, Target } from '../model.js';
import { baseName, entryTarget, guard, isNotArtifact, makeDocument, singleYamlMap } from './common.js';
import { entry, get, keys } from './tree.js';

export const dvc: FormatModule = {
  kind: 'dvc',
  phrase: 'a DVC pipeline',
  address: '`stages.<name>`',
  documentAddress: 'dvc',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  // DVC reads no other name than `dvc.yaml` (not `.yml`), and reads it as its pipeline.
  accepts: (path) => baseName(path) === 'dvc.yaml',
  claims: (path) => baseName(path) === 'dvc.yaml',
  detect(path, text) {
    return baseName(path) === 'dvc.yaml' && text.includes('stages');
  },
  parse(path, text) {
    return guard('dvc', path, () => parseDvc(path, text));
  },
};

function parseDvc(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  if (!entry(root, 'stages')) return { notArtifact: 'no `stages`' };
  const stages = get(root, 'stages');
  // `foreach`/`do` and `matrix` stages stay one target each: their expansion depends on params
  // the reviewer does not resolve, and a rule on `do.cmd` or the template holds for every copy.
  const targets: Target[] = stages?.type === 'map' ? stages.entries.map((e) => entryTarget('stage', `stages.${e.key}`, e)) : [];
  return makeDocument('dvc', path, text, root, targets);
}

export const dvcParams: FormatModule = {
  kind: 'dvc-params',
  phrase: 'a DVC parameters file',
  address: '`params`, the file as a whole',
  documentAddress: 'params',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: isParamsPath,
  // Many tools keep a `params.yaml`; only its content says whether it is DVC's.
  claims: () => false,
  detect(path) {
    return isParamsPath(path);
  },
  parse(path, text) {
    return guard('dvc-params', path, () => parseParams(path, text));
  },
};

function parseParams(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  const other = otherKind(root);
  if (other) return { notArtifact: other };
  return makeDocument('dvc-params', path, text, root, []);
}

/** Top-level keys of a CloudFormation / CodePipeline template configuration file. */
function isParamsPath(path: string): boolean {
  const name = baseName(path);
  return name === 'params.yaml' || name === 'params.yml';
}

const CFN_PARAMETER_FILE_KEYS = new Set(['Parameters', 'Tags', 'StackPolicy']);

/** Top-level keys of a Kustomize transformer configuration (a `params.yaml` of Kubeflow's manifests). */
const KUSTOMIZE_CONFIG_KEYS = new Set(['varReference', 'nameReference', 'namePrefix', 'nameSuffix', 'commonLabels', 'commonAnnotations', 'namespace', 'images', 'replicas', 'fieldSpecs', 'configurations', 'vars']);

/**
 * Names another kind a `params.yaml` map really is. DVC params are free-form, so only shapes that
 * unmistakably belong elsewhere are ruled out; everything else is accepted.
 */
function otherKind(root: MapNode): string | undefined {
  const top = keys(root);
  if (get(root, 'Parameters')?.type === 'map' && top.every((k) => CFN_PARAMETER_FILE_KEYS.has(k))) {
    return 'a CloudFormation parameter file';
  }
  if (entry(root, 'AWSTemplateFormatVersion') || get(root, 'Resources')?.type === 'map') return 'a CloudFormation template';
  if (entry(root, 'apiVersion') && entry(root, 'kind')) return 'a Kubernetes manifest';
  // Kustomize's `varReference` / `nameReference` lists of `{path, kind}` field specs.
  if (top.length > 0 && top.every((k) => KUSTOMIZE_CONFIG_KEYS.has(k)) && (get(root, 'varReference')?.type === 'list' || get(root, 'nameReference')?.type === 'list')) return 'a Kustomize configuration';
  return undefined;
}
