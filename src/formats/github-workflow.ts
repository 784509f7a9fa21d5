/**
 * GitHub Actions workflows (`.github/workflows/*.yml`). Targets are the jobs, addressed `jobs.<id>`.
 */
import type { Document, FormatModule, NotAnArtifact, Target } from '../model.js';
import { entryTarget, guard, isNotArtifact, makeDocument, singleYamlMap } from './common.js';
import { entry, get } from './tree.js';

const KIND = 'github-workflow';
const WORKFLOW_PATH = /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i;

/**
 * The trigger key. The `yaml` package reads YAML 1.2 (core schema), where `on` is a plain string;
 * a file that declares `%YAML 1.1` gets the boolean `true` instead, whose key text is `true`.
 */
const TRIGGER_KEYS = ['on', 'true'];

export const githubWorkflow: FormatModule = {
  kind: KIND,
  phrase: 'a GitHub workflow',
  address: '`jobs.<id>`',
  documentAddress: 'workflow',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => WORKFLOW_PATH.test(path),
  // GitHub runs every YAML file in this folder as a workflow.
  claims: (path) => WORKFLOW_PATH.test(path),
  detect(path, text) {
    return WORKFLOW_PATH.test(path) && text.includes('jobs');
  },
  parse(path, text) {
    return guard(KIND, path, () => parseWorkflow(path, text));
  },
};

function parseWorkflow(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  if (!TRIGGER_KEYS.some((k) => entry(root, k))) return { notArtifact: 'no `on:` trigger' };
  if (!entry(root, 'jobs')) return { notArtifact: 'no `jobs:`' };
  const jobs = get(root, 'jobs');
  const targets: Target[] = jobs?.type === 'map' ? jobs.entries.map((e) => entryTarget('job', `jobs.${e.key}`, e)) : [];
  return makeDocument(KIND, path, text, root, targets);
}
