/**
 * Reviews in tests, built the way every entry point builds them: the engine, a plan from a config,
 * catalogue and date, then `engine.review`. Also a ChangeSet builder with both trees.
 */
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { createEngine, type Engine } from '../../src/engine.js';
import { KINDS, type Catalogue, type ChangeSet, type FileChange, type Review } from '../../src/model.js';
import type { ReviewOptions } from '../../src/review.js';
import { baseTreeOf } from '../../src/sources/context.js';

export const TODAY = '2026-11-28';

export interface TestReviewOptions extends ReviewOptions {
  catalogue?: Catalogue;
  config?: Config;
  today?: string;
  configPath?: string;
}

/** `review(changeSet, options)`: the built-in catalogue, the default config and TODAY unless given. */
export async function reviewer(): Promise<(changeSet: ChangeSet, options?: TestReviewOptions) => Review> {
  const engine: Engine = await createEngine();
  return (changeSet, options = {}) => {
    const { catalogue, config, today, configPath, ...rest } = options;
    const plan = engine.plan({ config: config ?? defaultConfig(), catalogue: catalogue ?? engine.catalogue(), today: today ?? TODAY, configPath });
    return engine.review(changeSet, plan, rest);
  };
}

/**
 * A ChangeSet of `files`. The head tree is the files' head paths plus `tree`; the base tree is
 * derived from it and the change, as the sources do. Context, when given, is complete and chosen
 * for every kind, unless `context` says otherwise.
 */
export function changeSetOf(
  files: FileChange[],
  over: { tree?: string[]; context?: { path: string; text: string }[]; contextComplete?: boolean; meta?: ChangeSet['meta']; truncated?: number } = {},
): ChangeSet {
  const head = [...new Set([...files.filter((f) => f.status !== 'removed').map((f) => f.path), ...(over.tree ?? []), ...(over.context ?? []).map((c) => c.path)])].sort();
  const cs: ChangeSet = {
    files,
    trees: { head, base: baseTreeOf(head, files) },
    context: { kinds: [...KINDS], files: over.context ?? [], complete: over.contextComplete ?? true },
    meta: over.meta ?? { source: 'git' },
  };
  if (over.truncated !== undefined) cs.truncated = over.truncated;
  return cs;
}
