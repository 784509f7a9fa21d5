/**
 * Apache Airflow DAGs, read statically (never imported or run): Python files (and notebooks)
 * importing Airflow, and dag-factory YAML. The targets are each DAG (type `dag`) and each task
 * (type `task`), keyed by Airflow's argument names with the DAG's `default_args` merged into each
 * task as Airflow merges them (airflow/tasks.ts, airflow/python.ts, airflow/yaml.ts).
 *
 * A Python DAG may also hold SageMaker work: Airflow's SageMaker operators (their `config` is the
 * boto3 request, rules/mappings/airflow-sagemaker.yaml), SageMaker SDK constructs and boto3 calls.
 * Those are read by the SageMaker reader (python/reader.ts) as they are in a `sagemaker-python`
 * file, as targets beside the DAG's, answering the same clauses.
 */
import type { Document, NotAnArtifact, Target } from '../model.js';
import type { FormatModule } from './module.js';
import { guard, isNotArtifact, makeDocument, singleYamlMap, targetEntry, targetsRoot } from './common.js';
import { toFileLines } from './python/notebook.js';
import type { ModuleSource } from './python/imports.js';
import { readSagemakerCode } from './python/sagemaker-code.js';
import { readPythonSource } from './python/source.js';
import { Scopes } from './python/scopes.js';
import { pyImport } from './unread.js';
import { DagReader } from './airflow/python.js';
import { isDagFactory, readDagFactory } from './airflow/yaml.js';

const KIND = 'airflow-dag';
const PY_PATH = /\.py$/i;
const NOTEBOOK_PATH = /\.ipynb$/i;
const YAML_PATH = /\.ya?ml$/i;
const AIRFLOW = pyImport('airflow');

export const airflowDag: FormatModule = {
  kind: KIND,
  phrase: 'an Airflow DAG',
  address:
    '`dags.<dag_id>` for a DAG, `dags.<dag_id>.<task_id>` for a task (`tasks.<function>.<task_id>` when the DAG it is added to is not known; `#2` for a second of the same name); SageMaker requests as in `sagemaker-python` (`<function>.<task_id>`)',
  documentAddress: 'dags',
  // dag-factory files are YAML: a quote in a plain scalar is no Python string.
  comments: (path) => (/\.ya?ml$/i.test(path) ? 'yaml' : 'python'),
  holds: () => false,
  fix: null,
  answers: [
    { kind: 'sagemaker-pipeline', under: 'Arguments' },
    { kind: 'cloudformation', under: 'Properties' },
  ],
  code: ['airflow', 'sagemaker', 'boto3-sagemaker'],
  accepts: (path) => PY_PATH.test(path) || NOTEBOOK_PATH.test(path) || YAML_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    if (YAML_PATH.test(path)) return /\boperator\s*:/.test(text) && /\btasks\s*:/.test(text);
    return (PY_PATH.test(path) || NOTEBOOK_PATH.test(path)) && AIRFLOW.test(text);
  },
  parse(path, text, options) {
    const modules = options?.modules;
    if (YAML_PATH.test(path)) return guard(KIND, path, () => parseYamlDags(path, text));
    return guard(KIND, path, () => parsePython(path, text, modules));
  },
};

function parseYamlDags(path: string, text: string): Document | NotAnArtifact {
  const root = singleYamlMap(text);
  if (isNotArtifact(root)) return root;
  if (!isDagFactory(root)) return { notArtifact: 'no DAG whose tasks name an operator' };
  const { targets } = readDagFactory(root);
  return makeDocument(KIND, path, text, root, targets);
}

function parsePython(path: string, text: string, modules: ModuleSource | undefined): Document | NotAnArtifact {
  return readPythonSource(path, text, ({ root, fileLine }) => {
    const scopes = new Scopes(root, path, modules);
    try {
      const dags = new DagReader(root, scopes).read();
      if (dags.targets.length === 0) return { notArtifact: 'no Airflow DAG or task' };
      // The SageMaker work of the DAG: operators' configs, SDK constructs, boto3 calls, pipelines.
      return readSagemakerCode(root, path, text, modules, ({ targets: sagemaker, embedded, notes }) => {
        const targets: Target[] = [...dags.targets, ...sagemaker].sort((a, b) => a.startLine - b.startLine);
        toFileLines(targets, embedded, fileLine);
        const rootNode = targetsRoot([...dags.roots, ...sagemaker.map(targetEntry)].sort((a, b) => a.keyLine - b.keyLine), text);
        const doc = makeDocument(KIND, path, text, rootNode, targets, notes.length > 0 ? { unread: notes.join('; ') } : {});
        if (embedded.length > 0) doc.embedded = embedded;
        return doc;
      });
    } finally {
      // wasm memory is not garbage-collected
      scopes.dispose();
    }
  });
}
