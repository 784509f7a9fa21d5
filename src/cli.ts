/**
 * The command line: `ml-lens review | scan | rules | explain | schema | help`.
 *
 * `main(argv, io)` runs in-process (tests inject stdout, stderr, env, cwd) and returns the exit
 * code: 0 the gate passed (success or neutral), 1 the gate failed, 2 a usage, configuration or
 * internal error, reported as one line `ml-lens: <reason>` on stderr (the stack only with --debug).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/load.js';
import { configJsonSchema, type Config } from './config/schema.js';
import type { Catalogue, ChangeSet, Review, Rule } from './model.js';
import { PILLARS } from './model.js';
import { renderJson } from './render/json.js';
import { renderMarkdownReport, renderSummary } from './render/markdown.js';
import { renderSarif } from './render/sarif.js';
import { renderTerminal, shouldUseColor } from './render/terminal.js';
import { effectiveRules } from './review.js';
import { ReviewBudgetError, WorkerPool, type ReviewRunner, type RunOptions } from './runner/index.js';
import { loadCatalogue, PARSE_ERROR_RULE, RuleLoadError } from './rules/loader.js';
import { computeCoverage, loadCoverageData, renderCoverageJson, renderCoverageText } from './rules/coverage.js';
import { practices } from './rules/practices.js';
import { buildLens } from './export/lens.js';
import { dirChangeSet, scanRoot, SourceError } from './sources/dir.js';
import { GitError, gitChangeSet, readCommitFiles, resolveRange } from './sources/git.js';
import { readWorkingFiles } from './sources/repo-files.js';
import { repoSettings, type RepoSettings } from './repo-settings.js';
import { SetupError } from './jobs/setup.js';
import { GitHubReviewError, reviewGitHubPullRequest } from './jobs/command-line.js';

// ---------------------------------------------------------------------------------------------
// I/O
// ---------------------------------------------------------------------------------------------

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when the stream is a terminal. */
  columns?: number;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The clock, for suppression expiry (`until=`). */
  now: () => Date;
}

function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), now: () => new Date() };
}

