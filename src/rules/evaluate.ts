/**
 * Applies rules to documents. One rule on one target is one Evaluation (DESIGN §5): the clauses of
 * the rule whose kind is the document's kind pick the targets (`resource`), filter them (`where`:
 * only a definite pass lets a target through) and decide (`require`). An unknown verdict counts as
 * the clause says (`unknown`, default pass) and is flagged `uncertain`.
 *
 * Each target is evaluated with the roots its paths may start from: `$document` (the document's
 * root), `$parent` (the node of the nearest target enclosing this one in the document tree, found
 * once per document and only when a rule asks) and `$name` (the target's name; none for
 * document-level clauses).
 *
 * A rule that names the environments it applies in (`environments`) meets only the targets of those
 * environments (src/environments.ts): the others are not evaluated, so they are neither a finding
 * nor a pass in the scores.
 */
import type { ContextDocuments } from '../context-index.js';
import { detectEnvironment, type EnvironmentOf } from '../environments.js';
import { FORMATS } from '../formats/index.js';
import type { Document, Evaluation, Kind, MatchClause, Node, Rule, Severity, Target } from '../model.js';
import { readsOnlyUnder } from './clause-paths.js';
import { evaluatePredicate, type PredicateContext, type RepositoryContext, type Verdict } from './predicates.js';

/** The placeholders a rule message may use. */
export const MESSAGE_VARS = ['address', 'attribute', 'actual', 'path', 'type', 'name'] as const;
export type MessageVar = (typeof MESSAGE_VARS)[number];

/** Address of repository-level evaluations that are not about one target. */
export const REPOSITORY_ADDRESS = 'repository';

/** The whole document as a target. */
export function documentTarget(doc: Document): Target {
  if (doc.span) return { type: doc.kind, name: doc.span.address, address: doc.span.address, node: doc.root, startLine: doc.span.startLine, endLine: doc.span.endLine };
  const address = FORMATS.find((f) => f.kind === doc.kind)?.documentAddress ?? doc.kind;
  return { type: doc.kind, name: address, address, node: doc.root, startLine: 1, endLine: Math.max(1, doc.lines) };
}

function contextFor(doc: Document, repo?: RepositoryContext): PredicateContext {
  // Terraform: `x = null` is the same as leaving x out (the provider default applies).
  const ctx: PredicateContext = { nullIsAbsent: doc.kind === 'terraform', roots: { document: doc.root }, documentMemo: new Map() };
  if (repo) ctx.repo = repo;
  return ctx;
}

/**
 * For every target nested inside another target's node, that enclosing target's node (the nearest
 * one): steps in a Condition's branches, states in a Parallel or Map, Argo templates in their
 * Workflow. One walk of the document, iterative.
 */
export function enclosingTargets(doc: Document): Map<Node, Node> {
  const targetNodes = new Set(doc.targets.map((t) => t.node));
  const parents = new Map<Node, Node>();
  const stack: { node: Node; enclosing: Node | undefined }[] = [{ node: doc.root, enclosing: undefined }];
  while (stack.length) {
    const { node, enclosing } = stack.pop()!;
    let inner = enclosing;
    if (targetNodes.has(node)) {
      if (enclosing && !parents.has(node)) parents.set(node, enclosing);
      inner = node;
    }
    if (node.type === 'map') for (const e of node.entries) stack.push({ node: e.value, enclosing: inner });
    else if (node.type === 'list') for (const item of node.items) stack.push({ node: item, enclosing: inner });
  }
  return parents;
}

/** The context of each target of a document (the document's, with the target's `$parent` and `$name`), made once per target. */
type TargetContexts = (target: Target) => PredicateContext;

function targetContexts(doc: Document, ctx: PredicateContext): TargetContexts {
  let index: Map<Node, Node> | undefined; // `$parent` lookups share one index, built on first use
  const made = new Map<Target, PredicateContext>();
  return (target) => {
    let c = made.get(target);
    if (!c) {
      const parent = (): Node | undefined => (index ??= enclosingTargets(doc)).get(target.node);
      c = { ...ctx, roots: { ...ctx.roots, parent, name: { value: target.name, line: target.startLine } } };
      made.set(target, c);
    }
    return c;
  };
}

/** A document's targets by type, built once per document rather than scanned once per clause. */
const targetIndex = new WeakMap<Document, Map<string, Target[]>>();

