/**
 * Which environment a target is deployed to: development, test, staging or production. Rules that
 * hold a target to production standards (two instances, data capture, autoscaling) declare the
 * environments they apply to (`environments:` in the rule), and a development endpoint is not held
 * to them.
 *
 * The decision, in order:
 * 1. The repository's `environments:` configuration (compiled by the plan): the last entry whose
 *    `paths` match the file or whose `names` match the target's name, as `overrides` are read.
 * 2. Else the target's name (a Terraform resource label, a CloudFormation logical id, a CDK construct
 *    id, a Kubernetes object's name), when one of its words names an environment: `churn_dev`,
 *    `ChurnEndpointDev`, `DevStack`, `churn-endpoint-dev`. The name is about the target itself, so it
 *    is more specific than where the file sits.
 * 3. Else the file's path: the word nearest the end of the path wins (the file name over its folders,
 *    an inner folder over an outer one): `envs/dev/main.tf`, `dev.tfvars`, `params/prod.json`,
 *    `config-staging.yaml`.
 * 4. Else production: a target the repository does not place is held to the highest standard.
 *
 * Words are whole: names are split at `/`, `.`, `-`, `_` and other punctuation, at lower-to-upper
 * case changes (`DevStack`) and before a capitalised word after capitals (`QAStack`), so `device`,
 * `devops`, `protest`, `contest` and `latest` name no environment. Trailing digits are dropped
 * (`prod1`, `dev02`). Words the splitting cut apart are read whole again where the whole is a word
 * of its own (`pre-prod` is staging; `DevOps`, `ci-cd`, `gitlab-ci`, `non-prod` name none).
 */
import { compileGlobs } from './glob.js';
import type { Environment } from './vocabulary.js';

/** The environment of a target, from the path of its file and the target's name. */
export type EnvironmentOf = (path: string, name: string) => Environment;

/** One `environments:` entry of the configuration. */
export interface EnvironmentEntry {
  environment: Environment;
  /** Globs of repository paths. */
  paths: readonly string[];
  /** Globs of target names. */
  names: readonly string[];
}

/** The words that name an environment, lower-case. A closed list: a word not here says nothing. */
const WORDS: ReadonlyMap<string, Environment> = new Map([
  ...(['dev', 'develop', 'development', 'sandbox', 'sbx'] as const).map((w) => [w, 'development'] as const),
  ...(['test', 'testing', 'qa', 'ci', 'e2e'] as const).map((w) => [w, 'test'] as const),
  ...(['staging', 'stage', 'stg', 'preprod', 'preproduction', 'uat'] as const).map((w) => [w, 'staging'] as const),
  ...(['prod', 'production', 'prd', 'live'] as const).map((w) => [w, 'production'] as const),
]);

/**
 * Words written in parts (`pre-prod`, `DevOps`) whose whole means something else than their last
 * part: an environment, or none (null).
 */
const COMPOUNDS: ReadonlyMap<string, Environment | null> = new Map<string, Environment | null>([
  ['preprod', 'staging'],
  ['preproduction', 'staging'],
  ['devops', null],
  ['devsecops', null],
  ['cicd', null],
  ['gitlabci', null],
  ['nonprod', null],
  ['nonproduction', null],
]);

/** The words of a name or path, lower-case, in order (see the module comment for the splits). */
function wordsOf(text: string): string[] {
  return text
    .split(/[^A-Za-z0-9]+/)
    .flatMap((part) => part.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])/))
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** The word's environment, ignoring trailing digits (`prod1`); `e2e` keeps its digit. */
function environmentOfWord(word: string): Environment | undefined {
  return WORDS.get(word) ?? WORDS.get(word.replace(/\d+$/, ''));
}

/**
 * The environment the last environment word of `text` names, or undefined. Adjacent words that make
 * a compound (`pre-prod`, `DevSecOps`) are read as the compound, not as their parts.
 */
export function environmentInText(text: string): Environment | undefined {
  const words = wordsOf(text);
  let found: Environment | undefined;
  for (let i = 0; i < words.length; ) {
    const compound = [3, 2].find((n) => i + n <= words.length && COMPOUNDS.has(words.slice(i, i + n).join('')));
    const environment = compound ? COMPOUNDS.get(words.slice(i, i + compound).join('')) : environmentOfWord(words[i]!);
    if (environment) found = environment;
    i += compound ?? 1;
  }
  return found;
}

/** The environment from names alone: the target's name, else its file's path, else production. */
export function detectEnvironment(path: string, name: string): Environment {
  return environmentInText(name) ?? environmentInText(path) ?? 'production';
}

/**
 * The configuration's entries over the detection: the last entry matching the path (by `paths`) or
 * the target's name (by `names`) decides; a target no entry matches is detected from its names.
 * Globs are compiled here, once per plan (they were checked when the configuration was read).
 */
export function environmentResolver(entries: readonly EnvironmentEntry[]): EnvironmentOf {
  if (entries.length === 0) return detectEnvironment;
  const compiled = entries.map((e) => ({ environment: e.environment, paths: compileGlobs(e.paths), names: compileGlobs(e.names) }));
  return (path, name) => {
    for (let i = compiled.length - 1; i >= 0; i--) {
      const e = compiled[i]!;
      if (e.paths(path) || e.names(name)) return e.environment;
    }
    return detectEnvironment(path, name);
  };
}
