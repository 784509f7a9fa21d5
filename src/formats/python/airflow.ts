/**
 * Apache Airflow's SageMaker operators in a DAG (rules/mappings/airflow-sagemaker.yaml): each
 * operator is the boto3 request its `config` holds, so the rules of that request apply to it. A
 * config built by the SDK's `sagemaker.workflow.airflow` helpers (`training_config(estimator)`) is
 * that construct's request with only the keys the helper writes; the construct is then the
 * operator's job, no job of its own. What else a DAG sets (retries, timeouts, schedules, the other
 * operators) is read by the `airflow-dag` kind (formats/airflow-dag.ts, formats/airflow/), which runs
 * this reader over the DAG file for its SageMaker work.
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { ArgumentMapping } from './sdk.js';

export interface OperatorMapping {
  call: string;
  parts?: Record<string, string>;
}

export interface HelperMapping {
  construct?: string;
  keep?: string[];
  /** Paths the helper leaves out of the construct's request. */
  drop?: string[];
  /** A composite config: each part from the helper's own arguments. */
  parts?: Record<string, ArgumentMapping>;
}

interface AirflowMapping {
  operators: Map<string, OperatorMapping>;
  helpers: Map<string, HelperMapping>;
}

const MAPPING_FILE = new URL('../../../rules/mappings/airflow-sagemaker.yaml', import.meta.url);
let mapping: AirflowMapping | undefined;

export function airflowMapping(): AirflowMapping {
  if (!mapping) {
    const data = parseYaml(readFileSync(MAPPING_FILE, 'utf8')) as { operators: Record<string, OperatorMapping>; helpers: Record<string, HelperMapping> };
    for (const [name, o] of Object.entries(data.operators)) if (!o.call) throw new Error(`rules/mappings/airflow-sagemaker.yaml: ${name}: call is required`);
    mapping = { operators: new Map(Object.entries(data.operators)), helpers: new Map(Object.entries(data.helpers)) };
  }
  return mapping;
}

/** The names a module imports from Airflow (`from airflow.providers...sagemaker import SageMakerTrainingOperator as T`): local -> original. */
export function airflowImports(root: SyntaxNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const stmt of root.namedChildren) {
    if (stmt?.type !== 'import_from_statement') continue;
    const from = stmt.childForFieldName('module_name')?.text ?? '';
    if (from !== 'airflow' && !from.startsWith('airflow.')) continue;
    for (const n of stmt.childrenForFieldName('name')) {
      if (!n) continue;
      const original = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
      if (original && local) out.set(local, original);
    }
  }
  return out;
}
