/**
 * What format modules share: choosing JSON or YAML by content, and turning parser failures into
 * ParseError values (never exceptions) with the parser's line and message.
 */
import type { Document, Kind, MapEntry, MapNode, Node, NotAnArtifact, ParseError, Target } from '../model.js';
import { parseJsonText } from './json.js';
import { countLines, parseJson, parseYaml, scalar, SyntaxProblem, transform, type YamlOptions } from './tree.js';
import { collectingNotes } from './problem.js';

export function isParseError(x: unknown): x is ParseError {
  return typeof x === 'object' && x !== null && 'message' in x && 'line' in x && !('root' in x);
}

export function isNotArtifact(x: unknown): x is NotAnArtifact {
  return typeof x === 'object' && x !== null && 'notArtifact' in x;
}

export function isDocument(x: unknown): x is Document {
  return typeof x === 'object' && x !== null && 'root' in x && 'targets' in x;
}

/** Lower-cased base name of a path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return (i === -1 ? path : path.slice(i + 1)).toLowerCase();
}

export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) continue;
    return c === 0x7b /* { */ || c === 0x5b; /* [ */
  }
  return false;
}

/**
 * Parses JSON or YAML (JSON when the text starts with `{` or `[`). Returns every YAML document;
 * JSON is one document. Throws SyntaxProblem.
 */
