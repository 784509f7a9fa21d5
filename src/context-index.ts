/**
 * The unchanged files of a review, parsed only when a repository rule needs them. `resource_exists`
 * asks for the documents that may hold a target of some types; a context file is parsed (once, for
 * both sides) only when its path is one a kind holding such a type reads (FormatModule.accepts and
 * .holds) and its text names one of the types. A target's type is written in its file (`resource
 * "aws_budgets_budget"`, `Type: AWS::Budgets::Budget`), except for the kinds whose document is
 * itself the target (a model card's type is its kind): those are parsed on their path alone.
 *
 * So a 12-file change in a repository of a thousand artifacts parses a handful of them, not all.
 */
import { classify, FORMATS } from './formats/index.js';
import { KINDS, type ChangeSet, type ContextTarget, type FormatModule, type Kind } from './model.js';
import { answers, typesFor, type LearntFact } from './parse-cache.js';
import type { Watch } from './parse-change.js';

/**
 * A context file as the repository predicates read it: its path and its targets' types and
 * addresses (`resource_exists` reads no more). A parsed Document is one; so is what the parse
 * cache remembers of a file.
 */
export interface ContextDocument {
  path: string;
  targets: readonly ContextTarget[];
}

/** What repository predicates read beyond the change (rules/predicates/contexts.ts). */
export interface ContextDocuments {
  /** The context documents that may hold a target of one of `types`, parsed on first need. */
  holding(types: ReadonlySet<string>): Iterable<ContextDocument>;
}

export interface ContextIndex extends ContextDocuments {
  /** Whether every unchanged file of the kinds the rules read is available; if not, "found nothing" is unknown. */
  complete: boolean;
  /**
   * What this review learnt of the context files the source read and gave a blob id, for the
   * parse cache (parse-cache.ts): each one's targets, or the types its text does not name. A file
   * whose text names a type but that no rule asked for is parsed now if it is small (LEARN_BYTES),
   * so that parsing it cannot overrun a time budget and change the review; a larger one is left
   * unlearnt (read again next time).
   */
  learnt(): LearntFact[];
}

export interface ContextOptions {
  wanted: (path: string) => boolean;
  /** The kinds the plan's repository rules read. */
  kinds: ReadonlySet<Kind>;
  /** The resource types they look for (plan.ts `context.types`). */
  types: ReadonlySet<string>;
  watch?: Watch | undefined;
  /** Files not to read (they went over the time budget in an earlier attempt). */
  overBudget?: ReadonlyMap<string, string> | undefined;
  /** The kinds of the change's documents: one not read as context (FormatModule.context) may have unchanged siblings. */
  changedKinds?: ReadonlySet<Kind> | undefined;
  /** A changed document of such a kind holds what is not read (an L2 CDK construct): it may be the resource looked for. */
  partlyRead?: boolean | undefined;
}

const KIND_NAMES: ReadonlySet<string> = new Set(KINDS);
/** A context file no rule asked for is parsed to be remembered only up to this size (about 30 ms). */
export const LEARN_BYTES = 64 * 1024;

interface Entry {
  path: string;
  /** Undefined for a file known from an earlier review (its document is then set). */
  text?: string | undefined;
  blob?: string | undefined;
  /** The modules of the wanted kinds that read this path. */
  formats: FormatModule[];
  document?: ContextDocument | null;
}

