/**
 * The parse cache as a job uses it, for one repository: which context files the source need not
 * fetch (their facts are remembered and answer this plan's rules), and remembering what a review
 * learnt of the files it did fetch. The keys and what a fact answers are parse-cache.ts's; where
 * facts are kept is the store's (src/store). Never fails a job: a store that does not answer makes
 * every file a miss.
 */
import { answers, contextKey, type ContextBlob, type ContextFact, type ContextNeeds, type LearntFact } from '../parse-cache.js';
import type { ParseCacheStore, RepositoryRef } from '../store/index.js';

export interface ContextCache {
  /** The remembered facts, by path, of those files that answer every question of `needs`. */
  known(needs: ContextNeeds): (files: ContextBlob[]) => Promise<ReadonlyMap<string, ContextFact>>;
  /** Remembers what a review made with `needs` learnt; resolves when written (or given up). */
  learn(needs: ContextNeeds, facts: readonly LearntFact[]): Promise<void>;
}

export function contextCache(store: ParseCacheStore, repo: RepositoryRef): ContextCache {
  return {
    known: (needs) => async (files) => {
      const byKey = new Map(files.map((f) => [contextKey(f, needs), f.path]));
      const found = await store.recall(repo, [...byKey.keys()]);
      const out = new Map<string, ContextFact>();
      for (const [key, fact] of found) {
        const path = byKey.get(key);
        if (path !== undefined && answers(fact, path, needs)) out.set(path, fact);
      }
      return out;
    },
    learn: (needs, facts) => store.remember(repo, facts.map((f) => ({ key: contextKey(f, needs), fact: f.fact }))),
  };
}
