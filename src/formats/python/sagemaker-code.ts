/**
 * The SageMaker work of a Python module, as the `sagemaker-python` and `airflow-dag` kinds read it:
 * boto3 calls, SDK constructs and Airflow's SageMaker operators (reader.ts) as targets, each
 * `Pipeline(...)` as an embedded `sagemaker-pipeline` document (pipeline.ts), and what the module
 * uses of the SDK that is not read, as notes for the file's "partly reviewed" line.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document, Target } from '../../document.js';
import type { ModuleSource } from './imports.js';
import { pipelineCallKind, PipelineReader } from './pipeline.js';
import { SagemakerReader, type FixSite } from './reader.js';

export interface SagemakerCode {
  targets: Target[];
  embedded: Document[];
  notes: string[];
  /** Where a missing argument can be added, by target address (sagemaker-python.ts insertArgument). */
  fixSites(): Record<string, FixSite[]>;
}

/** Reads it, then frees what the reader holds (`read` runs in between, with the reader alive). */
export function readSagemakerCode<T>(root: SyntaxNode, path: string, text: string, modules: ModuleSource | undefined, read: (code: SagemakerCode) => T): T {
  const reader = new SagemakerReader(root, path, modules);
  try {
    const pipelineCalls: SyntaxNode[] = [];
    const stepCalls: SyntaxNode[] = [];
    reader.walk(root, (call, name) => {
      const kind = pipelineCallKind(name);
      if (kind) (kind === 'pipeline' ? pipelineCalls : stepCalls).push(call);
      return kind !== undefined;
    });
    const pipelines = new PipelineReader(reader, path, text);
    const embedded = pipelineCalls.map((c) => pipelines.pipeline(c));
    const targets = reader.targets();
    const notes: string[] = [];
    const unread = reader.unread();
    if (unread.size > 0) notes.push(`uses SageMaker Python SDK constructs this reviewer does not read yet: ${[...unread].sort().join(', ')}`);
    const loose = [...new Set(pipelines.unreached(stepCalls).map((c) => c.childForFieldName('function')?.text ?? 'step'))].sort();
    if (loose.length > 0) notes.push(`defines pipeline steps outside any Pipeline(...) of this file, whose step settings (retries, caching, branches) are not read: ${loose.join(', ')}`);
    return read({ targets, embedded, notes, fixSites: () => ({ ...reader.fixSites(targets), ...pipelines.fixSites }) });
  } finally {
    // wasm memory is not garbage-collected
    reader.dispose();
  }
}
