/**
 * What a review needs from the repository besides the change, all read from the default branch in
 * the first content query (never from the pull request, so a change cannot relax its own review):
 * the custom rules (`rules.custom`), template overrides (`.github/ml-lens/templates/*.hbs`) and
 * CODEOWNERS.
 */
import type { Config } from '../config/schema.js';
import type { Catalogue, Rule } from '../model.js';
import type { ReviewOptions } from '../review.js';
import { checkOverrides } from '../render/handlebars.js';
import { buildCatalogue, loadCatalogue, PARSE_ERROR_RULE, parseRuleFile, RuleLoadError } from '../rules/loader.js';
import type { Extras, ExtrasRequest } from '../sources/github.js';

export const TEMPLATES_DIR = '.github/ml-lens/templates';
/** Where GitHub looks for CODEOWNERS, in its order. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** The repository's rules, templates or CODEOWNERS cannot be used; `problems` says why, one a line. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  constructor(
    readonly title: string,
    readonly problems: string[],
  ) {
    super(`${title}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export interface RepoSetup {
  catalogue: Catalogue;
  templates?: Record<string, string>;
  codeowners: string | null;
}

function folder(path: string): string {
  return path.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

/** The custom rules folder (`rules.custom`) as a repository path. */
export function rulesFolder(config: Config): string {
  return folder(config.rules.custom);
}

/** What to read from `ref` (the default branch) alongside the change. */
export function setupRequest(config: Config, ref: string): ExtrasRequest {
  return { ref, dirs: [rulesFolder(config), TEMPLATES_DIR], files: [...CODEOWNERS_PATHS] };
}

let builtIn: Rule[] | undefined;
/** The catalogue shipped with the tool (without the built-in parse-error rule), loaded once per process. */
export function builtInRules(): Rule[] {
  builtIn ??= loadCatalogue().rules.filter((r) => r !== PARSE_ERROR_RULE);
  return builtIn;
}

/** The catalogue (built-in plus custom rules), template overrides and CODEOWNERS, or a SetupError. */
export function repoSetup(extras: Extras, config: Config): RepoSetup {
  const rulesDir = rulesFolder(config);
  const custom: Rule[] = [];
  const ruleProblems: string[] = [];
  for (const f of extras.dirs.get(rulesDir) ?? []) {
    if (!/\.ya?ml$/.test(f.name)) continue;
    const path = `${rulesDir}/${f.name}`;
    if (f.text === null) {
      ruleProblems.push(`${path}: ${f.skipped ?? 'cannot be read'}`);
      continue;
    }
    try {
      custom.push(...parseRuleFile(path, f.text));
    } catch (e) {
      if (e instanceof RuleLoadError) ruleProblems.push(...e.problems);
      else throw e;
    }
  }
  let catalogue: Catalogue | undefined;
  if (ruleProblems.length === 0) {
    try {
      catalogue = buildCatalogue([...builtInRules(), ...custom]);
    } catch (e) {
      if (e instanceof RuleLoadError) ruleProblems.push(...e.problems);
      else throw e;
    }
  }
  if (ruleProblems.length > 0 || !catalogue) throw new SetupError(`The repository's rules in ${rulesDir} cannot be loaded`, ruleProblems);

  let templates: Record<string, string> | undefined;
  const templateProblems: string[] = [];
  for (const f of extras.dirs.get(TEMPLATES_DIR) ?? []) {
    if (!f.name.endsWith('.hbs')) continue;
    if (f.text === null) templateProblems.push(`${TEMPLATES_DIR}/${f.name}: ${f.skipped ?? 'cannot be read'}`);
    else (templates ??= {})[f.name] = f.text;
  }
  templateProblems.push(...checkOverrides(templates).map((e) => e.message));
  if (templateProblems.length > 0) throw new SetupError(`The repository's templates in ${TEMPLATES_DIR} cannot be used`, templateProblems);

  let codeowners: string | null = null;
  for (const p of CODEOWNERS_PATHS) {
    const text = extras.files.get(p);
    if (typeof text === 'string') {
      codeowners = text;
      break;
    }
  }
  const setup: RepoSetup = { catalogue, codeowners };
  if (templates) setup.templates = templates;
  return setup;
}

/** The review's options in a job: today's date, the tool's version and the config file in use. */
export function reviewOptions(env: { now?: () => Date; toolVersion?: string }, configSources: readonly string[]): ReviewOptions {
  const options: ReviewOptions = { today: (env.now?.() ?? new Date()).toISOString().slice(0, 10) };
  if (env.toolVersion) options.toolVersion = env.toolVersion;
  const configPath = configSources[configSources.length - 1];
  if (configPath) options.configPath = configPath;
  return options;
}
