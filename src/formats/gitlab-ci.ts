/**
 * GitLab CI pipelines (`.gitlab-ci.yml`, `*.gitlab-ci.yml`). Jobs are the top-level keys that are
 * neither global keywords nor hidden (`.template`) keys; targets are addressed `jobs.<name>`.
 */
import type { Document, FormatModule, MapNode, Node, NotAnArtifact, Target } from '../model.js';
import { entryTarget, guard, makeDocument } from './common.js';
import { entry, parseYaml } from './tree.js';

const KIND = 'gitlab-ci';
const GITLAB_PATH = /\.gitlab-ci\.ya?ml$/i;

/**
 * Top-level keywords that configure the pipeline rather than name a job (GitLab CI YAML reference).
 * `pages` is absent on purpose: it is a job with a special meaning, not a global keyword. `types`
 * is the removed predecessor of `stages`.
 */
export const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
  'spec',
]);

export const gitlabCi: FormatModule = {
  kind: KIND,
  phrase: 'a GitLab CI pipeline',
  address: '`jobs.<name>`',
  documentAddress: 'pipeline',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => GITLAB_PATH.test(path),
  claims: (path) => GITLAB_PATH.test(path),
  detect(path) {
    // The path alone is specific enough: any YAML content there is meant as a pipeline.
    return GITLAB_PATH.test(path);
  },
  parse(path, text) {
    return guard(KIND, path, () => parsePipeline(path, text));
  },
};

function parsePipeline(path: string, text: string): Document | NotAnArtifact {
  const docs = parseYaml(text);
  if (docs.length === 0) return { notArtifact: 'empty file' };
  const pipeline = pipelineDocument(docs);
  if (!pipeline) return { notArtifact: 'not one pipeline mapping' };
  const root: Node = docs.length === 1 ? docs[0]! : { type: 'list', items: docs, startLine: 1, endLine: Math.max(1, docs[docs.length - 1]!.endLine) };
  return makeDocument(KIND, path, text, root, jobs(pipeline));
}

/**
 * The pipeline mapping. A CI/CD component or a file with `spec: inputs:` puts a header document
 * before a `---` and the pipeline after it; any other stream must be one document.
 */
function pipelineDocument(docs: Node[]): MapNode | undefined {
  const [first, second] = docs;
  if (docs.length === 1 && first?.type === 'map') return first;
  if (docs.length === 2 && entry(first, 'spec') && second?.type === 'map') return second;
  return undefined;
}

function jobs(pipeline: MapNode): Target[] {
  return pipeline.entries
    .filter((e) => !GLOBAL_KEYWORDS.has(e.key) && !e.key.startsWith('.') && e.value.type === 'map')
    .map((e) => entryTarget('job', `jobs.${e.key}`, e));
}
