/**
 * What a review needs from the repository besides the change, all read from the default branch in
 * the first content query (never from the pull request, so a change cannot relax its own review):
 * the custom rules (`rules.custom`), template overrides (`.github/ml-lens/templates/*.hbs`) and
 * CODEOWNERS.
 */
import type { Config } from '../config/schema.js';
import { dayOf } from '../dates.js';
import type { Engine } from '../engine.js';
import type { Catalogue, Rule } from '../model.js';
import { customRulesFolder, type PlanInput, type SourcePlan } from '../plan.js';
import { checkOverrides } from '../render/handlebars.js';
import { parseRuleFile, RuleLoadError } from '../rules/loader.js';
import type { Extras, ExtrasRequest } from '../sources/github.js';

/** The repository's template overrides (render/handlebars.ts holds the built-in ones). */
export const REPO_TEMPLATES_DIR = '.github/ml-lens/templates';
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

/** What to read from `ref` (the default branch) alongside the change. */
export function setupRequest(config: Config, ref: string): ExtrasRequest {
  return { ref, dirs: [customRulesFolder(config), REPO_TEMPLATES_DIR], files: [...CODEOWNERS_PATHS] };
}

/** The catalogue (built-in plus custom rules), template overrides and CODEOWNERS, or a SetupError. */
export function repoSetup(engine: Engine, extras: Extras, config: Config): RepoSetup {
  const rulesDir = customRulesFolder(config);
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
      catalogue = engine.catalogue(custom);
    } catch (e) {
      if (e instanceof RuleLoadError) ruleProblems.push(...e.problems);
      else throw e;
    }
  }
  if (ruleProblems.length > 0 || !catalogue) throw new SetupError(`The repository's rules in ${rulesDir} cannot be loaded`, ruleProblems);

  let templates: Record<string, string> | undefined;
  const templateProblems: string[] = [];
  for (const f of extras.dirs.get(REPO_TEMPLATES_DIR) ?? []) {
    if (!f.name.endsWith('.hbs')) continue;
    if (f.text === null) templateProblems.push(`${REPO_TEMPLATES_DIR}/${f.name}: ${f.skipped ?? 'cannot be read'}`);
    else (templates ??= {})[f.name] = f.text;
  }
  templateProblems.push(...checkOverrides(templates).map((e) => e.message));
  if (templateProblems.length > 0) throw new SetupError(`The repository's templates in ${REPO_TEMPLATES_DIR} cannot be used`, templateProblems);

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

/**
 * What the sources need of the plan before the repository's own rules are read (they come in the
 * same query as the change): the plan of the built-in catalogue. A repository rule of theirs that
 * reads another kind finds the context incomplete (parse-change.ts), never falsely complete.
 */
export function sourcePlan(engine: Engine, config: Config, now: Date): SourcePlan {
  return engine.plan({ config, catalogue: engine.catalogue(), today: dayOf(now) });
}

/** The plan's input in a job: the config and catalogue, today's date and the config file in use. */
export function planInput(env: { now?: () => Date }, config: Config, catalogue: Catalogue, configSources: readonly string[]): PlanInput {
  return { config, catalogue, today: dayOf(env.now?.() ?? new Date()), configPath: configSources[configSources.length - 1] };
}
