/**
 * Attribute paths of the rule language: `a.b[*].c`, `a[0].b`, `a["key.with.dots"]`, and `.` for the
 * node itself (used inside `each`/`count` when the items are scalars).
 *
 * Walking is deliberately forgiving in one way and strict in another:
 * - a key applied to a list fans out over the list's items (Terraform nested blocks are lists of
 *   maps even when written once), so `production_variants.instance_type` works without `[*]`;
 * - anything the file does not fix is reported, never guessed: a walk that meets a symbolic node
 *   before the end of the path, or an index beyond a conditional (dynamic) list, is `blocked`, and
 *   nodes reached through a conditional list are marked `conditional` (they may not exist at plan
 *   time). Predicates turn both into `unknown`.
 */
import type { Node } from '../model.js';

export type Segment = { key: string } | { index: number } | { all: true };

export class PathSyntaxError extends Error {}

/** A node at the end of the path. */
export interface Hit {
  node: Node;
  /** Concrete path to it, with list indexes filled in: `production_variants[1].instance_type`. */
  path: string;
  /** Line to anchor a finding on: the key's line when the node was reached by a key. */
  line: number;
  /** Reached through (or is) a list whose items exist only conditionally. */
  conditional: boolean;
}

/** A branch of the walk that could not go on because the file does not fix the value. */
export interface Blocked {
  node: Node;
  path: string;
  reason: 'symbolic' | 'conditional';
}

export interface Resolution {
  hits: Hit[];
  blocked: Blocked[];
}

export interface ResolveOptions {
  /** Concrete path of the start node, prefixed to hit paths (used by `each`). */
  base?: string;
  /**
   * Treat a null scalar as absent. True for Terraform, where `x = null` means "omit the argument"
   * (and the provider default applies); false for YAML, where `workflow_dispatch:` is a present key
   * with an empty value.
   */
  nullIsAbsent?: boolean;
}

const cache = new Map<string, Segment[]>();

/** Parses a path; throws PathSyntaxError naming the problem. Results are cached. */
export function parsePath(path: string): Segment[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const segs = parse(path);
  if (cache.size > 10_000) cache.clear(); // paths come from rule files; this only bounds a pathological catalogue
  cache.set(path, segs);
  return segs;
}

function parse(path: string): Segment[] {
  if (path === '.') return [];
  if (path.length === 0) throw new PathSyntaxError('empty path (use "." for the node itself)');
  const segs: Segment[] = [];
  let i = 0;
  let expectKey = true; // at the start or after a dot, a bare key must follow
  while (i < path.length) {
    const c = path[i]!;
    if (c === '[') {
      const close = findClose(path, i);
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') segs.push({ all: true });
      else if (/^\d+$/.test(inner)) segs.push({ index: Number(inner) });
      else if (inner.length >= 2 && (inner[0] === '"' || inner[0] === "'") && inner.at(-1) === inner[0]) {
        segs.push({ key: inner.slice(1, -1) });
      } else throw new PathSyntaxError(`bad index [${inner}] in "${path}" (expected [*], [n] or ["key"])`);
      i = close + 1;
      expectKey = false;
      if (i < path.length && path[i] === '.') {
        i++;
        expectKey = true;
        if (i === path.length) throw new PathSyntaxError(`path "${path}" ends with a dot`);
      }
      continue;
    }
    if (!expectKey) throw new PathSyntaxError(`expected "." or "[" at position ${i} of "${path}"`);
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') {
      if (path[j] === ']' || /\s/.test(path[j]!)) throw new PathSyntaxError(`unexpected "${path[j]}" in "${path}"`);
      j++;
    }
    if (j === i) throw new PathSyntaxError(`empty key in "${path}"`);
    segs.push({ key: path.slice(i, j) });
    i = j;
    expectKey = false;
    if (i < path.length && path[i] === '.') {
      i++;
      expectKey = true;
      if (i === path.length) throw new PathSyntaxError(`path "${path}" ends with a dot`);
    }
  }
  return segs;
}

function findClose(path: string, open: number): number {
  const q = path[open + 1];
  if (q === '"' || q === "'") {
    const end = path.indexOf(q, open + 2);
    if (end !== -1 && path[end + 1] === ']') return end + 1;
  } else {
    const end = path.indexOf(']', open);
    if (end !== -1) return end;
  }
  throw new PathSyntaxError(`unclosed "[" in "${path}"`);
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$:-]*$/;

export function joinKey(base: string, key: string): string {
  const k = SIMPLE_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!base) return k;
  return k.startsWith('[') ? base + k : `${base}.${k}`;
}

export function joinIndex(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** Resolves a path from a node. Never throws for a well-formed path. */
export function resolvePath(node: Node, path: string | Segment[], options: ResolveOptions = {}): Resolution {
  const segs = typeof path === 'string' ? parsePath(path) : path;
  const out: Resolution = { hits: [], blocked: [] };
  walk(node, segs, 0, options.base ?? '', node.startLine, false, out, options.nullIsAbsent ?? false);
  return out;
}

function walk(node: Node, segs: Segment[], i: number, path: string, line: number, cond: boolean, out: Resolution, nullIsAbsent: boolean): void {
  if (i === segs.length) {
    if (nullIsAbsent && node.type === 'scalar' && node.value === null) return;
    out.hits.push({ node, path, line, conditional: cond || (node.type === 'list' && node.conditional === true) });
    return;
  }
  if (node.type === 'symbolic') {
    out.blocked.push({ node, path, reason: 'symbolic' });
    return;
  }
  const seg = segs[i]!;
  if ('key' in seg) {
    if (node.type === 'map') {
      const e = node.entries.find((x) => x.key === seg.key);
      if (e) walk(e.value, segs, i + 1, joinKey(path, seg.key), e.keyLine, cond, out, nullIsAbsent);
    } else if (node.type === 'list') {
      // Implicit fan-out, one level deep: a key means "this key of every item".
      const c = cond || node.conditional === true;
      node.items.forEach((item, j) => {
        if (item.type === 'map' || item.type === 'symbolic') walk(item, segs, i, joinIndex(path, j), item.startLine, c, out, nullIsAbsent);
      });
    }
    return;
  }
  if ('index' in seg) {
    if (node.type !== 'list') return;
    const c = cond || node.conditional === true;
    const item = node.items[seg.index];
    if (item) walk(item, segs, i + 1, joinIndex(path, seg.index), item.startLine, c, out, nullIsAbsent);
    else if (node.conditional) out.blocked.push({ node, path: joinIndex(path, seg.index), reason: 'conditional' });
    return;
  }
  // [*]: every item of a list, or every value of a map (e.g. `jobs[*]`, `executors[*]`).
  if (node.type === 'list') {
    const c = cond || node.conditional === true;
    node.items.forEach((item, j) => walk(item, segs, i + 1, joinIndex(path, j), item.startLine, c, out, nullIsAbsent));
  } else if (node.type === 'map') {
    for (const e of node.entries) walk(e.value, segs, i + 1, joinKey(path, e.key), e.keyLine, cond, out, nullIsAbsent);
  }
}

/** Renders segments back to a canonical path (for messages). */
export function formatPath(segs: Segment[]): string {
  let s = '';
  for (const seg of segs) {
    if ('key' in seg) s = joinKey(s, seg.key);
    else if ('index' in seg) s = joinIndex(s, seg.index);
    else s += '[*]';
  }
  return s || '.';
}
