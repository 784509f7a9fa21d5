/**
 * AWS CodeBuild buildspecs (`buildspec.yml`, `codebuild-buildspec.yml`, `buildspec-test.yaml` ...).
 * Rules look at the document as a whole (`env`, `phases`, `artifacts`), so there are no targets.
 */
import type { Document, FormatModule, NotAnArtifact } from '../model.js';
import { baseName, guard, isNotArtifact, makeDocument, singleYamlMap } from './common.js';
import { entry } from './tree.js';

const KIND = 'buildspec';
const BUILDSPEC_NAME = /buildspec[^/]*\.ya?ml$/;

export const buildspec: FormatModule = {
  kind: KIND,
  phrase: 'a CodeBuild buildspec',
  address: '`buildspec`, the file as a whole',
  documentAddress: 'buildspec',
  comments: 'yaml',
  holds: () => false,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => BUILDSPEC_NAME.test(baseName(path)),
  // CodeBuild reads the file by this name: whatever it holds is meant as a build specification.
  claims: (path) => BUILDSPEC_NAME.test(baseName(path)),
  detect(path, text) {
    return BUILDSPEC_NAME.test(baseName(path)) && text.includes('phases');
  },
  parse(path, text) {
    return guard(KIND, path, () => parseBuildspec(path, text));
  },
};

function parseBuildspec(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  if (!entry(root, 'version') || !entry(root, 'phases')) return { notArtifact: 'no `version` and `phases`' };
  return makeDocument(KIND, path, text, root, []);
}
