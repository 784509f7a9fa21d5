/**
 * The check run: created `in_progress` when a review starts, completed with the gate's conclusion
 * (the merge gate a required status check enforces) as `check-plan.ts` plans it. Errors and
 * superseded or interrupted runs end the run too, so it never stays `in_progress`. The texts come
 * from the built-in `check-*.hbs` templates (see texts.ts).
 */
import { planCheckCompletion, type CheckRunUpdate, type CompletionInput } from './check-plan.js';
import { step, type GitHubTarget } from './common.js';
import { withRetry, type RetryOptions } from './retry.js';
import { checkFailedText, checkNeutralText, checkStartedText, type CheckFailure, type NeutralEnd } from './texts.js';

export const CHECK_NAME = 'ML Lens';

export async function startCheckRun(gh: GitHubTarget, headSha: string, opts: { externalId?: string } = {}): Promise<number> {
  const { data } = await step('creating the check run', () =>
    gh.octokit.rest.checks.create({
      owner: gh.owner,
      repo: gh.repo,
      name: CHECK_NAME,
      head_sha: headSha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      ...(opts.externalId ? { external_id: opts.externalId } : {}),
      output: checkStartedText(),
    }),
  );
  return data.id;
}

/**
 * The check run of ours still `in_progress` on `headSha` for the same pull request (`externalId`),
 * if any: left by a run of the job whose worker died. One request.
 */
export async function findOpenCheckRun(gh: GitHubTarget, headSha: string, externalId: string): Promise<number | undefined> {
  const { data } = await step('looking for the check run a stopped reviewer left', () =>
    gh.octokit.rest.checks.listForRef({ owner: gh.owner, repo: gh.repo, ref: headSha, check_name: CHECK_NAME, status: 'in_progress', filter: 'all', per_page: 100 }),
  );
  return data.check_runs.find((r) => r.external_id === externalId)?.id;
}

export interface CompleteInput extends CompletionInput {
  checkRunId: number;
  retry?: RetryOptions;
}

/** Sends one planned update; the completing one gets the time it completes at. */
async function sendUpdate(gh: GitHubTarget, checkRunId: number, update: CheckRunUpdate, retry?: RetryOptions): Promise<void> {
  const { complete } = update;
  await withRetry(() =>
    step(update.step, () =>
      gh.octokit.rest.checks.update({
      owner: gh.owner,
      repo: gh.repo,
      check_run_id: checkRunId,
      ...(complete
        ? { status: 'completed' as const, conclusion: complete.conclusion, completed_at: new Date().toISOString(), actions: complete.actions }
        : {}),
        output: update.output,
      }),
    ),
    retry,
  );
}

/** Completes the run as planned: one update, plus one a further 50 annotations. */
export async function completeCheckRun(gh: GitHubTarget, input: CompleteInput): Promise<void> {
  for (const update of planCheckCompletion(input)) await sendUpdate(gh, input.checkRunId, update, input.retry);
}

/**
 * Ends a run as `failure` with the reason (and details, one per line). Never throws: when the full
 * update fails it tries a brief one, and gives up quietly after that (it is called on the error
 * path, where a second error would only hide the first).
 */
export async function failCheckRun(gh: GitHubTarget, checkRunId: number, failure: CheckFailure): Promise<void> {
  for (const brief of [false, true]) {
    try {
      await gh.octokit.rest.checks.update({
        owner: gh.owner,
        repo: gh.repo,
        check_run_id: checkRunId,
        status: 'completed',
        conclusion: 'failure',
        completed_at: new Date().toISOString(),
        output: checkFailedText(failure, brief),
      });
      return;
    } catch {
      // try the next, smaller update
    }
  }
}

/** Ends a run as `neutral` (never blocks a merge): a newer commit superseded it, or the reviewer is stopping. */
export async function neutralCheckRun(gh: GitHubTarget, checkRunId: number, end: NeutralEnd): Promise<void> {
  await step('ending the check run', () =>
    gh.octokit.rest.checks.update({
      owner: gh.owner,
      repo: gh.repo,
      check_run_id: checkRunId,
      status: 'completed',
      conclusion: 'neutral',
      completed_at: new Date().toISOString(),
      output: checkNeutralText(end),
    }),
  );
}
