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
  relate(first, problems);
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

/**
 * Completes `related` both ways (a rule related to another is related back), and rejects a relation
 * to a rule that does not exist or to the rule itself.
 */
function relate(rules: Map<string, Rule>, problems: string[]): void {
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    let s = links.get(a);
    if (!s) links.set(a, (s = new Set()));
    s.add(b);
  };
  for (const r of rules.values()) {
    for (const other of r.related ?? []) {
      if (other === r.id) problems.push(`${r.source}: rule ${r.id}: related: names the rule itself`);
      else if (!rules.has(other)) problems.push(`${r.source}: rule ${r.id}: related: no rule ${other}`);
      else {
        link(r.id, other);
        link(other, r.id);
      }
    }
  }
  for (const [id, set] of links) {
    const r = rules.get(id)!;
    const related = [...set].sort();
    if (related.join() !== (r.related ?? []).join()) rules.set(id, { ...r, related });
  }
}