function targetsOf(clause: MatchClause, doc: Document): Target[] {
  if (!clause.resource) return [documentTarget(doc)];
  let index = targetIndex.get(doc);
  if (!index) {
    index = new Map();
    for (const t of doc.targets) {
      const list = index.get(t.type);
      if (list) list.push(t);
      else index.set(t.type, [t]);
    }
    targetIndex.set(doc, index);
  }
  const types = clause.resource;
  if (types.length === 1) return index.get(types[0]!) ?? [];
  // Several types: keep the document's order, as a filter would.
  const wanted = new Set(types.flatMap((ty) => index.get(ty) ?? []));
  return wanted.size === 0 ? [] : doc.targets.filter((t) => wanted.has(t));
}

/** Per rule set and kind, the rules with clauses for that kind (computed once per rule set). */
const clausesByKind = new WeakMap<readonly Rule[], Map<string, [Rule, MatchClause[]][]>>();

function rulesFor(rules: readonly Rule[], kind: string): [Rule, MatchClause[]][] {
  let byKind = clausesByKind.get(rules);
  if (!byKind) {
    byKind = new Map();
    clausesByKind.set(rules, byKind);
  }
  let list = byKind.get(kind);
  if (!list) {
    list = [];
    // Clauses of other kinds that this kind's targets answer (FormatModule.answers).
    const answers = FORMATS.find((f) => f.kind === kind)?.answers ?? [];
    for (const rule of rules) {
      const clauses = rule.match.filter((c) => c.kind === kind || answers.some((a) => a.kind === c.kind && readsOnlyUnder(c, a.under)));
      if (clauses.length) list.push([rule, clauses]);
    }
    byKind.set(kind, list);
  }
  return list;
}

/** A clause's verdict on a target after `where` and the `unknown` mapping; undefined when filtered out. */
interface Decision {
  verdict: Verdict;
  outcome: 'pass' | 'fail';
  uncertain: boolean;
}

function decide(clause: MatchClause, target: Target, ctx: PredicateContext): Decision | undefined {
  if (!target.variants) return decideOn(clause, target.node, ctx);
  // A target with conditional variants: failing in every one is a failure; passing in every one
  // (or not concerned: filtered out by `where`) a pass; anything else is unknown.
  const ds = target.variants.map((n) => decideOn(clause, n, ctx));
  const applied = ds.filter((d): d is Decision => d !== undefined);
  if (applied.length === 0) return undefined;
  const failing = applied.filter((d) => d.verdict.outcome === 'fail');
  if (failing.length === ds.length) return failing[0];
  if (failing.length === 0) return applied.find((d) => d.uncertain) ?? applied[0];
  const verdict: Verdict = { ...failing[0]!.verdict, outcome: 'unknown' };
  return { verdict, outcome: clause.unknown ?? 'pass', uncertain: true };
}

function decideOn(clause: MatchClause, node: Node, ctx: PredicateContext): Decision | undefined {
  if (clause.where && evaluatePredicate(clause.where, node, ctx).outcome !== 'pass') return undefined;
  const verdict = evaluatePredicate(clause.require, node, ctx);
  const uncertain = verdict.outcome === 'unknown';
  const outcome = verdict.outcome === 'unknown' ? (clause.unknown ?? 'pass') : verdict.outcome;
  return { verdict, outcome, uncertain };
}

/** Several clauses of one rule may reach the same target; they make one evaluation (all must hold). */
function merge(decisions: Decision[]): Decision {
  const failed = decisions.find((d) => d.outcome === 'fail');
  if (failed) return failed;
  const uncertain = decisions.find((d) => d.uncertain);
  return uncertain ?? decisions[0]!;
}

function toEvaluation(rule: Rule, path: string, target: Target, d: Decision, anchorLine?: number): Evaluation {
  const v = d.verdict;
  let startLine = anchorLine ?? target.startLine;
  let endLine = anchorLine ?? target.endLine;
  if (d.outcome === 'fail') {
    if (v.node) {
      // The failing value's lines, from its key's line.
      startLine = v.line ?? v.node.startLine;
      endLine = Math.max(startLine, v.node.endLine);
    } else {
      // A missing attribute: the first line of the enclosing item, or where the target says that
      // part of it is written, or the target's first line.
      startLine = endLine = v.line ?? anchorLine ?? anchorOf(target, v.attribute) ?? target.startLine;
    }
  }
  const e: Evaluation = {
    rule,
    path,
    address: target.address,
    outcome: d.outcome,
    startLine,
    endLine,
    targetSpan: { startLine: target.startLine, endLine: target.endLine },
    targetType: target.type,
    targetName: target.name,
  };
  if (v.attribute !== undefined) e.attribute = v.attribute;
  if (v.actual !== undefined) e.actual = v.actual;
  // Missing at the target's own level (not inside a list item, nor elsewhere in the document): a fix may insert it there.
  if (d.outcome === 'fail' && !v.node && v.line === undefined && !v.outside && !d.uncertain) e.missing = true;
  if (d.uncertain) e.uncertain = true;
  return e;
}

