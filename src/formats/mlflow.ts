/**
 * MLflow projects: a file named exactly `MLproject` (MLflow looks for no other spelling). Targets are
 * the entry points, addressed `entry_points.<name>`.
 */
import type { Document, FormatModule, NotAnArtifact, Target } from '../model.js';
import { entryTarget, guard, isNotArtifact, makeDocument, singleYamlMap } from './common.js';
import { entry, get } from './tree.js';

const KIND = 'mlflow-project';

/** Case-sensitive on purpose, unlike other names: `mlproject` is not an MLflow project. */
function isProjectPath(path: string): boolean {
  return path === 'MLproject' || path.endsWith('/MLproject');
}

export const mlflowProject: FormatModule = {
  kind: KIND,
  phrase: 'an MLflow project',
  address: '`entry_points.<name>`',
  documentAddress: 'project',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: isProjectPath,
  claims: isProjectPath,
  detect(path) {
    return isProjectPath(path);
  },
  parse(path, text) {
    return guard(KIND, path, () => parseProject(path, text));
  },
};

function parseProject(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  if (!entry(root, 'entry_points') && !entry(root, 'name')) return { notArtifact: 'neither `name` nor `entry_points`' };
  const points = get(root, 'entry_points');
  const targets: Target[] =
    points?.type === 'map' ? points.entries.map((e) => entryTarget('entry_point', `entry_points.${e.key}`, e)) : [];
  return makeDocument(KIND, path, text, root, targets);
}