export function contextIndex(changeSet: ChangeSet, changed: ReadonlySet<string>, options: ContextOptions): ContextIndex {
  const formats = FORMATS.filter((f) => options.kinds.has(f.kind));
  const needs = { kinds: options.kinds, types: options.types };
  // Files chosen for fewer kinds than the rules read (the source planned before a repository's own
  // rules were known) leave the context incomplete: finding nothing is then unknown, not a failure.
  let complete = changeSet.context.complete && [...options.kinds].every((k) => changeSet.context.kinds.includes(k));
  // Kinds never read as context (CDK stacks): what an unchanged file of theirs defines cannot be
  // ruled out, beside a changed file of the kind, and anywhere under a project root the kind names
  // (a `cdk.json`), also when the change is a template or a Terraform file.
  const notContext = FORMATS.filter((f) => f.context === false).map((f) => ({
    format: f,
    changed: options.changedKinds?.has(f.kind) === true,
    roots: f.root === undefined ? [] : changeSet.trees.head.filter((p) => p === f.root || p.endsWith(`/${f.root}`)).map((p) => p.slice(0, -f.root!.length)),
  }));
  const watched = notContext.filter((k) => k.changed || k.roots.length > 0);
  const uncovered = (p: string) => !changed.has(p) && options.wanted(p) && watched.some((k) => k.format.accepts(p) && (k.changed || k.roots.some((root) => p.startsWith(root))));
  if (options.partlyRead || (watched.length > 0 && changeSet.trees.head.some(uncovered))) complete = false;
  const unread = watched.length > 0 || options.partlyRead === true;
  const entries: Entry[] = [];
  if (formats.length > 0) {
    for (const c of changeSet.context.files) {
      if (changed.has(c.path) || !options.wanted(c.path)) continue;
      if (options.overBudget?.has(c.path)) {
        complete = false;
        continue;
      }
      const readers = formats.filter((f) => f.accepts(c.path));
      if (readers.length > 0) entries.push({ path: c.path, text: c.text, blob: c.blob, formats: readers });
    }
    // Files an earlier review learnt enough of: their document, or that they name no type looked
    // for. A file that may name a type these rules look for and the fact does not cover (custom
    // rules the source did not plan with) is a file unread: the context is incomplete.
    for (const k of changeSet.context.known ?? []) {
      if (changed.has(k.path) || !options.wanted(k.path)) continue;
      const readers = formats.filter((f) => f.accepts(k.path));
      if (readers.length === 0) continue;
      if ('targets' in k.fact) entries.push({ path: k.path, formats: readers, document: k.fact.targets.length > 0 ? { path: k.path, targets: k.fact.targets } : null });
      else if (!answers(k.fact, k.path, needs)) complete = false;
    }
  }
  const documentOf = (e: Entry): ContextDocument | null => {
    if (e.document === undefined) {
      options.watch?.(e.path, 'parse');
      const r = classify(e.path, e.text ?? '', { formats: e.formats });
      e.document = r.type === 'document' ? r.document : null;
    }
    return e.document;
  };
  return {
    complete: formats.length === 0 && !unread ? true : complete,
    *holding(types) {
      const wanted = [...types];
      const named = wanted.filter((t) => !KIND_NAMES.has(t));
      for (const e of entries) {
        if (!e.formats.some((f) => wanted.some((t) => f.holds(t)))) continue;
        const byKind = e.formats.some((f) => types.has(f.kind));
        if (e.document === undefined && !byKind && !named.some((t) => e.text?.includes(t))) continue;
        const doc = documentOf(e);
        if (doc) yield doc;
      }
    },
    learnt() {
      const out: LearntFact[] = [];
      for (const e of entries) {
        if (e.blob === undefined || e.text === undefined) continue;
        const relevant = typesFor(e.formats, needs);
        const text = e.text;
        const mayHold = relevant.some((t) => (KIND_NAMES.has(t) ? e.formats.some((f) => f.kind === t) : text.includes(t)));
        if (e.document === undefined && !mayHold) {
          out.push({ path: e.path, blob: e.blob, fact: { lacks: relevant } });
          continue;
        }
        // Not parsed by the review: only a small file, and not in an attempt that already overran.
        if (e.document === undefined && (text.length > LEARN_BYTES || (options.overBudget?.size ?? 0) > 0)) continue;
        const targets = (documentOf(e)?.targets ?? []).map((t) => ({ type: t.type, address: t.address }));
        out.push({ path: e.path, blob: e.blob, fact: { targets } });
      }
      return out;
    },
  };
}
