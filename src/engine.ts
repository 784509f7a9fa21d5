/**
 * The engine: what every review needs and is costly to set up, made once per process (or worker
 * thread) by `await createEngine()`: the parsers started (the Terraform grammar is WebAssembly)
 * and the built-in catalogue loaded. Every entry point (the command line, the App's jobs,
 * `review --github`, the worker threads) builds its reviews the same way through it:
 *
 *   engine.catalogue(customRules) -> engine.plan({ config, catalogue, today }) -> engine.review(changeSet, plan)
 */
import { startParsers } from './formats/index.js';
import type { Catalogue, ChangeSet, Review, Rule } from './model.js';
import { planReview, type PlanInput, type ReviewPlan } from './plan.js';
import { review, type ReviewOptions } from './review.js';
import { buildCatalogue, isPipelineRule, loadCatalogue } from './rules/loader.js';

export interface Engine {
  /** The rules shipped with the tool (without the built-in `parse-error`, which every catalogue has). */
  readonly builtinRules: readonly Rule[];
  /** The built-in rules plus a repository's own; throws RuleLoadError (a duplicate id, say). */
  catalogue(custom?: readonly Rule[]): Catalogue;
  plan(input: PlanInput): ReviewPlan;
  review(changeSet: ChangeSet, plan: ReviewPlan, options?: ReviewOptions): Review;
}

let engine: Promise<Engine> | undefined;

/**
 * The engine of this process (or worker thread): made on the first call, the same one after. The
 * parsers are process-wide (a WebAssembly module each), so a second engine would share them anyway.
 */
export function createEngine(): Promise<Engine> {
  engine ??= build();
  return engine;
}

async function build(): Promise<Engine> {
  await startParsers();
  // Loaded on first use: a worker thread reviews with the catalogue it is sent and never needs it.
  let builtin: { rules: readonly Rule[]; catalogue: Catalogue } | undefined;
  const shipped = () => {
    if (!builtin) {
      const rules = loadCatalogue().rules.filter((r) => !isPipelineRule(r));
      builtin = { rules, catalogue: buildCatalogue(rules) };
    }
    return builtin;
  };
  return {
    get builtinRules() {
      return shipped().rules;
    },
    catalogue: (custom = []) => (custom.length === 0 ? shipped().catalogue : buildCatalogue([...shipped().rules, ...custom])),
    plan: planReview,
    review,
  };
}
