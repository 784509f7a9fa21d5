/**
 * Kubeflow Pipelines v2 compiled IR (`PipelineSpec` YAML: `pipelineInfo` + `deploymentSpec` +
 * `root`, optionally followed by a `platforms` document of kfp-kubernetes) and Vertex AI
 * `PipelineJob` JSON (the same IR under `pipelineSpec`, with `runtimeConfig`).
 *
 * Targets: the executors (type `executor`, address `executors.<name>`), the tasks of the root DAG
 * (type `task`, address `tasks.<name>`) and the tasks of sub-DAGs of components such as
 * `dsl.Condition` branches (type `task`, address `components.<component>.tasks.<name>`, so that a
 * name used in two DAGs stays distinct). A task that runs a DAG rather than a container (the
 * group of a `dsl.Condition`, a pipeline used as a component) is of type `dag-task`. Runtime placeholders such as
 * `{{$.inputs.parameters['x']}}` are plain strings: KFP fills them in, the YAML does not.
 *
 * meta: `name` (pipelineInfo.name), `vertex` (a PipelineJob wrapper), `platforms` (a platform
 * document is present).
 */
import type { Document, FormatModule, Node, NotAnArtifact, Target } from '../model.js';
import { entryTarget, guard, makeDocument, parseStructuredStrict, streamRoot } from './common.js';
import { dig, get, str } from './tree.js';

const KIND = 'kubeflow-pipeline';
const YAML_PATH = /\.ya?ml$/i;
const JSON_PATH = /\.json$/i;
/** The compiler writes these keys unquoted at column 0. */
const IR_SIGNATURE = [/^["']?pipelineInfo["']?[ \t]*:/m, /^["']?deploymentSpec["']?[ \t]*:/m, /^["']?root["']?[ \t]*:/m];
const IR_KEYS = ['pipelineInfo', 'deploymentSpec', 'root'];

export interface KubeflowMeta {
  name: string | undefined;
  vertex: boolean;
  platforms: boolean;
}

export const kubeflowPipeline: FormatModule = {
  kind: KIND,
  phrase: 'a Kubeflow pipeline',
  address: '`executors.<name>`, `tasks.<name>` (inside a component: `<component>.tasks.<name>`)',
  documentAddress: 'pipeline',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => YAML_PATH.test(path) || JSON_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    if (YAML_PATH.test(path)) return IR_SIGNATURE.every((r) => r.test(text));
    if (JSON_PATH.test(path)) return text.includes('"pipelineSpec"') || IR_KEYS.every((k) => text.includes(`"${k}"`));
    return false;
  },
  parse(path, text) {
    return guard(KIND, path, () => parsePipeline(path, text));
  },
};

function parsePipeline(path: string, text: string): Document | NotAnArtifact {
  const docs = parseStructuredStrict(text);
  const found = findSpec(docs);
  if (!found) return { notArtifact: 'no pipeline spec (pipelineInfo + deploymentSpec + root), bare or under a PipelineJob `pipelineSpec`' };
  const { spec, vertex } = found;
  const meta: KubeflowMeta = { name: str(dig(spec, 'pipelineInfo', 'name')), vertex, platforms: docs.some((d) => get(d, 'platforms') !== undefined) };
  const targets = [...executorTargets(spec), ...rootTaskTargets(spec), ...componentTaskTargets(spec)];
  return makeDocument(KIND, path, text, streamRoot(docs), targets, { ...meta });
}

function isPipelineSpec(node: Node | undefined): node is Node {
  return IR_KEYS.every((k) => get(node, k)?.type === 'map');
}

function findSpec(docs: Node[]): { spec: Node; vertex: boolean } | undefined {
  for (const d of docs) {
    if (isPipelineSpec(d)) return { spec: d, vertex: false };
    const wrapped = get(d, 'pipelineSpec');
    if (isPipelineSpec(wrapped)) return { spec: wrapped, vertex: true };
  }
  return undefined;
}

function executorTargets(spec: Node): Target[] {
  const executors = dig(spec, 'deploymentSpec', 'executors');
  return executors?.type === 'map' ? executors.entries.map((e) => entryTarget('executor', `executors.${e.key}`, e)) : [];
}

function rootTaskTargets(spec: Node): Target[] {
  return dagTaskTargets(dig(spec, 'root', 'dag', 'tasks'), 'tasks.', dagComponents(spec));
}

/** Tasks of the DAGs components hold (sub-pipelines, Condition / ParallelFor / ExitHandler groups). */
function componentTaskTargets(spec: Node): Target[] {
  const components = get(spec, 'components');
  if (components?.type !== 'map') return [];
  const dags = dagComponents(spec);
  return components.entries.flatMap((c) => dagTaskTargets(dig(c.value, 'dag', 'tasks'), `components.${c.key}.tasks.`, dags));
}

/** Components that are DAGs of tasks (groups, pipelines used as components), not containers. */
function dagComponents(spec: Node): Set<string> {
  const components = get(spec, 'components');
  return new Set(components?.type === 'map' ? components.entries.filter((c) => get(c.value, 'dag') !== undefined).map((c) => c.key) : []);
}

/** A task that runs a DAG (a Condition group, a pipeline used as a component) is a `dag-task`: it runs no container of its own. */
function dagTaskTargets(tasks: Node | undefined, prefix: string, dags: ReadonlySet<string>): Target[] {
  if (tasks?.type !== 'map') return [];
  return tasks.entries.map((e) => entryTarget(dags.has(str(dig(e.value, 'componentRef', 'name')) ?? '') ? 'dag-task' : 'task', prefix + e.key, e));
}