/** A mistake in how the command was called. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { pass: 0, fail: 1, error: 2 } as const;

// ---------------------------------------------------------------------------------------------
// Commands and options
// ---------------------------------------------------------------------------------------------

const OPTIONS = {
  repo: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  github: { type: 'string' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  debug: { type: 'boolean' },
  coverage: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

const REPORT_FORMATS = ['terminal', 'markdown', 'summary', 'json', 'sarif'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

interface CommandSpec {
  usage: string;
  summary: string;
  options: OptionName[];
  details: string;
}

const COMMON: OptionName[] = ['config', 'output', 'debug', 'help'];

const COMMANDS: Record<string, CommandSpec> = {
  review: {
    usage: 'ml-lens review [--repo DIR] [--base REF] [--head REF] [--format FORMAT] [--output FILE] [--config FILE]\n       ml-lens review --github OWNER/REPO#N [--format FORMAT] [--output FILE]',
    summary: 'Review a git range as a pull request would see it (base...head).',
    options: ['repo', 'base', 'head', 'github', 'format', ...COMMON],
    details: `Reviews the files changed between the merge base of BASE and HEAD and HEAD, and tells new
findings from those already on the base. Only committed content is read, not the working tree.

  --repo DIR      the git repository (default: the current directory)
  --base REF      the branch the change would merge into (default: origin/HEAD, else main, else master)
  --head REF      the change (default: HEAD)
  --format F      terminal (default), markdown, summary, json or sarif
  --output FILE   write the report to FILE instead of standard output
  --config FILE   configuration (default: DIR/.github/ml-lens.yml or .yaml, if present)
  --github OWNER/REPO#N
                  instead, review that pull request through the GitHub API and publish the result
                  as the GitHub App does (check run, summary comment, inline review); the token is
                  GITHUB_TOKEN (GITHUB_API_URL for GitHub Enterprise Server). The configuration is
                  read from the repository's default branch.`,
  },
  scan: {
    usage: 'ml-lens scan PATH... [--format FORMAT] [--output FILE] [--config FILE]',
    summary: 'Review every file under the given files and directories, all as new.',
    options: ['format', ...COMMON],
    details: `Reads every file under PATH (skipping .git, node_modules, binary files and files over 1 MB) and
reviews them as if they were all added. Paths in the report are relative to the current directory
when every PATH is under it, else to the deepest directory holding them all; that directory is also
where .github/ml-lens.yml and custom rules are looked for.

  --format F      terminal (default), markdown, summary, json or sarif
  --output FILE   write the report to FILE instead of standard output
  --config FILE   configuration (default: ROOT/.github/ml-lens.yml or .yaml, if present)`,
  },
  rules: {
    usage: 'ml-lens rules [--coverage] [--format md|json] [--repo DIR] [--config FILE] [--output FILE]',
    summary: 'List the rule catalogue (built-in and the repository\'s custom rules).',
    options: ['format', 'repo', 'coverage', ...COMMON],
    details: `Lists the rules a review would run, after the configuration's rules.disable, rules.severity and
disabled pillars, grouped by pillar.

  --format F      md (Markdown, default) or json
  --coverage      instead, the ML Lens coverage of those rules: per pillar and lifecycle phase, the
                  practices a repository can show and how many a rule checks (--format terminal,
                  the default here, or json)
  --repo DIR      repository whose configuration and custom rules apply (default: the current directory)`,
  },
  'export-lens': {
    usage: 'ml-lens export-lens [--output FILE]',
    summary: 'Write the catalogue as an AWS Well-Architected Tool custom lens (JSON).',
    options: ['output', 'debug', 'help'],
    details: `Writes the ML Lens practices as a custom lens for the AWS Well-Architected Tool: one question per
pillar and lifecycle phase, one choice per practice, risk rules from the practices' risk levels,
and the built-in rules that check each practice with their remediation as the improvement plan.
Import it in the Well-Architected Tool console or with \`aws wellarchitected import-lens\`.`,
  },
  explain: {
    usage: 'ml-lens explain RULE-ID [--repo DIR] [--config FILE]',
    summary: 'Show one rule: what it checks, why, how to fix it, and its examples.',
    options: ['repo', ...COMMON],
    details: `  --repo DIR      repository whose custom rules are included (default: the current directory)`,
  },
  schema: {
    usage: 'ml-lens schema [--output FILE]',
    summary: 'Print the JSON Schema of .github/ml-lens.yml.',
    options: ['output', 'debug', 'help'],
    details: `Point your editor's YAML language server at it for completion and validation.`,
  },
  help: {
    usage: 'ml-lens help [COMMAND]',
    summary: 'Show help for ml-lens or one command.',
    options: ['help'],
    details: '',
  },
};

function mainHelp(version: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `ml-lens ${version}: reviews ML repositories against the AWS Well-Architected Machine Learning Lens.

Usage: ml-lens <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`)
  .join('\n')}

Options:
  -f, --format FORMAT  review/scan: terminal, markdown, summary, json, sarif; rules: md, json (--coverage: terminal, json)
  -o, --output FILE    write the output to FILE (a one-line note goes to stderr)
  -c, --config FILE    configuration file (default: .github/ml-lens.yml of the repository)
      --debug          print stack traces of errors
  -v, --version        print the version
  -h, --help           print help (also: ml-lens help <command>)

Exit codes:
  0  the gate passed (success or neutral)
  1  the gate failed (a new finding at or above gate.fail_on, or a pillar below gate.min_score)
  2  usage, configuration or internal error

Run 'ml-lens help <command>' for a command's options.
`;
}

function commandHelp(name: string): string {
  const spec = COMMANDS[name]!;
  return `Usage: ${spec.usage}\n\n${spec.summary}\n${spec.details ? `\n${spec.details}\n` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

export async function main(argv: string[], partialIo: Partial<Io> = {}): Promise<number> {
  const io: Io = { ...defaultIo(), ...partialIo };
  const debug = argv.includes('--debug');
  try {
    return await run(argv, io);
  } catch (e) {
    reportError(e, io, debug);
    return EXIT.error;
  }
}

function reportError(e: unknown, io: Io, debug: boolean): void {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RuleLoadError || e instanceof SetupError) {
    const problems = e.problems.length > 0 ? e.problems : [message];
    io.stderr.write(
      problems.length === 1 ? `ml-lens: cannot load the rules: ${problems[0]}\n` : `ml-lens: cannot load the rules:\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
  } else if (
    e instanceof UsageError ||
    e instanceof ConfigError ||
    e instanceof GitError ||
    e instanceof SourceError ||
    e instanceof GitHubReviewError ||
    e instanceof ReviewBudgetError
  ) {
    io.stderr.write(`ml-lens: ${message}\n`);
  } else {
    io.stderr.write(`ml-lens: internal error: ${firstLine(message)}${debug ? '' : ' (run with --debug for details)'}\n`);
  }
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv);
  const version = packageVersion();

  if (values.version) {
    io.stdout.write(`${version}\n`);
    return EXIT.pass;
  }
  const [command, ...args] = positionals;
  if (command === undefined) {
    if (values.help) {
      io.stdout.write(mainHelp(version));
      return EXIT.pass;
    }
    io.stderr.write(mainHelp(version));
    return EXIT.error;
  }
  if (!(command in COMMANDS)) throw new UsageError(`unknown command "${command}"${suggest(command, Object.keys(COMMANDS))}; see 'ml-lens help'`);
  if (values.help || command === 'help') {
    const topic = command === 'help' ? args[0] : command;
    if (topic === undefined) io.stdout.write(mainHelp(version));
    else if (topic in COMMANDS) io.stdout.write(commandHelp(topic));
    else throw new UsageError(`unknown command "${topic}"${suggest(topic, Object.keys(COMMANDS))}`);
    return EXIT.pass;
  }

  const spec = COMMANDS[command]!;
  for (const name of Object.keys(values) as OptionName[]) {
    if (values[name] !== undefined && !spec.options.includes(name) && name !== 'debug') {
      throw new UsageError(`--${name} is not an option of "${command}" (see ml-lens help ${command})`);
    }
  }

  switch (command) {
    case 'review':
      if (args.length > 0) throw new UsageError(`review takes no paths (got "${args[0]}"); use scan PATH... to review files`);
      return reviewCommand(values, io, version);
    case 'scan':
      if (args.length === 0) throw new UsageError('scan needs at least one PATH');
      return scanCommand(args, values, io, version);
    case 'rules':
      if (args.length > 0) throw new UsageError(`rules takes no arguments (got "${args[0]}")`);
      return values.coverage ? coverageCommand(values, io) : rulesCommand(values, io);
    case 'export-lens':
      if (args.length > 0) throw new UsageError(`export-lens takes no arguments (got "${args[0]}")`);
      await emit(`${JSON.stringify(buildLens(loadCatalogue().rules.filter((r) => r !== PARSE_ERROR_RULE), practices(), loadCoverageData()), null, 2)}\n`, values, io, 'custom lens');
      return EXIT.pass;
    case 'explain':
      if (args.length !== 1) throw new UsageError('explain needs exactly one RULE-ID');
      return explainCommand(args[0]!, values, io);
    case 'schema':
      if (args.length > 0) throw new UsageError(`schema takes no arguments (got "${args[0]}")`);
      await emit(`${JSON.stringify(configJsonSchema(), null, 2)}\n`, values, io, 'config JSON Schema');
      return EXIT.pass;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (e) {
    const err = e as Error & { code?: string };
    const opt = /--[\w-]+/.exec(err.message)?.[0] ?? /'(-[^' ,]+)/.exec(err.message)?.[1] ?? '';
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${opt}${suggest(opt.replace(/^-+/, ''), Object.keys(OPTIONS), '--')}; see 'ml-lens help'`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(/argument missing/.test(err.message) ? `${opt} needs a value` : `${opt} takes no value`);
      default:
        throw new UsageError(firstLine(err.message));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// review and scan
// ---------------------------------------------------------------------------------------------

async function reviewCommand(values: Values, io: Io, version: string): Promise<number> {
  const format = reportFormat(values.format);
  if (values.github !== undefined) return githubReviewCommand(values.github, format, values, io, version);
  const repo = resolve(io.cwd, values.repo ?? '.');
  if (!isDirectory(repo)) throw new UsageError(`--repo ${values.repo ?? '.'}: not a directory`);
  const refs: { base?: string; head?: string } = {};
  if (values.base !== undefined) refs.base = values.base;
  if (values.head !== undefined) refs.head = values.head;
  const range = await resolveRange(repo, refs);
  // Like the App: the configuration and custom rules of the branch the change merges into.
  const where = ` on ${range.baseRef} (${range.base.slice(0, 7)})`;
  const { config, configPath, catalogue } = await repoSettings((request) => readCommitFiles(repo, range.base, request), where, explicitConfig(values, io));
  const progress = progressReporter(io);
  const gitOptions: Parameters<typeof gitChangeSet>[1] = { config, range, onProgress: progress.update('read') };
  return withRunner(io, async (runner) => {
    const changeSet = await gitChangeSet(repo, gitOptions);
    progress.done();
    return finish(runner, changeSet, catalogue, config, configPath, format, values, io, version);
  });
}

/** `review --github OWNER/REPO#N`: the App's review and publishing, from any CI (src/jobs/command-line.ts). */
async function githubReviewCommand(ref: string, format: ReportFormat, values: Values, io: Io, version: string): Promise<number> {
  for (const other of ['repo', 'base', 'head', 'config'] as const) {
    if (values[other] !== undefined) throw new UsageError(`--github cannot be combined with --${other}: the pull request and its repository's configuration are read from GitHub`);
  }
  const { review: result, catalogue, config } = await reviewGitHubPullRequest(ref, { env: io.env, now: io.now, version });
  const toFile = values.output !== undefined;
  const terminal = { color: !toFile && shouldUseColor(io.stdout, io.env), width: toFile ? undefined : io.stdout.columns };
  await emit(renderReport(result, catalogue, config, format, version, terminal), values, io, `${format} report (gate: ${result.gate.conclusion})`);
  return result.gate.conclusion === 'failure' ? EXIT.fail : EXIT.pass;
}

