/**
 * The command line: `ml-lens review | scan | rules | explain | schema | help`.
 *
 * `main(argv, io)` runs in-process (tests inject stdout, stderr, env, cwd) and returns the exit
 * code: 0 the gate passed (success or neutral), 1 the gate failed, 2 a usage, configuration or
 * internal error, reported as one line `ml-lens: <reason>` on stderr (the stack only with --debug).
 * The commands are in src/cli/: review and scan (review.ts), rules and explain (rules.ts), their
 * options and help texts (args.ts), output and progress (io.ts).
 */
import { ConfigError } from './config/load.js';
import { configJsonSchema } from './config/schema.js';
import { ReviewBudgetError } from './runner/index.js';
import { isPipelineRule, loadCatalogue, RuleLoadError } from './rules/loader.js';
import { loadCoverageData } from './rules/coverage.js';
import { practices } from './rules/practices.js';
import { buildLens } from './export/lens.js';
import { SourceError } from './sources/dir.js';
import { GitError } from './sources/git.js';
import { SetupError } from './jobs/setup.js';
import { GitHubReviewError } from './jobs/command-line.js';
import { packageVersion } from './version.js';
import { commandHelp, COMMANDS, firstLine, mainHelp, parse, suggest, UsageError, type OptionName } from './cli/args.js';
import { defaultIo, emit, EXIT, type Io } from './cli/io.js';
import { reviewCommand, scanCommand } from './cli/review.js';
import { coverageCommand, explainCommand, rulesCommand } from './cli/rules.js';

export type { Io, OutStream } from './cli/io.js';
export { EXIT } from './cli/io.js';
export { UsageError } from './cli/args.js';
export { packageVersion } from './version.js';

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
      await emit(`${JSON.stringify(buildLens(loadCatalogue().rules.filter((r) => !isPipelineRule(r)), practices(), loadCoverageData()), null, 2)}\n`, values, io, 'custom lens');
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
