/**
 * The first stage of a review: the changed files of a ChangeSet, classified and parsed on both
 * sides, and the list of files that look like artifacts but could not be reviewed — never a file
 * passed over in silence. Pure.
 *
 * - A file the source could not read (too large, binary, a symbolic link...) is not reviewed when
 *   an artifact kind reads files at its path.
 * - The base side is parsed first, so that the head is read as the kind the base was: a model card
 *   cut down to a stub is still the card (and is told what it lacks), and a file that stops being
 *   recognised as its kind is listed rather than dropped.
 * - A file whose path claims a kind (`*.tf`, a workflow, `model_card.md`) that is not read as that
 *   kind, or does not parse, is not reviewed, with the kind that claims it: the gate can fail on it.
 * - Files the caller says went over the time budget (`overBudget`) are not parsed at all.
 * - Code that defines ML or infrastructure through an SDK no kind maps yet (a `pipeline.py` on the
 *   SageMaker SDK, a notebook, a CDK stack: formats/unread.ts) is not reviewed, with what it uses.
 */
import { claimingKind, classify, codeReadIn, FORMATS, formatOf, isArtifactPath, kindPhrase } from './formats/index.js';
import { unreadCode } from './formats/unread.js';
import { type ChangeSet, type Document, type FileChange, type Kind, type NotReviewed, type ParseError } from './model.js';

/** The code SDKs some kind reads in files of their own. */
const READABLE: readonly string[] = FORMATS.flatMap((f) => f.code);

/** One side (head or base) of the change, parsed. */
export interface Side {
  documents: Document[];
  errors: ParseError[];
  /** Original texts by path, for fixes and inline suppressions. */
  texts: Map<string, string>;
}

/** A unit of work the caller may watch, to enforce a time budget per file. */
export type Step = 'parse' | 'evaluate';
export type Watch = (path: string, step: Step) => void;

export interface ParsedChange {
  /** Changed files the path filter keeps and the source read. */
  files: FileChange[];
  head: Side;
  base: Side;
  notReviewed: NotReviewed[];
  /** Files not read (by the source, or over the time budget), counted in the review's file total. */
  unread: number;
  /** Base path -> head path, so a renamed file's findings keep their fingerprints. */
  headPathOf: Map<string, string>;
}

export interface ParseChangeOptions {
  wanted: (path: string) => boolean;
  watch?: Watch | undefined;
  /** Files not to read, with the reason (they went over the time budget in an earlier attempt). */
  overBudget?: ReadonlyMap<string, string> | undefined;
  /** Why a file is left out by default (ReviewPlan.generated), or undefined. */
  generated?: ((path: string, text?: string | null) => string | undefined) | undefined;
}

const PYTHON_MODULE = /\.py$/i;

function emptySide(): Side {
  return { documents: [], errors: [], texts: new Map() };
}

export function parseChange(changeSet: ChangeSet, options: ParseChangeOptions): ParsedChange {
  const out: ParsedChange = { files: [], head: emptySide(), base: emptySide(), notReviewed: [], unread: 0, headPathOf: new Map() };
  const notReviewed = (path: string, reason: string): void => {
    const entry: NotReviewed = { path, reason };
    const claimedBy = claimingKind(path);
    if (claimedBy) entry.claimedBy = claimedBy;
    out.notReviewed.push(entry);
  };

  // A Python constant may come from another module of the same change: each side reads its own.
  const headModules = new Map<string, string>();
  const baseModules = new Map<string, string>();
  for (const f of changeSet.files) {
    if (!PYTHON_MODULE.test(f.path) || f.skipped) continue;
    if (f.head !== null) headModules.set(f.path, f.head);
    if (f.base !== null) baseModules.set(f.previousPath ?? f.path, f.base);
  }
  const onHead = (path: string) => headModules.get(path);
  const onBase = (path: string) => baseModules.get(path);

  for (const f of changeSet.files) {
    if (!options.wanted(f.path) && !(f.previousPath !== undefined && options.wanted(f.previousPath))) continue;
    // Test data, vendored and generated files: said, not reviewed, and no reason for a neutral gate.
    const generated = options.generated?.(f.path, f.head ?? f.base);
    if (generated !== undefined) {
      if (f.status !== 'removed' && isArtifactPath(f.path)) out.notReviewed.push({ path: f.path, reason: `left out by default: ${generated}; name it in paths.include to review it`, excluded: true });
      continue;
    }
    if (f.skipped) {
      out.unread++;
      if (f.status !== 'removed' && isArtifactPath(f.path)) notReviewed(f.path, f.skipped);
      continue;
    }
    const budget = options.overBudget?.get(f.path);
    if (budget !== undefined) {
      out.unread++;
      notReviewed(f.path, budget);
      continue;
    }
    out.files.push(f);
    out.headPathOf.set(f.previousPath ?? f.path, f.path);

    let baseKind: Kind | undefined;
    if (f.base !== null) {
      const basePath = f.previousPath ?? f.path;
      options.watch?.(f.path, 'parse');
      const c = classify(basePath, f.base, { modules: onBase });
      if (c.type === 'document') {
        out.base.documents.push(c.document);
        out.base.texts.set(basePath, f.base);
        baseKind = c.document.kind;
      } else if (c.type === 'error') {
        out.base.errors.push(c.error);
        out.base.texts.set(basePath, f.base);
        baseKind = c.error.kind;
      }
    }
    if (f.head === null) continue;
    options.watch?.(f.path, 'parse');
    const c = classify(f.path, f.head, baseKind ? { expect: baseKind, modules: onHead } : { modules: onHead });
    if (c.type === 'document') {
      out.head.documents.push(c.document);
      out.head.texts.set(f.path, f.head);
      // Code read for one SDK may use another, or parts of it, the reviewer does not read: said.
      const unread = [c.document.meta?.['unread'], unreadCode(f.path, f.head, formatOf(c.document.kind).code, READABLE)].filter((u): u is string => typeof u === 'string');
      if (unread.length > 0) notReviewed(f.path, `partly reviewed (${kindPhrase(c.document.kind)}): ${unread.join('; ')}`);
    } else if (c.type === 'error') {
      out.head.errors.push(c.error);
      out.head.texts.set(f.path, f.head);
      notReviewed(f.path, `does not parse (line ${c.error.line}: ${c.error.message})`);
    } else if (f.head.trim() !== '') {
      // An empty file has nothing to review; anything else that a kind expected is a file unread.
      const claimedBy = claimingKind(f.path);
      if (claimedBy) notReviewed(f.path, `not readable as ${kindPhrase(claimedBy)}: ${reasonOf(c.reason)}`);
      // Code that stops calling an SDK a kind reads is ordinary code now: nothing left to review.
      else if (baseKind && formatOf(baseKind).code.length === 0) notReviewed(f.path, `no longer recognised as ${kindPhrase(baseKind)}, as it was on the base side: ${reasonOf(c.reason)}`);
      else {
        // ML or infrastructure written in code the reviewer does not map yet: said, never passed.
        // Code a kind read and found nothing it maps in is not listed for that SDK (a CDK app.py).
        const unread = c.unread ?? unreadCode(f.path, f.head, codeReadIn(f.path, f.head));
        if (unread) notReviewed(f.path, unread);
      }
    }
  }
  out.notReviewed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

/** `model-card: a README that is not a model card` -> `a README that is not a model card`. */
function reasonOf(none: string): string {
  const colon = none.indexOf(': ');
  return colon === -1 ? none : none.slice(colon + 2);
}
