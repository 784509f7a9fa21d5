/**
 * One rule file: its YAML read as plain data, then every rule checked, with the problems of the
 * whole file listed in one RuleLoadError (`<file>: rule <id>: <place>: <problem>`).
 */
import type { Rule } from '../../model.js';
import { readYamlData } from '../../config/yaml-data.js';
import type { CheckOptions } from './check-predicate.js';
import { checkRule, ruleLabel } from './check-rule.js';
import { inFileOrder, isMap, joinAt, RuleLoadError, typeName, type Problem } from './problems.js';
import { RULE_ID } from './schemas.js';

/**
 * Parses one rule file (a YAML list of rules). `path` names the file in messages and becomes each
 * rule's `source`. Throws RuleLoadError listing every problem of the file.
 */
export function parseRuleFile(path: string, text: string): Rule[] {
  return rulesFromData(path, readRuleYaml(path, text));
}

/** The YAML of a rule file as plain data. Throws RuleLoadError with the line of a syntax error. */
export function readRuleYaml(path: string, text: string): unknown {
  const r = readYamlData(text);
  if ('problems' in r) {
    const first = r.problems[0]!;
    throw new RuleLoadError([`${path}: YAML: ${first.message}${first.line === undefined ? '' : ` (line ${first.line})`}`]);
  }
  return r.data;
}

/**
 * Checks and compiles the rules of one file's data (see parseRuleFile). `compile: false` leaves
 * patterns and globs to be compiled on first use (check-predicate.ts `CheckOptions`).
 */
export function rulesFromData(path: string, data: unknown, options: CheckOptions = { compile: true }): Rule[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new RuleLoadError([`${path}: expected a list of rules, got ${typeName(data)}`]);
  const rules: Rule[] = [];
  const lines: string[] = [];
  const seen = new Map<string, number>();
  data.forEach((raw, i) => {
    const problems: Problem[] = [];
    const rule = checkRule(raw, path, problems, options);
    const id = isMap(raw) ? raw['id'] : undefined;
    if (typeof id === 'string' && RULE_ID.test(id)) {
      if (seen.has(id)) problems.push({ at: ['id'], message: `duplicate id (also rule #${seen.get(id)! + 1} of this file)` });
      else seen.set(id, i);
    }
    if (rule && problems.length === 0) rules.push(rule);
    const label = ruleLabel(raw, i);
    for (const p of inFileOrder(raw, problems)) lines.push(`${path}: ${label}: ${p.at.length ? `${joinAt(p.at)}: ` : ''}${p.message}`);
  });
  if (lines.length) throw new RuleLoadError([...new Set(lines)]);
  return rules;
}
