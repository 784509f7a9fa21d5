/**
 * The repository predicates, `tree_has` and `resource_exists`: they read the repository context,
 * not the target, so their verdicts are memoised once per review.
 */
import type { PredicateContext, RepositoryContext } from './contexts.js';
import { compileGlob } from './patterns.js';
import type { Verdict } from './verdicts.js';

function list(x: string | string[]): string[] {
  return typeof x === 'string' ? [x] : x;
}

/** A repository predicate's verdict, memoised on the repository context. */
function memoised(key: string, repo: RepositoryContext, compute: () => Verdict): Verdict {
  repo.memo ??= new Map();
  let v = repo.memo.get(key);
  if (!v) {
    v = compute();
    repo.memo.set(key, v);
  }
  return v;
}

export function treeHas(arg: string | string[], ctx: PredicateContext): Verdict {
  const repo = ctx.repo;
  if (!repo) return { outcome: 'unknown', attribute: 'tree', actual: 'repository tree not available' };
  return memoised(`tree_has\u0000${list(arg).join('\u0000')}`, repo, () => treeHasUncached(list(arg), repo));
}

function treeHasUncached(globsList: string[], repo: RepositoryContext): Verdict {
  const matchers = globsList.map(compileGlob);
  const found = repo.tree.find((p) => matchers.some((m) => m(p)));
  if (found !== undefined) return { outcome: 'pass', attribute: 'tree', actual: found };
  return { outcome: 'fail', attribute: 'tree', actual: `no file matches ${globsList.join(', ')}` };
}

export function resourceExists(arg: string | string[], ctx: PredicateContext): Verdict {
  const repo = ctx.repo;
  if (!repo) return { outcome: 'unknown', attribute: 'resources', actual: 'repository context not available' };
  return memoised(`resource_exists\u0000${list(arg).join('\u0000')}`, repo, () => resourceExistsUncached(list(arg), repo));
}

function resourceExistsUncached(typeList: string[], repo: RepositoryContext): Verdict {
  const types = new Set(typeList);
  for (const docs of [repo.documents, repo.context?.holding(types) ?? []]) {
    for (const doc of docs) {
      const t = doc.targets.find((x) => types.has(x.type));
      if (t) return { outcome: 'pass', attribute: 'resources', actual: `${t.address} in ${doc.path}` };
    }
  }
  const actual = `no ${[...types].join(' or ')} found`;
  // Files the source did not read may hold one: only a complete context can say "none".
  return { outcome: repo.contextComplete ? 'fail' : 'unknown', attribute: 'resources', actual };
}
