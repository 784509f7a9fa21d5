/**
 * Verdicts of predicates, with their evidence, and the three-valued (Kleene) logic that combines
 * them: `and`, `or` and `negate`.
 */
import type { Node, Outcome } from '../../model.js';

export interface Verdict {
  outcome: Outcome;
  /** Concrete attribute path the verdict is about (`production_variants[0].instance_type`). */
  attribute?: string | undefined;
  /** Node to anchor a finding on; undefined when the attribute is missing. */
  node?: Node;
  /** Line to anchor on: the key's line of `node`, or the enclosing item's line for a missing attribute. */
  line?: number;
  /** The actual value, rendered short, for messages ("absent" when missing). */
  actual?: string;
  /**
   * The attribute was looked up from `$document` or `$parent`, outside the target: a missing one
   * cannot be inserted into the target by a fix.
   */
  outside?: boolean;
}

/** Kleene conjunction: fail beats unknown beats pass. Keeps the evidence of the deciding verdict. */
export function and(verdicts: Iterable<Verdict>): Verdict {
  let unknown: Verdict | undefined;
  let first: Verdict | undefined;
  for (const v of verdicts) {
    if (v.outcome === 'fail') return v;
    if (v.outcome === 'unknown') unknown ??= v;
    first ??= v;
  }
  return unknown ?? first ?? { outcome: 'pass' };
}

/** Kleene disjunction: pass beats unknown beats fail. */
export function or(verdicts: Iterable<Verdict>): Verdict {
  let unknown: Verdict | undefined;
  let first: Verdict | undefined;
  for (const v of verdicts) {
    if (v.outcome === 'pass') return v;
    if (v.outcome === 'unknown') unknown ??= v;
    first ??= v;
  }
  return unknown ?? first ?? { outcome: 'fail' };
}

export function negate(v: Verdict): Verdict {
  const outcome: Outcome = v.outcome === 'pass' ? 'fail' : v.outcome === 'fail' ? 'pass' : 'unknown';
  return { ...v, outcome };
}
