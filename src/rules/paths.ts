/**
 * Attribute paths of the rule language: `a.b[*].c`, `a[0].b`, `a["key.with.dots"]`, and `.` for the
 * node itself (used inside `each`/`count` when the items are scalars).
 *
 * Two additions reach beyond the node under test, both bounded so a walk stays linear in the tree:
 * - `**` (at most once per path) stands for zero or more levels of map values and list items, and
 *   yields every *map* at or below where it stands: `Steps.**.Type` is the `Type` of every object
 *   under `Steps`, however deeply nested (steps in Condition branches); `Steps.**` as the path of
 *   `count` counts those objects. Symbolic nodes are values, not containers: `**` neither enters
 *   nor reports them. Each node is expanded once per walk.
 * - A first segment `$document`, `$parent` or `$name` changes where the walk starts (see
 *   `PathRoots`): the document's root, the node of the target that encloses the one under test
 *   (a Condition step around a step of its branches, a Parallel or Map state, the Argo Workflow
 *   around its templates), or the name of what is tested (a scalar: the target's name, or inside
 *   `each`/`count` the key of an item taken from a map). `$name` takes no further segment.
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

export type Segment = { key: string } | { index: number } | { all: true } | { descend: true } | { root: RootName };

/** The roots a path may start from instead of the node under test. */
export type RootName = 'document' | 'parent' | 'name';
const ROOTS: Record<string, RootName> = { $document: 'document', $parent: 'parent', $name: 'name' };

/**
 * What the `$document`, `$parent` and `$name` roots resolve to. The evaluator fills these in per
 * target (and `name` per item inside `each`/`count`); a root that is not given finds nothing, except
 * `$document`, which falls back to the start node (a document-level clause tests the root itself).
 */
export interface PathRoots {
  document?: Node;
  /** The enclosing target's node; a function so the parent index is built only when a rule asks. */
  parent?: () => Node | undefined;
  /** `path`: the concrete path of the item the name belongs to (evidence names the item, not `$name`). */
  name?: { value: string; line: number; path?: string };
}

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
  /** The map key the node was reached by (`$name` of an item inside `each`/`count`). */
  key?: string;
  /** Reached from `$document` or `$parent`: the node may lie outside the target under test. */
  outside?: boolean;
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
  /** What `$document`, `$parent` and `$name` stand for. */
  roots?: PathRoots;
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
  const segs = parseSegments(path);
  const descends = segs.filter((s) => 'descend' in s).length;
  if (descends > 1) throw new PathSyntaxError(`"**" may appear once in a path, found ${descends} in "${path}"`);
  segs.forEach((seg, i) => {
    if (!('root' in seg)) return;
    if (i > 0) throw new PathSyntaxError(`$${seg.root} may only start a path, in "${path}" (write ["$${seg.root}"] for a key of that name)`);
    if (seg.root === 'name' && segs.length > 1) throw new PathSyntaxError(`$name is a scalar and takes no further segment, in "${path}"`);
  });
  return segs;
}

function parseSegments(path: string): Segment[] {
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
    const word = path.slice(i, j);
    if (word === '**') segs.push({ descend: true });
    else if (Object.hasOwn(ROOTS, word)) segs.push({ root: ROOTS[word]! });
    else segs.push({ key: word });
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
  const w: Walk = { segs, out, nullIsAbsent: options.nullIsAbsent ?? false, outside: false, expanded: undefined };
  const first = segs[0];
  if (first && 'root' in first) {
    const roots = options.roots ?? {};
    if (first.root === 'name') {
      if (roots.name) {
        const { value, line, path: at } = roots.name;
        out.hits.push({ node: { type: 'scalar', value, startLine: line, endLine: line }, path: at || '$name', line, conditional: false });
      }
      return out;
    }
    const start = first.root === 'document' ? (roots.document ?? node) : roots.parent?.();
    if (!start) return out;
    w.outside = true;
    walk(start, 1, first.root === 'document' ? '' : '$parent', start.startLine, false, undefined, w);
    return out;
  }
  walk(node, 0, options.base ?? '', node.startLine, false, undefined, w);
  return out;
}

/** The state of one resolution, shared by its recursive steps. */
interface Walk {
  segs: Segment[];
  out: Resolution;
  nullIsAbsent: boolean;
  /** Started from `$document` or `$parent`. */
  outside: boolean;
  /** Maps a `**` has already expanded (so overlapping starts cost nothing twice). */
  expanded: Set<Node> | undefined;
}