export function parseStructured(text: string, options: YamlOptions = {}): Node[] {
  if (looksLikeJson(text)) return [parseJson(stripBom(text))];
  return parseYaml(text, options);
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Runs a parser and converts any failure to a ParseError. Unexpected exceptions (a bug of ours
 * on odd input) also become a ParseError, so one file never ends a review.
 */
export function guard(kind: Kind, path: string, fn: () => Document | NotAnArtifact): Document | ParseError | NotAnArtifact {
  try {
    // What the parser read past (a key set twice, a broken document of a stream) goes with the document.
    const { result, notes } = collectingNotes(fn);
    if (notes.length > 0 && 'root' in result) result.meta = { ...result.meta, parseNotes: notes };
    // The broken document may have been the one of this kind: the file is not passed over.
    const broken = notes.find((n) => n.note === 'broken-document');
    if (broken && !('root' in result)) return { kind, path, line: broken.line, message: broken.message };
    return result;
  } catch (e) {
    if (e instanceof SyntaxProblem) return { kind, path, line: e.line, message: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { kind, path, line: 1, message: `could not read the file: ${message}` };
  }
}

export function makeDocument(kind: Kind, path: string, text: string, root: Node, targets: Target[], meta?: Record<string, unknown>): Document {
  const doc: Document = { kind, path, root, targets, lines: countLines(text) };
  if (meta) doc.meta = meta;
  return doc;
}

/** A target as an entry of its document's root, keyed by its address (code documents have no tree of their own). */
export function targetEntry(t: Target): MapEntry {
  return { key: t.address, keyLine: t.startLine, value: t.node };
}

/** The root of a document read from code: its targets by address, spanning the whole file. */
export function targetsRoot(entries: MapEntry[], text: string): Node {
  return { type: 'map', entries, startLine: 1, endLine: countLines(text) };
}

/** A target spanning a node. */
export function target(type: string, name: string, address: string, node: Node): Target {
  return { type, name, address, node, startLine: node.startLine, endLine: node.endLine };
}

/**
 * A target for a map entry named by its key (a job, a stage, an entry point): it spans from the key
 * line, so a finding on a job whose body starts one line lower still points at the job's name.
 */
export function entryTarget(type: string, address: string, e: MapEntry): Target {
  return {
    type,
    name: e.key,
    address,
    node: e.value,
    startLine: Math.min(e.keyLine, e.value.startLine),
    endLine: Math.max(e.keyLine, e.value.endLine),
  };
}

/**
 * The single YAML mapping most CI and ML config files are (a workflow, a buildspec, a dvc.yaml).
 * Throws SyntaxProblem on malformed YAML; a stream of several documents, an empty file or a
 * top-level list or scalar is not such a file.
 */
export function singleYamlMap(text: string, options: YamlOptions = {}): MapNode | NotAnArtifact {
  const docs = parseYaml(text, options);
  if (docs.length === 0) return { notArtifact: 'empty file' };
  if (docs.length > 1) return { notArtifact: 'a multi-document YAML stream' };
  const root = docs[0]!;
  if (root.type !== 'map') return { notArtifact: root.type === 'scalar' && root.value === null ? 'empty file' : 'top level is not a mapping' };
  return root;
}

// ---------------------------------------------------------------------------------------------
// Pipeline and infrastructure files (CloudFormation, SageMaker, Step Functions, Kubeflow, Argo,
// Kubernetes): duplicate JSON keys, YAML streams, template placeholders
// ---------------------------------------------------------------------------------------------

/**
 * Strict JSON that also refuses duplicate keys, as the YAML reader does. `parseJson` keeps the last
 * occurrence like `JSON.parse`, so a setting written twice (a `KmsKeyId`, a role) would lose one
 * of its values unseen; a reviewer should say so. Throws SyntaxProblem at the second occurrence.
 */
export function parseJsonStrict(text: string): Node {
  return parseJsonText(stripBom(text), { duplicateKeys: 'error' });
}

/** `parseStructured`, with duplicate JSON keys refused (see parseJsonStrict). */
export function parseStructuredStrict(text: string, options: YamlOptions = {}): Node[] {
  return looksLikeJson(text) ? [parseJsonStrict(text)] : parseYaml(text, options);
}

/**
 * The root of a YAML stream: its only document, or a list of its documents. Empty documents (a
 * leading or trailing `---`) are dropped, so a one-manifest file with separators is still a map.
 */
export function streamRoot(docs: Node[]): Node {
  const real = docs.filter((d) => !isEmptyDocument(d));
  if (real.length === 1) return real[0]!;
  if (real.length === 0) return scalar(null, 1);
  return { type: 'list', items: real, startLine: real[0]!.startLine, endLine: real[real.length - 1]!.endLine };
}

export function isEmptyDocument(node: Node): boolean {
  return node.type === 'scalar' && node.value === null;
}

const IDENTIFIER_PATH = /[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/g;
const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/g;
/** After an identifier: a call `(` (a function name) or an `=` that is not `==` (an object key). */
const NOT_A_REFERENCE = /\s*(?:\(|=(?!=))/y;

/**
 * What the `${...}` placeholders of a string (Terraform `templatefile`, SAM
 * `DefinitionSubstitutions`) read: the identifier paths of their expressions, without function
 * names, object keys (`{ KEY = v }`) and string literals. `$${` is Terraform's escape for a literal
 * `${`. Undefined when the string has no placeholder.
 */
export function placeholderRefs(s: string): string[] | undefined {
  let found = false;
  const refs = new Set<string>();
  for (let at = s.indexOf('${'); at !== -1; at = s.indexOf('${', at + 2)) {
    const end = closingBrace(s, at + 1);
    if (end === -1) break;
    if (s[at - 1] === '$') {
      at = end - 1; // an escaped `$${...}` is literal text
      continue;
    }
    found = true;
    for (const ref of expressionNames(s.slice(at + 2, end))) refs.add(ref);
    at = end - 1;
  }
  return found ? [...refs] : undefined;
}

function expressionNames(expr: string): string[] {
  const bare = expr.replace(STRING_LITERAL, '""');
  const out: string[] = [];
  for (const m of bare.matchAll(IDENTIFIER_PATH)) {
    NOT_A_REFERENCE.lastIndex = m.index + m[0].length;
    if (!NOT_A_REFERENCE.test(bare)) out.push(m[0]);
  }
  return out;
}

/**
 * Offset of the `}` closing the `{` at `open`, counting nested braces (`${jsonencode({a = 1})}`)
 * and skipping double-quoted strings (`${f("}")}`); -1 if there is none.
 */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = closingQuote(text, i);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Offset of the `"` ending the string opened at `open` (backslash escapes skipped); the text's end if none. */
function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/**
 * Turns every string holding a `${...}` placeholder into a symbol: the template engine fills it in
 * later, so its value (even a partly literal S3 URI) is unknown to a rule.
 */
export function symbolizePlaceholders(node: Node): Node {
  return transform(node, (n) => {
    if (n.type !== 'scalar' || typeof n.value !== 'string') return n;
    const refs = placeholderRefs(n.value);
    return refs ? { type: 'symbolic', expr: n.value, refs, startLine: n.startLine, endLine: n.endLine } : n;
  });
}