async function scanCommand(paths: string[], values: Values, io: Io, version: string): Promise<number> {
  const format = reportFormat(values.format);
  const root = await scanRoot(
    paths.map((p) => resolve(io.cwd, p)),
    io.cwd,
  );
  const { config, configPath, catalogue } = await workingTreeSettings(root, values, io);
  const progress = progressReporter(io);
  return withRunner(io, async (runner) => {
    const changeSet = await dirChangeSet(paths, { cwd: io.cwd, config, onProgress: progress.update('read') });
    progress.done();
    return finish(runner, changeSet, catalogue, config, configPath, format, values, io, version);
  });
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
  catalogue: Catalogue,
  config: Config,
  configPath: string | undefined,
  format: ReportFormat,
  values: Values,
  io: Io,
  version: string,
): Promise<number> {
  const progress = progressReporter(io);
  const readable = changeSet.files.filter((f) => !f.skipped).length;
  progress.message(`reviewing ${readable} files...`, readable >= PROGRESS_MIN_FILES);
  const options: RunOptions = { today: isoDate(io.now()), toolVersion: version };
  if (configPath !== undefined) options.configPath = configPath;
  const result = await runner.review(changeSet, catalogue, config, options);
  progress.done();

  const toFile = values.output !== undefined;
  const terminal = { color: !toFile && shouldUseColor(io.stdout, io.env), width: toFile ? undefined : io.stdout.columns };
  const text = renderReport(result, catalogue, config, format, version, terminal);
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
  const gate = { failOn: config.gate.fail_on, minScore: config.gate.min_score };
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
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

function reportFormat(value: string | undefined): ReportFormat {
  if (value === undefined) return 'terminal';
  const v = value === 'md' ? 'markdown' : value;
  if ((REPORT_FORMATS as readonly string[]).includes(v)) return v as ReportFormat;
  throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')} (got "${value}")`);
}

// ---------------------------------------------------------------------------------------------
// rules, explain
// ---------------------------------------------------------------------------------------------

async function rulesCommand(values: Values, io: Io): Promise<number> {
  const format = values.format ?? 'md';
  if (!['md', 'markdown', 'json'].includes(format)) throw new UsageError(`--format of rules must be md or json (got "${format}")`);
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rules = effectiveRules(catalogue, config);
  const text = format === 'json' ? `${JSON.stringify(rules.map((r) => publicRule(r, io.cwd)), null, 2)}\n` : rulesMarkdown(rules);
  await emit(text, values, io, `rule list (${rules.length} rules)`);
  return EXIT.pass;
}

/** `rules --coverage`: the ML Lens coverage of the rules a review would run (src/rules/coverage.ts). */
async function coverageCommand(values: Values, io: Io): Promise<number> {
  const format = values.format ?? 'terminal';
  if (!['terminal', 'json'].includes(format)) throw new UsageError(`--format of rules --coverage must be terminal or json (got "${format}")`);
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rules = effectiveRules(catalogue, config).filter((r) => r !== PARSE_ERROR_RULE);
  const report = computeCoverage(rules, practices(), loadCoverageData());
  await emit(format === 'json' ? renderCoverageJson(report) : renderCoverageText(report), values, io, 'coverage report');
  return EXIT.pass;
}

/** A rule as `rules --format json` prints it: everything but absolute file paths. */
function publicRule(rule: Rule, cwd: string): Record<string, unknown> {
  return { ...rule, source: displayPath(rule.source, cwd) };
}

function rulesMarkdown(rules: Rule[]): string {
  const out: string[] = ['# ML Lens Reviewer rules', '', `${rules.length} rules.`, ''];
  for (const pillar of PILLARS) {
    const inPillar = rules.filter((r) => r.pillar === pillar).sort((a, b) => a.id.localeCompare(b.id));
    if (inPillar.length === 0) continue;
    out.push(`## ${titleCase(pillar)}`, '', '| Rule | Severity | Phase | Practices | Checks |', '|---|---|---|---|---|');
    for (const r of inPillar) {
      out.push(`| \`${r.id}\` | ${r.severity} | ${r.phase} | ${r.practices.join(', ')} | ${cell(r.title)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

async function explainCommand(id: string, values: Values, io: Io): Promise<number> {
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rule = catalogue.byId.get(id);
  if (!rule) {
    throw new UsageError(`unknown rule "${id}"${suggest(id, [...catalogue.byId.keys()])} ('ml-lens rules' lists them)`);
  }
  const effective = effectiveRules(catalogue, config).find((r) => r.id === id);
  const lines: string[] = [];
  lines.push(`${rule.id}: ${rule.title}`, '');
  lines.push(`  Pillar:      ${rule.pillar}`);
  lines.push(`  Phase:       ${rule.phase}`);
  const sev = effective ? effective.severity : rule.severity;
  lines.push(`  Severity:    ${sev}${sev !== rule.severity ? ` (configured; default ${rule.severity})` : ''}${effective ? '' : ' (disabled by the configuration)'}`);
  lines.push(`  Practices:   ${rule.practices.join(', ') || '-'}`);
  const applies = rule.match.map((m) => `${m.kind}${m.resource?.length ? ` ${m.resource.join(', ')}` : ''}`);
  lines.push(`  Applies to:  ${[...new Set(applies)].join('; ')}`);
  lines.push(`  Defined in:  ${displayPath(rule.source, io.cwd)}`);
  lines.push('', 'Finding message:', indent(rule.message), '', 'Remediation:', indent(rule.remediation));
  if (rule.notes) lines.push('', 'Notes:', indent(rule.notes));
  if (rule.fix) {
    const fixes = Object.entries(rule.fix).map(([kind, f]) => `${kind}: insert ${f.insert_attribute ?? f.insert_property ?? ''}`);
    lines.push('', 'Suggested fix:', indent(fixes.join('\n')));
  }
  for (const [label, examples] of [
    ['Fails on', rule.examples.fail],
    ['Passes on', rule.examples.pass],
  ] as const) {
    for (const ex of examples) lines.push('', `${label} (${ex.path}):`, indent(ex.content.replace(/\n+$/, ''), '    '));
  }
  lines.push('', 'Suppress one finding (on the line of the target or the line above, reason required):');
  lines.push(`  # ml-lens:ignore ${rule.id} <reason> [until=YYYY-MM-DD]`);
  await emit(`${lines.join('\n')}\n`, values, io, `explanation of ${rule.id}`);
  return EXIT.pass;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/** `--config FILE`, read as given (the user's own choice), with its name for messages. */
function explicitConfig(values: Values, io: Io): { file: string; label: string } | undefined {
  if (values.config === undefined) return undefined;
  const file = resolve(io.cwd, values.config);
  return { file, label: displayPath(file, io.cwd) };
}

/** Configuration and catalogue from a working tree (scan, rules, explain); see repo-settings.ts. */
function workingTreeSettings(root: string, values: Values, io: Io): Promise<RepoSettings> {
  return repoSettings((request) => readWorkingFiles(root, request), '', explicitConfig(values, io));
}

async function emit(text: string, values: Values, io: Io, what: string): Promise<void> {
  if (values.output === undefined) {
    io.stdout.write(text);
    return;
  }
  const file = resolve(io.cwd, values.output);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot write ${values.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  io.stderr.write(`ml-lens: wrote ${what} to ${displayPath(file, io.cwd)}\n`);
}

const PROGRESS_MIN_FILES = 100;

/** Progress on stderr, only when stderr is a terminal, on one line that is cleared afterwards. */
function progressReporter(io: Io) {
  const tty = io.stderr.isTTY === true;
  let shown = false;
  return {
    update:
      (verb: string) =>
      (done: number, total: number): void => {
        if (!tty || total < PROGRESS_MIN_FILES) return;
        io.stderr.write(`\r${verb} ${done}/${total} files\x1b[K`);
        shown = true;
      },
    message(text: string, when: boolean): void {
      if (!tty || !when) return;
      io.stderr.write(`\r${text}\x1b[K`);
      shown = true;
    },
    done(): void {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function displayPath(p: string, cwd: string): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(cwd, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : p;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function indent(text: string, pad = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function titleCase(s: string): string {
  return s
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** ` (did you mean "x"?)` when a known name is close to what was typed. */
function suggest(typed: string, known: string[], prefix = ''): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(typed.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return best !== undefined && bestDistance <= limit ? `; did you mean "${prefix}${best}"?` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

let cachedVersion: string | undefined;
/** The package version, from package.json one level above this file (src/ or dist/). */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const url = new URL('../package.json', import.meta.url);
    cachedVersion = existsSync(url) ? ((JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? '0.0.0') : '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}