function walk(node: Node, i: number, path: string, line: number, cond: boolean, key: string | undefined, w: Walk): void {
  const { segs, out } = w;
  if (i === segs.length) {
    if (w.nullIsAbsent && node.type === 'scalar' && node.value === null) return;
    const hit: Hit = { node, path, line, conditional: cond || (node.type === 'list' && node.conditional === true) };
    if (key !== undefined) hit.key = key;
    if (w.outside) hit.outside = true;
    out.hits.push(hit);
    return;
  }
  const seg = segs[i]!;
  if ('descend' in seg) {
    descend(node, i + 1, path, line, cond, key, w);
    return;
  }
  if (node.type === 'symbolic') {
    out.blocked.push({ node, path, reason: 'symbolic' });
    return;
  }
  if ('key' in seg) {
    if (node.type === 'map') {
      const e = node.entries.find((x) => x.key === seg.key);
      if (e) walk(e.value, i + 1, joinKey(path, seg.key), e.keyLine, cond, seg.key, w);
    } else if (node.type === 'list') {
      // Implicit fan-out, one level deep: a key means "this key of every item".
      const c = cond || node.conditional === true;
      node.items.forEach((item, j) => {
        if (item.type === 'map' || item.type === 'symbolic') walk(item, i, joinIndex(path, j), item.startLine, c, undefined, w);
      });
    }
    return;
  }
  if ('index' in seg) {
    if (node.type !== 'list') return;
    const c = cond || node.conditional === true;
    const item = node.items[seg.index];
    if (item) walk(item, i + 1, joinIndex(path, seg.index), item.startLine, c, undefined, w);
    else if (node.conditional) out.blocked.push({ node, path: joinIndex(path, seg.index), reason: 'conditional' });
    return;
  }
  if ('root' in seg) return; // only first (parse enforces it), handled by resolvePath
  // [*]: every item of a list, or every value of a map (e.g. `jobs[*]`, `executors[*]`).
  if (node.type === 'list') {
    const c = cond || node.conditional === true;
    node.items.forEach((item, j) => walk(item, i + 1, joinIndex(path, j), item.startLine, c, undefined, w));
  } else if (node.type === 'map') {
    for (const e of node.entries) walk(e.value, i + 1, joinKey(path, e.key), e.keyLine, cond, e.key, w);
  }
}

/**
 * `**`: the rest of the path (`segs[next..]`) from every map at or below `node`, in document order.
 * Lists and maps are walked through; symbolic nodes and scalars are not entered. Nodes under a
 * conditional list stay conditional. Each map is expanded at most once per resolution. Concrete
 * paths are built only for the maps the rest of the path can continue from.
 */
function descend(node: Node, next: number, path: string, line: number, cond: boolean, key: string | undefined, w: Walk): void {
  const expanded = (w.expanded ??= new Set());
  const seg = w.segs[next];
  // An explicit stack (deep trees must not overflow the call stack), pushed in reverse for order.
  const stack: Frame[] = [{ node, line, cond, key, up: undefined, step: undefined, path }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.node.type === 'map') {
      if (expanded.has(f.node)) continue;
      expanded.add(f.node);
      // A key segment next: only maps holding that key can give anything.
      if (!seg || !('key' in seg) || f.node.entries.some((e) => e.key === seg.key)) {
        walk(f.node, next, framePath(f), f.line, f.cond, f.key, w);
      }
      for (let j = f.node.entries.length - 1; j >= 0; j--) {
        const e = f.node.entries[j]!;
        stack.push({ node: e.value, line: e.keyLine, cond: f.cond, key: e.key, up: f, step: e.key, path: undefined });
      }
    } else if (f.node.type === 'list') {
      const c = f.cond || f.node.conditional === true;
      for (let j = f.node.items.length - 1; j >= 0; j--) {
        const item = f.node.items[j]!;
        stack.push({ node: item, line: item.startLine, cond: c, key: undefined, up: f, step: j, path: undefined });
      }
    }
  }
}

/** A node met by `**`, with how it was reached; its concrete path is computed on demand. */
interface Frame {
  node: Node;
  line: number;
  cond: boolean;
  key: string | undefined;
  up: Frame | undefined;
  step: string | number | undefined;
  path: string | undefined;
}

function framePath(f: Frame): string {
  if (f.path === undefined) {
    const up = framePath(f.up!);
    f.path = typeof f.step === 'number' ? joinIndex(up, f.step) : joinKey(up, f.step!);
  }
  return f.path;
}

/** Renders segments back to a canonical path (for messages). */
export function formatPath(segs: Segment[]): string {
  let s = '';
  for (const seg of segs) {
    if ('key' in seg) s = joinKey(s, seg.key);
    else if ('index' in seg) s = joinIndex(s, seg.index);
    else if ('descend' in seg) s = s ? `${s}.**` : '**';
    else if ('root' in seg) s = `$${seg.root}`;
    else s += '[*]';
  }
  return s || '.';
}
