/**
 * The Vertex AI SDK (`google-cloud-aiplatform`) in a Python module, read statically: each job,
 * pipeline job, endpoint and deployment the module creates as the REST resource it sends. Not
 * written yet: reads nothing.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Target } from '../../document.js';
import type { Scopes } from './scopes.js';

export interface VertexRead {
  targets: Target[];
  /** Vertex SDK names the module uses that are not read. */
  unread: Set<string>;
}

export function readVertex(_root: SyntaxNode, _scopes: Scopes): VertexRead {
  return { targets: [], unread: new Set() };
}
