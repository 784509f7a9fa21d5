/**
 * The registry of artifact kinds, in detection order (specific signatures before generic ones),
 * and the classifier that turns a path and its text into a Document, a ParseError, or nothing.
 */
import type { CommentSyntax, Document, FormatModule, Kind, ParseError, Rule } from '../model.js';
import { typesReadInRepository } from '../rules/reads.js';
import { mayBeUnreadCode } from './unread.js';
import { isNotArtifact } from './common.js';
import { countLines } from './tree.js';
import { sagemakerPipeline } from './sagemaker-pipeline.js';
import { stepFunctions } from './step-functions.js';
import { kubeflowPipeline } from './kubeflow.js';
import { argoWorkflow } from './argo.js';
import { kubernetes } from './kubernetes.js';
import { cloudformation } from './cloudformation.js';
import { githubWorkflow } from './github-workflow.js';
import { gitlabCi } from './gitlab-ci.js';
import { buildspec } from './buildspec.js';
import { dvc, dvcParams } from './dvc.js';
import { mlflowProject } from './mlflow.js';
import { markdownModelCard } from './model-card-md.js';
import { sagemakerModelCard, mctModelCard } from './model-card-json.js';
import { initPython } from './python/parser.js';
import { airflowDag } from './airflow-dag.js';
import { sagemakerPython } from './sagemaker-python.js';
import { cdkPython } from './cdk-python.js';
import { cdkTypeScript } from './cdk-typescript.js';
import { kfpVertexPython } from './kfp-vertex-python.js';
import { initTypeScript } from './typescript/parser.js';
import { initTerraform, terraform } from './terraform.js';

export const FORMATS: readonly FormatModule[] = [
  terraform,
  githubWorkflow,
  gitlabCi,
  buildspec,
  dvc,
  dvcParams,
  mlflowProject,
  markdownModelCard,
  sagemakerPipeline,
  stepFunctions,
  kubeflowPipeline,
  argoWorkflow,
  cloudformation,
  kubernetes,
  sagemakerModelCard,
  mctModelCard,
  // Before sagemakerPython: a DAG that uses SageMaker is a DAG.
  airflowDag,
  sagemakerPython,
  cdkPython,
  cdkTypeScript,
  kfpVertexPython,
];

/**
 * Loads what parsers need asynchronously (the Terraform, Python and TypeScript grammars are WebAssembly). Only the engine
 * calls it (src/engine.ts), once, before any file is classified; reviews then stay synchronous.
 */
export async function startParsers(): Promise<void> {
  // One after the other: they share web-tree-sitter's runtime, which starts with the first.
  await initTerraform();
  await initPython();
  await initTypeScript();
}

/**
 * The kinds whose unchanged files repository rules read: those whose documents can hold a
 * resource type some `resource_exists` of `rules` looks for (FormatModule.holds).
 */
export function contextKinds(rules: readonly Rule[], formats: readonly FormatModule[] = FORMATS): Set<Kind> {
  const types = [...typesReadInRepository(rules)];
  return new Set(formats.filter((f) => f.context !== false && types.some((t) => f.holds(t))).map((f) => f.kind));
}

/** Whether a file at `path` could be of one of `kinds` (FormatModule.accepts). */
export function isContextPath(path: string, kinds: ReadonlySet<Kind>, formats: readonly FormatModule[] = FORMATS): boolean {
  return formats.some((f) => kinds.has(f.kind) && f.accepts(path));
}

/** The module of a kind. Every kind has one (test/formats/format-facts.test.ts). */
export function formatOf(kind: Kind, formats: readonly FormatModule[] = FORMATS): FormatModule {
  const f = formats.find((m) => m.kind === kind);
  if (!f) throw new Error(`no format module for kind ${kind}`);
  return f;
}

/** The comment syntax of a file of a kind, for its inline suppressions. */
export function commentSyntaxOf(kind: Kind, path: string): CommentSyntax {
  const c = formatOf(kind).comments;
  return typeof c === 'function' ? c(path) : c;
}

/** The kind as a noun phrase for messages: `a Terraform file`. */
export function kindPhrase(kind: Kind): string {
  return formatOf(kind).phrase;
}

/** What a file is: a document of some kind, a file of a kind that does not parse, or no artifact (with why). */
export type Classified =
  | { type: 'document'; document: Document }
  | { type: 'error'; error: ParseError }
  | { type: 'none'; reason: string; unread?: string };

export interface ClassifyOptions {
  /** The kind the file is known to be (its other side was one): read as that kind first. */
  expect?: Kind;
  formats?: readonly FormatModule[];
  /** Other files of the review on the same side (ParseOptions.modules). */
  modules?: ((path: string) => string | undefined) | undefined;
}

/** The kind whose path pattern claims a path (see FormatModule.claims), if any. */
export function claimingKind(path: string, formats: readonly FormatModule[] = FORMATS): Kind | undefined {
  return formats.find((f) => f.claims(path))?.kind;
}

/**
 * Whether a file at this path must be read to know what it is: some artifact kind reads such
 * paths (FormatModule.accepts), or it could be ML code the reviewer knows it does not read yet
 * (unread.ts), which is then listed as not reviewed.
 */
export function isArtifactPath(path: string, formats: readonly FormatModule[] = FORMATS): boolean {
  return kindReads(path, formats) || mayBeUnreadCode(path);
}

/** Whether some artifact kind reads files at this path (FormatModule.accepts): its base side matters too. */
export function kindReads(path: string, formats: readonly FormatModule[] = FORMATS): boolean {
  return formats.some((f) => f.accepts(path));
}

/**
 * The code SDKs (FormatModule.code) of the kinds that read a file of this path and text: what a
 * file none of them took is known to hold nothing of (an AWS CDK `app.py` with no construct).
 */
export function codeReadIn(path: string, text: string, formats: readonly FormatModule[] = FORMATS): string[] {
  return formats.filter((f) => f.code.length > 0 && f.accepts(path) && f.detect(path, text)).flatMap((f) => f.code);
}

/**
 * Classifies and parses one file. A file whose path claims a kind, or whose kind is expected, is
 * read as that kind first, whatever its signature says. A file whose signature matches a kind but
 * does not parse is a ParseError of that kind; a file that matches no kind is `none` with the
 * reason.
 */
export function classify(path: string, text: string, options: ClassifyOptions = {}): Classified {
  const formats = options.formats ?? FORMATS;
  let lastReason = 'no artifact kind recognises this path and content';
  const first = formats.find((f) => f.claims(path)) ?? formats.find((f) => f.kind === options.expect);
  const done = (r: Document | ParseError): Classified => {
    if ('root' in r) return { type: 'document', document: r };
    // Parsers report an unexpected end of file on the line after the last one; anchor on a real line.
    const last = Math.max(1, countLines(text));
    return { type: 'error', error: r.line > last ? { ...r, line: last } : r };
  };
  let unread: string | undefined;
  if (first) {
    const r = first.parse(path, text, { expected: true, modules: options.modules });
    if (!isNotArtifact(r)) return done(r);
    lastReason = `${first.kind}: ${r.notArtifact}`;
    unread = r.unread;
  }
  for (const f of formats) {
    if (f === first || !f.detect(path, text)) continue;
    const r = f.parse(path, text, { modules: options.modules });
    if (isNotArtifact(r)) {
      if (!first) lastReason = `${f.kind}: ${r.notArtifact}`;
      unread ??= r.unread;
      continue;
    }
    return done(r);
  }
  return unread === undefined ? { type: 'none', reason: lastReason } : { type: 'none', reason: lastReason, unread };
}
