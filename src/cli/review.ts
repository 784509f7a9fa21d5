/**
 * `ml-lens review` (a git range, the index with --staged, or a GitHub pull request with --github)
 * and `ml-lens scan` (files and folders, all as new): reading the change, reviewing it in a
 * worker, rendering the report.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { SEVERITIES, type Catalogue, type ChangeSet, type Review, type Severity } from '../model.js';
import { renderJson } from '../render/json.js';
import { renderMarkdownReport, renderSummary } from '../render/markdown.js';
import { renderSarif } from '../render/sarif.js';
import { renderGitLab } from '../render/gitlab.js';
import { renderTerminal, shouldUseColor } from '../render/terminal.js';
import { planReview, type PlanInput } from '../plan.js';
import { WorkerPool, type ReviewRunner } from '../runner/index.js';
import { dirChangeSet, scanRoot } from '../sources/dir.js';
import { gitChangeSet, readCommitFiles, readStagedFiles, resolveRange, resolveStaged, type GitSourceOptions } from '../sources/git.js';
import { repoSettings, type ReadFiles } from '../repo-settings.js';
import { reviewGitHubPullRequest } from '../jobs/command-line.js';
import { REPORT_FORMATS, UsageError, type ReportFormat, type Values } from './args.js';
import { emit, EXIT, progressReporter, PROGRESS_MIN_FILES, type Io } from './io.js';
import { explicitConfig, workingTreeSettings } from './settings.js';

export async function reviewCommand(values: Values, io: Io, version: string): Promise<number> {
  const format = reportFormat(values.format);
  if (values.staged) {
    for (const other of ['github', 'base', 'head'] as const) {
      if (values[other] !== undefined) throw new UsageError(`--staged cannot be combined with --${other}: it reviews what is staged (the index) against HEAD`);
    }
  }
  if (values.github !== undefined) return githubReviewCommand(values.github, format, values, io, version);
  const repo = resolve(io.cwd, values.repo ?? '.');
  if (!isDirectory(repo)) throw new UsageError(`--repo ${values.repo ?? '.'}: not a directory`);
  const source = values.staged ? await stagedSource(repo, io) : await rangeSource(repo, values);
  const settings = await repoSettings(source.read, source.where, explicitConfig(values, io));
  const { configPath, catalogue } = settings;
  const config = withFailOn(settings.config, values['fail-on']);
  const input: PlanInput = { config, catalogue, today: isoDate(io.now()), configPath };
  const progress = progressReporter(io);
  const gitOptions: GitSourceOptions = { plan: planReview(input), ...source.side, onProgress: progress.update('read') };
  return withRunner(io, async (runner) => {
    const changeSet = await gitChangeSet(repo, gitOptions);
    progress.done();
    return finish(runner, changeSet, input, format, values, io, version);
  });
}

/** What `review` reads: the change, and where the configuration and custom rules come from (`where`, for messages). */
interface ReviewSource {
  side: Pick<GitSourceOptions, 'range' | 'staged'>;
  read: ReadFiles;
  where: string;
}

/** A git range; like the App, the configuration and custom rules of the branch the change merges into. */
async function rangeSource(repo: string, values: Values): Promise<ReviewSource> {
  const refs: { base?: string; head?: string } = {};
  if (values.base !== undefined) refs.base = values.base;
  if (values.head !== undefined) refs.head = values.head;
  const range = await resolveRange(repo, refs);
  return { side: { range }, read: (request) => readCommitFiles(repo, range.base, request), where: ` on ${range.baseRef} (${range.base.slice(0, 7)})` };
}

/**
 * `--staged`: the index against HEAD, as the commit would record it (the index `GIT_INDEX_FILE`
 * names when set, as during `git commit -a`), and the configuration and custom rules as staged: the
 * ones the commit carries, so that the verdict never depends on unstaged edits.
 */
async function stagedSource(repo: string, io: Io): Promise<ReviewSource> {
  const indexFile = io.env.GIT_INDEX_FILE;
  const staged = await resolveStaged(repo, indexFile ? { indexFile } : {});
  return { side: { staged }, read: (request) => readStagedFiles(repo, staged, request), where: ' as staged' };
}

