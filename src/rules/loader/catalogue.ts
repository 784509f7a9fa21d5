/**
 * The catalogue of loaded rules: the load options, and building the catalogue with `parse-error`
 * added, duplicate ids rejected, disabled rules dropped and severity overrides applied.
 */
import type { Catalogue, Rule, Severity } from '../../model.js';
import { PARSE_ERROR_RULE, pipelineRules } from './parse-error-rule.js';
import { RuleLoadError } from './problems.js';

export interface LoadOptions {
  /** Folder of the built-in rules; default `rules/` of the package. */
  builtinDir?: string;
  /** Folders of additional rules (a repository's `.github/ml-lens/rules`); missing folders are skipped. */
  extraDirs?: string[];
  /** Rule ids not to run (`parse-error` cannot be disabled: a broken file must always be said). */
  disable?: string[];
  /** Severity overrides by rule id. */
  severity?: Record<string, Severity>;
}

/**
 * Builds a catalogue from loaded rules (for callers that read rule files themselves, such as the
 * GitHub App reading a repository's rules through the API): adds `parse-error`, rejects duplicate
 * ids, drops disabled rules and applies severity overrides.
 */
export function buildCatalogue(loaded: readonly Rule[], options: Pick<LoadOptions, 'disable' | 'severity'> = {}): Catalogue {
  const problems: string[] = [];
  const builtIn = pipelineRules();
  const first = new Map<string, Rule>(builtIn.map((r) => [r.id, r]));
  for (const r of loaded) {
    const prev = first.get(r.id);
    if (prev) {
      const where = builtIn.includes(prev) ? 'a built-in rule' : `also defined in ${prev.source}`;
      problems.push(`${r.source}: rule ${r.id}: id: duplicate id (${where})`);
    } else first.set(r.id, r);
  }
  if (problems.length) throw new RuleLoadError(problems);
  const disabled = new Set(options.disable ?? []);
  disabled.delete(PARSE_ERROR_RULE.id);
  const rules: Rule[] = [];
  for (const r of first.values()) {
    if (disabled.has(r.id)) continue;
    const sev = options.severity?.[r.id];
    rules.push(sev && sev !== r.severity ? { ...r, severity: sev } : r);
  }
  return { rules, byId: new Map(rules.map((r) => [r.id, r])) };
}
