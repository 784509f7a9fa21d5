/**
 * A Jupyter notebook's code, as the Python reader reads it: the code cells' sources in order, one
 * module (a later cell uses what an earlier one bound, as the kernel does), with a map from each
 * line of that code to the line of the `.ipynb` file that holds it — the JSON string a pull
 * request's diff shows — so findings land where a reviewer sees the code. IPython magics and shell
 * lines (`%...`, `!...`, with their `\` continuation lines) and cells whose cell magic is not Python
 * (`%%writefile`, `%%bash`) are blanked, keeping the lines aligned; outputs are never read.
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
/** A cell magic (`%%name`) on the cell's first line; those that run the cell's body as Python keep it. */
const CELL_MAGIC = /^[ \t]*%%(\w+)/;
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug']);

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
    const cellLines = sourceLines(get(cell, 'source'));
    // `%%writefile`, `%%bash`, `%%sql`...: the cell is not Python at all.
    const first = cellLines.find((l) => l.text.trim() !== '');
    const cellMagic = first ? CELL_MAGIC.exec(first.text) : null;
    const notPython = cellMagic !== null && !PYTHON_CELL_MAGICS.has(cellMagic[1]!);
    let continued = false;
    for (const l of cellLines) {
      // A magic or shell line ending in `\` goes on over the lines below it.
      const magic: boolean = notPython || continued || MAGIC.test(l.text);
      continued = magic && /\\[ \t]*$/.test(l.text);
      lines.push(magic ? '' : l.text);
      map.push(l.line);
    }
    // Cells do not run into each other.
    lines.push('');
    map.push(cell.endLine);
  }
  return { code: lines.join('\n'), fileLine: (n) => map[n - 1] ?? map[map.length - 1] ?? 1 };
}

/**
 * A cell's source as lines, each with the notebook line of the JSON string that starts it. nbformat
 * writes one source line a string; a string may also hold several lines, or end without its
 * newline (the cell's last line).
 */
function sourceLines(source: Node | undefined): { text: string; line: number }[] {
  const pieces = source?.type === 'list' ? source.items : source ? [source] : [];
  const out: { text: string; line: number }[] = [];
  let open = '';
  let openLine = 0;
  for (const piece of pieces) {
    if (piece.type !== 'scalar' || typeof piece.value !== 'string') continue;
    const parts = piece.value.split('\n');
    parts.forEach((part, i) => {
      if (i === 0 && open !== '') {
        open += part;
      } else {
        if (i > 0 || open === '') openLine = piece.startLine;
        open = part;
      }
      if (i < parts.length - 1) {
        out.push({ text: open, line: openLine });
        open = '';
      }
    });
  }
  if (open !== '') out.push({ text: open, line: openLine });
  return out;
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


