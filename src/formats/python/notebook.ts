/**
 * A Jupyter notebook's code, as the Python reader reads it: the code cells' sources in order, one
 * module (a later cell uses what an earlier one bound, as the kernel does), with a map from each
 * line of that code to the line of the `.ipynb` file that holds it — the JSON string a pull
 * request's diff shows — so findings land where a reviewer sees the code. IPython magics and shell
 * lines (`%...`, `!...`) are blanked, keeping the lines aligned; outputs are never read.
 */
import { SyntaxProblem } from '../problem.js';
import { parseJsonText } from '../json.js';
import type { Document, Node, Target } from '../../document.js';
import { get } from '../tree.js';

export interface NotebookCode {
  code: string;
  /** The notebook file's line of a line of `code` (both 1-based). */
  fileLine: (codeLine: number) => number;
}

const MAGIC = /^[ \t]*[%!]/;

/** The code of a notebook; throws SyntaxProblem when it is not notebook JSON. */
export function notebookCode(text: string): NotebookCode {
  const root = parseJsonText(text);
  const cells = get(root, 'cells');
  if (cells?.type !== 'list') throw new SyntaxProblem('a notebook has a "cells" list', root.startLine);
  const lines: string[] = [];
  const map: number[] = [];
  for (const cell of cells.items) {
    const type = get(cell, 'cell_type');
    if (type?.type !== 'scalar' || type.value !== 'code') continue;
    const source = get(cell, 'source');
    const pieces = source?.type === 'list' ? source.items : source ? [source] : [];
    let open = '';
    let openLine = 0;
    for (const piece of pieces) {
      if (piece.type !== 'scalar' || typeof piece.value !== 'string') continue;
      // nbformat writes one source line a string; a string may also hold several lines, or end
      // without its newline (the cell's last line).
      const parts = piece.value.split('\n');
      parts.forEach((part, i) => {
        if (i === 0 && open !== '') {
          open += part;
        } else {
          if (i > 0 || open === '') openLine = piece.startLine;
          open = part;
        }
        if (i < parts.length - 1) {
          lines.push(MAGIC.test(open) ? '' : open);
          map.push(openLine);
          open = '';
        }
      });
    }
    if (open !== '') {
      lines.push(MAGIC.test(open) ? '' : open);
      map.push(openLine);
    }
    // Cells do not run into each other.
    lines.push('');
    map.push(cell.endLine);
  }
  return { code: lines.join('\n'), fileLine: (n) => map[n - 1] ?? map[map.length - 1] ?? 1 };
}

/**
 * Moves targets, embedded documents and everything in them from code lines to the file's lines (a
 * notebook's JSON lines). A node reached twice (a value bound once and used twice, a job that is
 * also a pipeline step's Arguments) is moved once.
 */
export function toFileLines(targets: readonly Target[], embedded: readonly Document[], fileLine: (line: number) => number): void {
  const seen = new Set<object>();
  const stack: Node[] = [];
  const moveTarget = (t: Target) => {
    if (seen.has(t)) return;
    seen.add(t);
    t.startLine = fileLine(t.startLine);
    t.endLine = fileLine(t.endLine);
    if (t.anchors) t.anchors = Object.fromEntries(Object.entries(t.anchors).map(([k, l]) => [k, fileLine(l)]));
    stack.push(t.node);
  };
  for (const t of targets) moveTarget(t);
  for (const d of embedded) {
    for (const t of d.targets) moveTarget(t);
    stack.push(d.root);
    if (d.span) d.span = { ...d.span, startLine: fileLine(d.span.startLine), endLine: fileLine(d.span.endLine) };
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    n.startLine = fileLine(n.startLine);
    n.endLine = fileLine(n.endLine);
    if (n.type === 'map') {
      for (const e of n.entries) {
        if (!seen.has(e)) {
          seen.add(e);
          e.keyLine = fileLine(e.keyLine);
        }
        stack.push(e.value);
      }
    } else if (n.type === 'list') stack.push(...n.items);
  }
}