/** The line a target gives for a missing attribute: its anchor with the longest path prefix of the attribute. */
function anchorOf(target: Target, attribute: string | undefined): number | undefined {
  if (!target.anchors || attribute === undefined) return undefined;
  let best: string | undefined;
  for (const prefix of Object.keys(target.anchors)) {
    if ((attribute === prefix || attribute.startsWith(`${prefix}.`)) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : target.anchors[best];
}

/** Whether a rule applies in the environment of a target of the file at `path` (no `environments`: everywhere). */
function appliesTo(rule: Rule, path: string, target: Target, environmentOf: EnvironmentOf): boolean {
  return rule.environments === undefined || rule.environments.includes(environmentOf(path, target.name));
}

function evaluateTargets(
  rule: Rule,
  clauses: MatchClause[],
  doc: Document,
  ctx: PredicateContext,
  contexts: TargetContexts,
  environmentOf: EnvironmentOf,
  out: Evaluation[],
): void {
  const byTarget = new Map<Target, Decision[]>();
  for (const clause of clauses) {
    // The document itself has no parent and no name: it gets the document's context.
    const whole = !clause.resource;
    for (const t of targetsOf(clause, doc)) {
      if (!appliesTo(rule, doc.path, t, environmentOf)) continue;
      const d = decide(clause, t, whole ? ctx : contexts(t));
      if (!d) continue;
      const list = byTarget.get(t);
      if (list) list.push(d);
      else byTarget.set(t, [d]);
    }
  }
  for (const [t, ds] of byTarget) out.push(toEvaluation(rule, doc.path, t, merge(ds)));
}

/**
 * Evaluates every rule clause of the document's kind. Targets are those whose type is in the
 * clause's `resource`, or the document itself (with its document-level address) without one.
 * `environmentOf` is the plan's (the configuration's `environments:`); without it, the names decide.
 */
export function evaluateDocument(rules: readonly Rule[], doc: Document, environmentOf: EnvironmentOf = detectEnvironment): Evaluation[] {
  const out: Evaluation[] = [];
  const ctx = contextFor(doc);
  const contexts = targetContexts(doc, ctx);
  for (const [rule, clauses] of rulesFor(rules, doc.kind)) evaluateTargets(rule, clauses, doc, ctx, contexts, environmentOf, out);
  return out;
}

export interface RepositoryInput {
  /** Every path of the tree of the side evaluated. */
  tree: readonly string[];
  /** The unchanged files' documents, parsed on need. */
  context?: ContextDocuments | undefined;
  /** Documents of the changed files; repository rules report only on these. */
  changed: Document[];
  /** Whether the context covers every artifact of the tree the rules read. */
  contextComplete: boolean;
  /**
   * Rules whose repository-wide clauses (no `resource:`, no `anchor:`) are evaluated even when this
   * side has no changed document to anchor on: the base side of a change that only adds files must
   * still say whether the repository had the finding, or every such finding would look new.
   */
  unanchored?: ReadonlySet<string> | undefined;
  /** The environment of a target, as for evaluateDocument (default: the names decide). */
  environmentOf?: EnvironmentOf | undefined;
}

/** The repository itself, as an anchor when a side has no changed document: nothing to read in it. */
const NO_DOCUMENT_ROOT: Node = { type: 'map', entries: [], startLine: 1, endLine: 1 };

/**
 * Evaluates `kind: repository` clauses. With `resource:`, one evaluation per matching target in the
 * changed documents (anchored on the target); without, one evaluation anchored at line 1 of the
 * first changed document, and none when the change has no document (nothing to anchor on, and a
 * change that touches no artifact should not be held to account for the whole repository).
 */
export function evaluateRepository(rules: readonly Rule[], input: RepositoryInput): Evaluation[] {
  const repo: RepositoryContext = { tree: input.tree, documents: input.changed, context: input.context, contextComplete: input.contextComplete };
  const out: Evaluation[] = [];
  const environmentOf = input.environmentOf ?? detectEnvironment;
  const perDoc = new Map(
    input.changed.map((d) => {
      const ctx = contextFor(d, repo);
      return [d, { ctx, contexts: targetContexts(d, ctx) }] as const;
    }),
  );
  for (const rule of rules) {
    const clauses = rule.match.filter((c) => c.kind === 'repository');
    if (!clauses.length) continue;
    for (const doc of input.changed) {
      const targeted = clauses.filter((c) => c.resource);
      const { ctx, contexts } = perDoc.get(doc)!;
      if (targeted.length) evaluateTargets(rule, targeted, doc, ctx, contexts, environmentOf, out);
    }
    const whole = clauses.filter((c) => !c.resource);
    if (!whole.length) continue;
    // The repository as a whole is in no one environment: it is held to production's rules.
    if (rule.environments && !rule.environments.includes('production')) continue;
    const at = repositoryAnchor(whole, input.changed) ?? (input.unanchored?.has(rule.id) ? unanchored(input.changed) : undefined);
    if (!at) continue;
    const target: Target = {
      type: 'repository',
      name: REPOSITORY_ADDRESS,
      address: REPOSITORY_ADDRESS,
      node: at.doc.root,
      startLine: at.line,
      endLine: at.line,
    };
    const ctx = contextFor(at.doc, repo);
    const ds = whole.map((c) => decide(c, target, ctx)).filter((d): d is Decision => d !== undefined);
    if (ds.length) out.push(toEvaluation(rule, at.doc.path, target, merge(ds), at.line));
  }
  return out;
}

/**
 * Where a repository-wide finding is anchored: the first target of a clause's `anchor` types in
 * the changed documents (none: the change does not touch what the rule is about, so it is not
 * evaluated), or line 1 of the first changed document when no clause names an anchor.
 */
function repositoryAnchor(whole: MatchClause[], changed: readonly Document[]): { doc: Document; line: number } | undefined {
  const types = whole.flatMap((c) => c.anchor ?? []);
  if (types.length === 0) return changed[0] ? { doc: changed[0], line: 1 } : undefined;
  const wanted = new Set(types);
  for (const doc of changed) {
    const t = doc.targets.find((x) => wanted.has(x.type));
    if (t) return { doc, line: t.startLine };
  }
  return undefined;
}

/** Line 1 of the first changed document, or of no document at all (`path` empty). */
function unanchored(changed: readonly Document[]): { doc: Document; line: number } {
  const doc = changed[0] ?? { kind: 'terraform', path: '', root: NO_DOCUMENT_ROOT, targets: [], lines: 0 };
  return { doc, line: 1 };
}

const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/** The placeholder names a message uses (the loader checks them against MESSAGE_VARS). */
export function placeholders(message: string): string[] {
  return [...message.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * Fills `{{address}} {{attribute}} {{actual}} {{path}} {{type}} {{name}}` in the rule's message.
 * Plain substitution (no Handlebars: messages are data, and values are escaped by the renderer);
 * `vars` override or add values; an unknown placeholder is left as written.
 */
export function formatMessage(rule: Rule, evaluation: Evaluation, vars: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    address: evaluation.address,
    attribute: evaluation.attribute ?? '',
    actual: evaluation.actual ?? '',
    path: evaluation.path,
    type: evaluation.targetType ?? '',
    name: evaluation.targetName ?? '',
    ...vars,
  };
  return rule.message.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(values, name) ? values[name]! : m));
}

/**
 * The rule as it applies to one evaluation: on a target its `generic` wording is for (a bucket the
 * ML workload does not use: Evaluation.generic), that message and remediation, one severity lower.
 * The finding, the gate and the scores all take the rule from here.
 */
export function appliedRule(rule: Rule, evaluation: Evaluation): Rule {
  if (!evaluation.generic || !rule.generic) return rule;
  return { ...rule, message: rule.generic.message, remediation: rule.generic.remediation ?? rule.remediation, severity: oneLower(rule.severity) };
}

/** critical → high → medium → low; low and info stay (a finding is not dropped to nothing by its framing). */
function oneLower(severity: Severity): Severity {
  const lower: Partial<Record<Severity, Severity>> = { critical: 'high', high: 'medium', medium: 'low' };
  return lower[severity] ?? severity;
}
