/**
 * The push job: a push to the default branch is reviewed on the files it touched (as they are at
 * the pushed commit) and the tracking issues of those files are reconciled: opened for risk items
 * that landed, updated, closed when gone, reopened when back.
 *
 * An invalid configuration is reported on a failing check run on the pushed commit (there is no
 * pull request to tell). Other errors are logged: there is no check run to end.
 */
import { ConfigError } from '../config/load.js';
import { loadRemoteConfig } from '../config/remote.js';
import type { Review } from '../model.js';
import { failCheckRun, reconcileIssues, startCheckRun, type GitHubTarget, type TrackedIssue } from '../publish/github/index.js';
import { inlineRunner, type ReviewRunner } from '../runner/index.js';
import { pushChangeSet } from '../sources/github.js';
import { describeError } from './errors.js';
import { createEngine } from '../engine.js';
import { planInput, repoSetup, setupRequest, SetupError, sourcePlan } from './setup.js';
import { coveredPaths } from './history.js';
import { silentLog, type JobLog } from './types.js';
import type { ContextCache } from './context-cache.js';
import type { LearntFact } from '../parse-cache.js';

export interface PushRequest {
  before: string;
  after: string;
  defaultBranch: string;
  /** Touched paths from the payload; undefined: compared through the API. */
  paths?: string[] | undefined;
}

export interface PushEnv {
  log?: JobLog;
  now?: () => Date;
  toolVersion?: string;
  /** Where the review runs (see JobEnv.runner). */
  runner?: ReviewRunner;
  /** What earlier reviews of the repository remember of its unchanged files (jobs/context-cache.ts). */
  contextCache?: ContextCache | undefined;
}

export type PushOutcome = 'reconciled' | 'not-configured' | 'issues-off' | 'nothing-touched' | 'invalid-config' | 'failed';

export interface PushResult {
  outcome: PushOutcome;
  reason?: string;
  /** Reconciled: the review of the touched files, and what it covered and left (for the history). */
  reconciled?: { review: Review; paths: string[]; issues: TrackedIssue[]; publishRequests: number };
}

export async function reconcilePush(gh: GitHubTarget, push: PushRequest, env: PushEnv = {}): Promise<PushResult> {
  const log = env.log ?? silentLog;
  let config;
  let sources: string[];
  try {
    const remote = await loadRemoteConfig(gh.octokit, gh.owner, gh.repo);
    if (!remote) return { outcome: 'not-configured' };
    ({ config, sources } = remote);
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      const reason = describeError(e);
      log.error({ err: e, sha: push.after }, `push: reading the configuration failed: ${reason}`);
      return { outcome: 'failed', reason };
    }
    const reason = `Invalid configuration${e.file ? ` in ${e.file}` : ''}`;
    log.warn({ problems: e.problems, sha: push.after }, reason);
    try {
      const id = await startCheckRun(gh, push.after);
      await failCheckRun(gh, id, { reason, details: e.problems });
    } catch (err) {
      log.error({ err }, `push: could not report the invalid configuration: ${describeError(err)}`);
    }
    return { outcome: 'invalid-config', reason };
  }
  if (config.issues.create === 'never') return { outcome: 'issues-off' };
  if (push.paths !== undefined && push.paths.length === 0) return { outcome: 'nothing-touched' };

  /** The parse cache's write of what the review learnt: done before the job ends, never failing it. */
  let learning: Promise<void> | undefined;
  try {
    const engine = await createEngine();
    const plan = sourcePlan(engine, config, env.now?.() ?? new Date());
    const source = await pushChangeSet(gh, push, { plan, extras: setupRequest(config, push.after), known: env.contextCache?.known(plan.context) });
    // A renamed file's old path too: an issue still marked with it is closed if its finding is gone.
    const scopePaths = source.changeSet.files.flatMap((f) => (f.previousPath !== undefined ? [f.path, f.previousPath] : [f.path]));
    if (scopePaths.length === 0) return { outcome: 'nothing-touched' };
    const setup = repoSetup(engine, source.extras, config);
    const input = planInput(env, config, setup.catalogue, sources);
    // The same plan the review is made with (the runner builds it from the same input).
    const reviewPlan = engine.plan(input);
    const cache = env.contextCache;
    const learn = cache ? (facts: LearntFact[]) => void (learning = cache.learn(reviewPlan.context, facts)) : undefined;
    const result = await (env.runner ?? inlineRunner).review(source.changeSet, input, { toolVersion: env.toolVersion, learn });
    const published = await reconcileIssues(gh, {
      review: result,
      settings: reviewPlan.publish,
      defaultBranch: push.defaultBranch,
      sha: push.after,
      scopePaths,
      codeowners: setup.codeowners,
      ...(setup.templates ? { templates: setup.templates } : {}),
    });
    log.info({ sha: push.after, files: scopePaths.length, findings: result.findings.length, publishRequests: published.requests }, 'tracking issues reconciled');
    return {
      outcome: 'reconciled',
      reconciled: { review: result, paths: coveredPaths(source.changeSet), issues: published.issues, publishRequests: published.requests },
    };
  } catch (e) {
    const reason = e instanceof SetupError ? `${e.title}: ${e.problems.join('; ')}` : describeError(e);
    log.error({ err: e, sha: push.after }, `push: reconciling the tracking issues failed: ${reason}`);
    return { outcome: 'failed', reason };
  } finally {
    await learning;
  }
}
