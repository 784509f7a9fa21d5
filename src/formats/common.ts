/**
 * What format modules share: choosing JSON or YAML by content, and turning parser failures into
 * ParseError values (never exceptions) with the parser's line and message.
 */
import type { Document, Kind, MapEntry, MapNode, Node, NotAnArtifact, ParseError, Target } from '../model.js';
import { countLines, parseJson, parseYaml, SyntaxProblem, type YamlOptions } from './tree.js';

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
    return fn();
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