/** `review --github OWNER/REPO#N`: the App's review and publishing, from any CI (src/jobs/command-line.ts). */
async function githubReviewCommand(ref: string, format: ReportFormat, values: Values, io: Io, version: string): Promise<number> {
  for (const other of ['repo', 'base', 'head', 'config'] as const) {
    if (values[other] !== undefined) throw new UsageError(`--github cannot be combined with --${other}: the pull request and its repository's configuration are read from GitHub`);
  }
  const failOn = values['fail-on'] === undefined ? undefined : severityOption(values['fail-on']);
  const { review: result, catalogue, config } = await reviewGitHubPullRequest(ref, { env: io.env, now: io.now, version, ...(failOn ? { failOn } : {}) });
  const toFile = values.output !== undefined;
  const terminal = { color: !toFile && shouldUseColor(io.stdout, io.env), width: toFile ? undefined : io.stdout.columns };
  await emit(renderReport(result, catalogue, config, format, version, terminal), values, io, `${format} report (gate: ${result.gate.conclusion})`);
  return result.gate.conclusion === 'failure' ? EXIT.fail : EXIT.pass;
}

export async function scanCommand(paths: string[], values: Values, io: Io, version: string): Promise<number> {
  const format = reportFormat(values.format);
  const root = await scanRoot(
    paths.map((p) => resolve(io.cwd, p)),
    io.cwd,
  );
  const settings = await workingTreeSettings(root, values, io);
  const { configPath, catalogue } = settings;
  const config = withFailOn(settings.config, values['fail-on']);
  const input: PlanInput = { config, catalogue, today: isoDate(io.now()), configPath };
  const progress = progressReporter(io);
  const { wanted } = planReview(input);
  return withRunner(io, async (runner) => {
    const changeSet = await dirChangeSet(paths, { cwd: io.cwd, wanted, onProgress: progress.update('read') });
    progress.done();
    return finish(runner, changeSet, input, format, values, io, version);
  });
}

/** `--fail-on SEV`: a severity, or a usage error naming the choices. */
function severityOption(value: string): Severity {
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(', ')}, got "${value}"`);
  return value as Severity;
}

/** The configuration with `--fail-on` as its gate's severity, when given. */
function withFailOn(config: Config, value: string | undefined): Config {
  return value === undefined ? config : { ...config, gate: { ...config.gate, fail_on: severityOption(value) } };
}

/**
 * A review runs in a worker thread, started while the files are read, so that every file is held
 * to the time budget (ML_LENS_FILE_TIMEOUT_MS) and one pathological file cannot hang the command.
 */
async function withRunner(io: Io, fn: (runner: ReviewRunner) => Promise<number>): Promise<number> {
  const pool = new WorkerPool({ size: 1, env: io.env });
  const warming = pool.warm();
  warming.catch(() => undefined); // reported by the review that waits for it
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}

async function finish(
  runner: ReviewRunner,
  changeSet: ChangeSet,
  input: PlanInput,
  format: ReportFormat,
  values: Values,
  io: Io,
  version: string,
): Promise<number> {
  const progress = progressReporter(io);
  const readable = changeSet.files.filter((f) => !f.skipped).length;
  progress.message(`reviewing ${readable} files...`, readable >= PROGRESS_MIN_FILES);
  const result = await runner.review(changeSet, input, { toolVersion: version });
  progress.done();

  const toFile = values.output !== undefined;
  const terminal = { color: !toFile && shouldUseColor(io.stdout, io.env), width: toFile ? undefined : io.stdout.columns };
  const text = renderReport(result, input.catalogue, input.config, format, version, terminal);
  await emit(text, values, io, `${format} report (gate: ${result.gate.conclusion})`);
  return result.gate.conclusion === 'failure' ? EXIT.fail : EXIT.pass;
}

function renderReport(
  result: Review,
  catalogue: Catalogue,
  config: Config,
  format: ReportFormat,
  version: string,
  terminal: { color: boolean; width: number | undefined },
): string {
  const gate = { failOn: config.gate.fail_on, minScore: config.gate.min_score, groupFrom: config.comments.group_from };
  let text: string;
  switch (format) {
    case 'terminal':
      text = renderTerminal(result, { ...gate, color: terminal.color, ...(terminal.width ? { width: terminal.width } : {}) });
      break;
    case 'markdown':
      text = renderMarkdownReport(result, gate);
      break;
    case 'summary':
      text = renderSummary(result, gate);
      break;
    case 'json':
      text = renderJson(result);
      break;
    case 'sarif':
      text = renderSarif(result, catalogue, { toolVersion: version });
      break;
    case 'gitlab':
      text = renderGitLab(result);
      break;
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

function reportFormat(value: string | undefined): ReportFormat {
  if (value === undefined) return 'terminal';
  const v = value === 'md' ? 'markdown' : value;
  if ((REPORT_FORMATS as readonly string[]).includes(v)) return v as ReportFormat;
  throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')} (got "${value}")`);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
