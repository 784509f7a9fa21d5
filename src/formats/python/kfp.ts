/**
 * Kubeflow Pipelines v2 DSL in a Python module, read statically: each `@dsl.pipeline` function as
 * the pipeline spec the KFP compiler writes for it. Not written yet: reads nothing.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document } from '../../document.js';
import type { Scopes } from './scopes.js';

export interface KfpRead {
  pipelines: Document[];
  unread: Set<string>;
}

export function readKfp(_root: SyntaxNode, _path: string, _text: string, _scopes: Scopes): KfpRead {
  return { pipelines: [], unread: new Set() };
}
