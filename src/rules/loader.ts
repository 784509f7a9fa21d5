/**
 * Loads the rule catalogue: `rules/*.yaml` shipped with the tool, plus a repository's own rules
 * (same format, DESIGN §4). Rules are data written by people, so every problem is reported with
 * the file, the rule and the exact place: `rules/security.yaml: rule sagemaker-endpoint-kms:
 * match[0].require: unknown predicate "presnt"`. All problems of a load are collected, so a
 * rule author sees every mistake at once.
 *
 * This module finds and reads the rule files (their paths are relative to it, so they stay here).
 * The checking lives in `loader/`: `rule-file.ts` (one file, YAML to rules) on `check-rule.ts` and
 * `check-predicate.ts`, with the zod schemas of `schemas.ts` and the problem wording of
 * `problems.ts`; `catalogue.ts` builds the catalogue and `parse-error-rule.ts` is the rule defined
 * in code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type { Catalogue, Rule } from '../model.js';
import { buildCatalogue, type LoadOptions } from './loader/catalogue.js';
import { RuleLoadError } from './loader/problems.js';
import { parseRuleFile, rulesFromData } from './loader/rule-file.js';

export { buildCatalogue, type LoadOptions } from './loader/catalogue.js';
export { checkPredicate } from './loader/check-predicate.js';
export { DUPLICATE_KEY_RULE, isPipelineRule, pipelineRules, PARSE_ERROR_RULE } from './loader/parse-error-rule.js';
export { RuleLoadError, type Problem } from './loader/problems.js';
export { parseRuleFile, readRuleYaml, rulesFromData } from './loader/rule-file.js';

/** Package root is two levels above this module, from `src/rules/` and from `dist/rules/` alike. */
export const BUILTIN_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/**
 * The built-in rule files as parsed data, written by the build (scripts/compile-rules.js): the
 * `yaml` package needs over a second, cold, for the catalogue's half a megabyte, JSON a few
 * milliseconds. Each entry carries its file's hash, so an entry that no longer matches its YAML
 * is ignored and the file is read as YAML.
 */
const COMPILED_RULES = fileURLToPath(new URL('../../dist/rules.json', import.meta.url));

interface CompiledFile {
  hash: string;
  data: unknown;
}

export function ruleFileHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function compiledRules(): Record<string, CompiledFile> {
  try {
    return JSON.parse(readFileSync(COMPILED_RULES, 'utf8')) as Record<string, CompiledFile>;
  } catch {
    return {};
  }
}

/** The practice map lives beside the rules but is not a rule file. */
const NOT_RULE_FILES = new Set(['practices.yaml']);

function ruleFiles(dir: string, builtin: boolean): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !(builtin && NOT_RULE_FILES.has(f)))
    .sort();
}

/** Loads the built-in rules and any extra folders. Throws RuleLoadError listing every problem. */
export function loadCatalogue(options: LoadOptions = {}): Catalogue {
  const builtinDir = options.builtinDir ?? BUILTIN_DIR;
  const problems: string[] = [];
  const rules: Rule[] = [];
  const sources: { dir: string; label: string; builtin: boolean }[] = [
    { dir: builtinDir, label: options.builtinDir ?? 'rules', builtin: true },
  ];
  for (const d of options.extraDirs ?? []) {
    if (existsSync(d)) sources.push({ dir: d, label: d.replace(/\/+$/, ''), builtin: false });
  }
  const compiled = options.builtinDir === undefined ? compiledRules() : {};
  for (const s of sources) {
    for (const f of ruleFiles(s.dir, s.builtin)) {
      const label = `${s.label}/${f}`;
      try {
        const text = readFileSync(join(s.dir, f), 'utf8');
        const pre = s.builtin ? compiled[f] : undefined;
        // The build checked the built-in rules' patterns (scripts/compile-rules.js): compiled on use.
        rules.push(...(pre && pre.hash === ruleFileHash(text) ? rulesFromData(label, pre.data, { compile: false }) : parseRuleFile(label, text)));
      } catch (e) {
        if (e instanceof RuleLoadError) problems.push(...e.problems);
        else throw e;
      }
    }
  }
  let catalogue: Catalogue | undefined;
  try {
    catalogue = buildCatalogue(rules, options);
  } catch (e) {
    if (!(e instanceof RuleLoadError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length || !catalogue) throw new RuleLoadError(problems);
  return catalogue;
}
