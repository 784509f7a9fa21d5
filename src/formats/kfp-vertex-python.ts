/**
 * Kubeflow Pipelines and Vertex AI in Python and notebooks, read statically (never imported or
 * run). Each `@dsl.pipeline` function is read as the pipeline spec the KFP compiler writes for it
 * (python/kfp.ts), an embedded `kubeflow-pipeline` document, so the rules of compiled pipelines
 * apply as they are. Each Vertex AI SDK call that creates a job, pipeline job, endpoint or
 * deployment is a target holding the REST resource the SDK sends (python/vertex.ts). What a file
 * uses of either SDK beyond that is named in `meta.unread`, and the file is listed as partly
 * reviewed (parse-change.ts).
 */
import type { Document, NotAnArtifact } from '../model.js';
import type { FormatModule } from './module.js';
import { guard, makeDocument, targetEntry, targetsRoot } from './common.js';
import { toFileLines } from './python/notebook.js';
import { readPythonSource } from './python/source.js';
import type { ModuleSource } from './python/imports.js';
import { Scopes } from './python/scopes.js';
import { readKfp } from './python/kfp.js';
import { readVertex, vertexTypes } from './python/vertex.js';
import { KFP_IMPORT, VERTEX_IMPORT } from './unread.js';

const KIND = 'kfp-vertex-python';
const CODE_PATH = /\.(?:py|ipynb)$/i;

export const kfpVertexPython: FormatModule = {
  kind: KIND,
  phrase: 'a Kubeflow Pipelines or Vertex AI Python file',
  address: '`<pipeline function>` for a pipeline (its tasks and executors as in a compiled pipeline); `<function>.<call>` for a Vertex AI call (`train.CustomJob`; `<module>` outside functions, `#2` for a second call in one function)',
  documentAddress: 'module',
  comments: 'python',
  // Its Vertex AI resources (a repository rule looks for a monitoring job); like CDK stacks, any
  // `.py` may hold them, so files of this kind are not read as context (FormatModule.context).
  holds: (type) => vertexTypes().has(type),
  context: false,
  fix: null,
  answers: [],
  code: ['kfp', 'vertex'],
  accepts: (path) => CODE_PATH.test(path),
  claims: () => false,
  detect: (path, text) => CODE_PATH.test(path) && (KFP_IMPORT.test(text) || VERTEX_IMPORT.test(text)),
  parse(path, text, options) {
    return guard(KIND, path, () => parsePython(path, text, options?.modules));
  },
};

function parsePython(path: string, text: string, modules: ModuleSource | undefined): Document | NotAnArtifact {
  return readPythonSource(path, text, ({ root, fileLine }) => {
    const scopes = new Scopes(root, path, modules);
    try {
      const kfp = readKfp(root, path, text, scopes);
      const vertex = readVertex(root, scopes);
      const targets = vertex.targets;
      toFileLines(targets, kfp.pipelines, fileLine);
      const notes: string[] = [];
      if (kfp.unread.size > 0) notes.push(`uses Kubeflow Pipelines SDK constructs this reviewer does not read yet: ${[...kfp.unread].sort().join(', ')}`);
      if (vertex.unread.size > 0) notes.push(`uses Vertex AI SDK constructs this reviewer does not read yet: ${[...vertex.unread].sort().join(', ')}`);
      if (targets.length === 0 && kfp.pipelines.length === 0) {
        const none = { notArtifact: 'no Kubeflow pipeline or Vertex AI call this reviewer reads' };
        return notes.length > 0 ? { ...none, unread: notes.join('; ') } : none;
      }
      const rootNode = targetsRoot(targets.map(targetEntry), text);
      const doc = makeDocument(KIND, path, text, rootNode, targets, notes.length > 0 ? { unread: notes.join('; ') } : {});
      if (kfp.pipelines.length > 0) doc.embedded = kfp.pipelines;
      return doc;
    } finally {
      // wasm memory is not garbage-collected
      scopes.dispose();
    }
  });
}
