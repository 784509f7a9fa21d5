/**
 * What the HCL and JSON readers of Terraform share: line spans, reference scopes, positioned node
 * constructors, and the marks that record which symbols local resolution may replace.
 */
import type { Node as TsNode } from 'web-tree-sitter';
import type { MapEntry, MapNode, Node, Scalar, SymbolicNode } from '../../model.js';

export interface Lines {
  startLine: number;
  endLine: number;
}

export type Scope = ReadonlySet<string>;
export const NO_SCOPE: Scope = new Set();

/** `local.<name>` followed by attribute names and literal indexes. */
export interface LocalPath {
  name: string;
  steps: (string | number)[];
  /** `jsonencode(local.x)`: only a map or list may stand in for it, not a scalar. */
  containerOnly?: boolean;
}

/**
 * Symbols that local resolution may replace, recorded while converting (identity-keyed, so
 * nothing leaks into the documents).
 */
export class Marks {
  readonly local = new WeakMap<SymbolicNode, LocalPath>();
  readonly template = new WeakMap<SymbolicNode, (string | LocalPath)[]>();
  any = false;
}

export function lines(n: TsNode): Lines {
  const startLine = n.startPosition.row + 1;
  const end = n.endPosition;
  // A node that ends at column 0 ends with the previous line's newline.
  const endLine = end.column === 0 && end.row + 1 > startLine ? end.row : end.row + 1;
  return { startLine, endLine };
}

export function scalarAt(value: Scalar, at: Lines): Node {
  return { type: 'scalar', value, startLine: at.startLine, endLine: at.endLine };
}

export function mapAt(at: Lines, entries: MapEntry[] = []): MapNode {
  return { type: 'map', entries, startLine: at.startLine, endLine: at.endLine };
}

export function grow(node: Lines, at: Lines): void {
  if (at.startLine < node.startLine) node.startLine = at.startLine;
  if (at.endLine > node.endLine) node.endLine = at.endLine;
}
