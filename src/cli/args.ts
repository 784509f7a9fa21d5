/**
 * The command line's commands and options: the option table, the usage and help texts, parsing
 * argv into option values and positionals, and the one-line usage errors (with "did you mean").
 */
import { parseArgs } from 'node:util';

/** A mistake in how the command was called. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  repo: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  github: { type: 'string' },
  staged: { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  'fail-on': { type: 'string' },
  debug: { type: 'boolean' },
  coverage: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

export const REPORT_FORMATS = ['terminal', 'markdown', 'summary', 'json', 'sarif', 'gitlab'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface CommandSpec {
  usage: string;
  summary: string;
  options: OptionName[];
  details: string;
}

const COMMON: OptionName[] = ['config', 'output', 'debug', 'help'];

export const COMMANDS: Record<string, CommandSpec> = {
  review: {
    usage: 'ml-lens review [--repo DIR] [--base REF] [--head REF] [--format FORMAT] [--output FILE] [--config FILE] [--fail-on SEV]\n       ml-lens review --github OWNER/REPO#N [--format FORMAT] [--output FILE] [--fail-on SEV]\n       ml-lens review --staged [--repo DIR] [--format FORMAT] [--output FILE] [--config FILE]',
    summary: 'Review a git range as a pull request would see it (base...head), or what is staged.',
    options: ['repo', 'base', 'head', 'github', 'staged', 'format', 'fail-on', ...COMMON],
    details: `Reviews the files changed between the merge base of BASE and HEAD and HEAD, and tells new
findings from those already on the base. Only committed content is read, not the working tree.

  --repo DIR      the git repository (default: the current directory)
  --base REF      the branch the change would merge into (default: origin/HEAD, else main, else master)
  --head REF      the change (default: HEAD)
  --format F      terminal (default), markdown, summary, json, sarif (GitHub code scanning) or
                  gitlab (a GitLab Code Quality report: new and existing findings)
  --output FILE   write the report to FILE instead of standard output
  --config FILE   configuration (default: DIR/.github/ml-lens.yml or .yaml, if present)
  --fail-on SEV   fail the gate on a new finding at or above SEV (critical, high, medium, low,
                  info), instead of the configuration's gate.fail_on
  --github OWNER/REPO#N
                  instead, review that pull request through the GitHub API and publish the result
                  as the GitHub App does (check run, summary comment, inline review); the token is
                  GITHUB_TOKEN (GITHUB_API_URL for GitHub Enterprise Server). The configuration is
                  read from the repository's default branch.
  --staged        instead, review what is staged (the index, as the next commit would record it;
                  GIT_INDEX_FILE when set) against HEAD, or against nothing before the first
                  commit, with the configuration and custom rules as staged. Unstaged edits are
                  not read. Made for a pre-commit hook; not with --base, --head or --github.`,
  },
  scan: {
    usage: 'ml-lens scan PATH... [--format FORMAT] [--output FILE] [--config FILE] [--fail-on SEV]',
    summary: 'Review every file under the given files and directories, all as new.',
    options: ['format', 'fail-on', ...COMMON],
    details: `Reads every file under PATH (skipping .git, node_modules, Python virtual environments and
site-packages, caches, the CDK's cdk.out/asset.* copies, binary files and files over 1 MB) and
reviews them as if they were all added. Paths in the report are relative to the current directory
when every PATH is under it, else to the deepest directory holding them all; that directory is also
where .github/ml-lens.yml and custom rules are looked for.

  --format F      terminal (default), markdown, summary, json, sarif (GitHub code scanning) or
                  gitlab (a GitLab Code Quality report: new and existing findings)
  --output FILE   write the report to FILE instead of standard output
  --config FILE   configuration (default: ROOT/.github/ml-lens.yml or .yaml, if present)
  --fail-on SEV   fail the gate on a finding at or above SEV, instead of gate.fail_on`,
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

export function mainHelp(version: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `ml-lens ${version}: reviews ML repositories against the AWS Well-Architected Machine Learning Lens.

Usage: ml-lens <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`)
  .join('\n')}

Options:
  -f, --format FORMAT  review/scan: terminal, markdown, summary, json, sarif, gitlab; rules: md, json (--coverage: terminal, json)
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

export function commandHelp(name: string): string {
  const spec = COMMANDS[name]!;
  return `Usage: ${spec.usage}\n\n${spec.summary}\n${spec.details ? `\n${spec.details}\n` : ''}`;
}

export function parse(argv: string[]): { values: Values; positionals: string[] } {
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

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** ` (did you mean "x"?)` when a known name is close to what was typed. */
export function suggest(typed: string, known: string[], prefix = ''): string {
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
