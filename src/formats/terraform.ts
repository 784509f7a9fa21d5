/**
 * Terraform: HCL2 `.tf` files through tree-sitter (the terraform grammar of
 * `@tree-sitter-grammars/tree-sitter-hcl`, run by `web-tree-sitter`), and `.tf.json` files through
 * `parseJson`. Both end in the same positioned tree and the same targets (docs/formats.md).
 *
 * Root shape (a key appears only when the file has such blocks, in order of first appearance):
 *
 *   resource:   { <type>: { <name>: <body> } }
 *   data:       { <type>: { <name>: <body> } }
 *   module | variable | output: { <name>: <body> }
 *   provider:   { <name>: [<body>, ...] }    one item per configuration (aliases included)
 *   locals:     { <name>: <value> }          every `locals` block merged
 *   terraform:  [<body>, ...]
 *   <any other block type> (moved, import, check, ephemeral ...): [<item>, ...]
 *
 * A body is a map of attributes; a nested block is a key holding a list of maps (repeated blocks
 * add items); `dynamic "x"` is key `x` holding a `conditional` list with the `content` map. A
 * labelled block that is neither a target nor dynamic (`backend "s3"`, `provisioner "local-exec"`,
 * `check "c"`) is an item `{ <label>: <body> }` of its type's list: `terraform[*].backend[*].s3.bucket`.
 * A block's body map spans the whole block, header line to closing brace.
 *
 * This module holds the parser's lifetime and the format module; the readers live in
 * `terraform/`: `hcl-reader.ts` (blocks and expressions of the tree-sitter tree) on `hcl-refs.ts`
 * (references and local paths), `json-reader.ts`, `root-builder.ts` (the root and the targets),
 * `local-resolver.ts`, `strings.ts` (escapes, heredocs, embedded JSON) and `hcl-syntax-errors.ts`.
 */
import type { Document, FixInsertion, FormatModule, NotAnArtifact } from '../model.js';
import { guard, makeDocument, stripBom } from './common.js';
import { grammar } from './grammar.js';
import type { Parser } from 'web-tree-sitter';
import { countLines, parseJson, SyntaxProblem } from './tree.js';
import { HclReader } from './terraform/hcl-reader.js';
import { firstProblem } from './terraform/hcl-syntax-errors.js';
import { JsonReader } from './terraform/json-reader.js';
import { Marks } from './terraform/nodes.js';
import { RootBuilder } from './terraform/root-builder.js';

const KIND = 'terraform' as const;

function isTerraformPath(path: string): boolean {
  const p = path.toLowerCase();
  return p.endsWith('.tf') || p.endsWith('.tf.json');
}

// ---------------------------------------------------------------------------------------------
// Parser lifetime
// ---------------------------------------------------------------------------------------------

const hcl = grammar('Terraform', '@tree-sitter-grammars/tree-sitter-hcl', 'tree-sitter-terraform.wasm');

/** Loads the tree-sitter runtime and the terraform grammar once (the engine does, at start). */
export const initTerraform = (): Promise<void> => hcl.start();

const requireParser = () => hcl.parser();

/** A resource type of a Terraform provider: `aws_s3_bucket`, `google_storage_bucket`. */
const TERRAFORM_TYPE = /^[a-z][a-z0-9]*_[a-z0-9_]+$/;

/**
 * A missing attribute goes first in the block's body: below its header line, which must end with
 * the opening brace (not a one-line block) with the body below it.
 */
const insertAttribute: FormatModule['fix'] = (spec, ev, _doc, lines): FixInsertion | undefined => {
  if (!spec.insert_attribute || !ev.targetSpan) return undefined;
  const line = ev.targetSpan.startLine;
  const header = lines[line - 1];
  if (header === undefined || !header.trimEnd().endsWith('{') || ev.targetSpan.endLine <= line) return undefined;
  return { line, text: spec.insert_attribute };
};

export const terraform: FormatModule = {
  kind: KIND,
  phrase: 'a Terraform file',
  address: '`<type>.<name>` (`aws_s3_bucket.data`), inside a module call `module.<name>.<type>.<name>`',
  documentAddress: 'terraform',
  comments: 'hcl',
  holds: (type) => TERRAFORM_TYPE.test(type),
  fix: insertAttribute,
  answers: [],
  code: [],
  accepts: isTerraformPath,
  claims: isTerraformPath,
  detect: isTerraformPath,
  parse(path: string, text: string) {
    const p = requireParser();
    const json = path.toLowerCase().endsWith('.json');
    return guard(KIND, path, (): Document | NotAnArtifact => (json ? parseTfJson(p, path, text) : parseHcl(p, path, text)));
  },
};

// ---------------------------------------------------------------------------------------------
// HCL (.tf)
// ---------------------------------------------------------------------------------------------

function parseHcl(p: Parser, path: string, text: string): Document {
  const src = stripBom(text);
  const tree = p.parse(src);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const top = tree.rootNode;
    if (top.hasError) throw firstProblem(top, src);
    const marks = new Marks();
    const out = new RootBuilder(countLines(text));
    new HclReader(src, marks).file(top, out);
    out.finish(marks);
    return makeDocument(KIND, path, text, out.root, out.targets);
  } finally {
    tree.delete(); // wasm memory is not garbage-collected
  }
}

// ---------------------------------------------------------------------------------------------
// JSON (.tf.json)
// ---------------------------------------------------------------------------------------------

function parseTfJson(p: Parser, path: string, text: string): Document {
  const tree = parseJson(stripBom(text));
  if (tree.type !== 'map') throw new SyntaxProblem('Terraform JSON must be an object', tree.startLine);
  const marks = new Marks();
  const out = new RootBuilder(countLines(text));
  const reader = new JsonReader(p, marks);
  for (const e of tree.entries) reader.top(e, out);
  out.finish(marks);
  return makeDocument(KIND, path, text, out.root, out.targets);
}
