/**
 * Checking one rule: its schema, practices, clauses and their predicates, message placeholders and
 * fixes, each checked whatever is wrong elsewhere so that an author sees every mistake at once.
 */
import { KINDS, type MatchClause, type Predicate, type Rule, type RuleFix } from '../../model.js';
import { printable } from '../../config/load.js';
import { resolvePractice } from '../practices.js';
import { FORMATS } from '../../formats/index.js';
import { decidesUsage } from '../../ml-usage.js';
import { MESSAGE_VARS, placeholders } from '../evaluate.js';
import { checkPredicate, type CheckOptions } from './check-predicate.js';
import { check, describe, isMap, type At, type Problem } from './problems.js';
import { RULE_ID, ruleSchema } from './schemas.js';

function checkMessage(message: string, problems: Problem[], at: At = ['message']): void {
  for (const name of placeholders(message)) {
    if (!(MESSAGE_VARS as readonly string[]).includes(name)) {
      problems.push({ at, message: `unknown placeholder {{${printable(name)}}} (available: ${MESSAGE_VARS.map((v) => `{{${v}}}`).join(' ')})` });
    }
  }
}

const CLAUSE_KINDS: readonly string[] = [...KINDS, 'repository'];

/** The practices of a rule as 2025 IDs, reporting those that are not practices. */
function checkPractices(raw: unknown, problems: Problem[]): string[] {
  const practices: string[] = [];
  if (!Array.isArray(raw)) return practices;
  raw.forEach((p, i) => {
    if (typeof p !== 'string') return; // the schema says so
    const id = resolvePractice(p);
    if (!id) {
      problems.push({ at: ['practices', i], message: `unknown practice ${describe(p)} (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)` });
    } else if (!practices.includes(id)) practices.push(id);
  });
  return practices;
}

/** The predicates of one clause, checked whatever else is wrong with the clause. */
function checkClause(c: unknown, at: At, problems: Problem[], options: CheckOptions): { require?: Predicate; where?: Predicate } {
  if (!isMap(c)) return {}; // the schema says so
  // A clause of an unknown kind is reported by the schema; its predicates are not blamed on it.
  const known = typeof c['kind'] === 'string' && CLAUSE_KINDS.includes(c['kind']);
  const repository = !known || c['kind'] === 'repository';
  const out: { require?: Predicate; where?: Predicate } = {};
  if (c['require'] === undefined) problems.push({ at: [...at, 'require'], message: 'is required' });
  else {
    const require = checkPredicate(c['require'], [...at, 'require'], repository, problems, options);
    if (require) out.require = require;
  }
  if (c['where'] !== undefined) {
    const where = checkPredicate(c['where'], [...at, 'where'], repository, problems, options);
    if (where) out.where = where;
  }
  if (known && c['anchor'] !== undefined && (!repository || c['resource'] !== undefined)) {
    problems.push({ at: [...at, 'anchor'], message: 'only a repository clause without `resource` is anchored (a resource clause is anchored on its resource)' });
  }
  return out;
}

function checkFix(fix: unknown, match: unknown, problems: Problem[]): void {
  if (!isMap(fix)) return; // absent, or the schema says so
  // Only when every clause has a known kind: a misspelt kind is reported once, on the clause.
  const kinds =
    Array.isArray(match) && match.every((c) => isMap(c) && typeof c['kind'] === 'string' && CLAUSE_KINDS.includes(c['kind']))
      ? match.map((c: Record<string, unknown>) => c['kind'])
      : undefined;
  for (const [kind, f] of Object.entries(fix)) {
    if (!(KINDS as readonly string[]).includes(kind) || !isMap(f)) continue; // the schema says so
    // A kind whose targets answer another kind's clauses (Python for SageMaker pipelines) fixes them too.
    const answered = FORMATS.find((m) => m.kind === kind)?.answers.map((a) => a.kind) ?? [];
    if (kinds && !kinds.includes(kind) && !answered.some((k) => kinds.includes(k))) problems.push({ at: ['fix', kind], message: `no match clause of kind ${kind}` });
    if (f['insert_attribute'] === undefined && f['insert_property'] === undefined && f['insert_argument'] === undefined) {
      problems.push({ at: ['fix', kind], message: 'needs insert_attribute, insert_property or insert_argument' });
    }
  }
}

/**
 * Checks one raw rule, adding every problem found to `problems`: each part is checked whatever is
 * wrong elsewhere, short of what a problem already said (no clause is checked in a `match` that is
 * not a list). Returns the rule when it has no problem.
 */
export function checkRule(raw: unknown, source: string, problems: Problem[], options: CheckOptions = { compile: true }): Rule | undefined {
  const before = problems.length;
  const r = check(ruleSchema, raw, [], problems);
  if (!isMap(raw)) return undefined;
  const practices = checkPractices(raw['practices'], problems);
  const clauses = Array.isArray(raw['match']) ? raw['match'].map((c, i) => checkClause(c, ['match', i], problems, options)) : [];
  if (typeof raw['message'] === 'string') checkMessage(raw['message'], problems);
  if (r?.generic) checkMessage(r.generic.message, problems, ['generic', 'message']);
  checkFix(raw['fix'], raw['match'], problems);
  if (!r || problems.length > before) return undefined;
  const match: MatchClause[] = r.match.map((c, i) => {
    const clause: MatchClause = { kind: c.kind, require: clauses[i]!.require! };
    if (c.resource !== undefined) clause.resource = typeof c.resource === 'string' ? [c.resource] : c.resource;
    if (clauses[i]!.where) clause.where = clauses[i]!.where;
    if (c.unknown !== undefined) clause.unknown = c.unknown;
    if (c.anchor !== undefined) clause.anchor = typeof c.anchor === 'string' ? [c.anchor] : c.anchor;
    return clause;
  });
  const rule: Rule = {
    id: r.id,
    title: r.title,
    practices,
    pillar: r.pillar,
    phase: r.phase,
    severity: r.severity,
    match,
    message: r.message,
    remediation: r.remediation,
    examples: r.examples,
    source,
  };
  if (r.fix) {
    const fix: RuleFix = {};
    for (const [kind, f] of Object.entries(r.fix)) if (f) fix[kind as keyof RuleFix] = f;
    rule.fix = fix;
  }
  if (r.notes !== undefined) rule.notes = r.notes;
  if (r.generic) {
    // The generic wording is for targets whose ML usage is decided (S3 buckets): elsewhere it would never be said.
    if (!match.some((c) => c.resource?.some(decidesUsage))) {
      problems.push({ at: ['generic'], message: 'no clause matches a target it can apply to (an S3 bucket or a resource of one: aws_s3_bucket*, AWS::S3::Bucket, AWS::S3::BucketPolicy)' });
      return undefined;
    }
    rule.generic = r.generic.remediation === undefined ? { message: r.generic.message } : { message: r.generic.message, remediation: r.generic.remediation };
  }
  if (r.related !== undefined) rule.related = [...new Set(r.related)];
  if (r.environments !== undefined) rule.environments = [...new Set(r.environments)];
  return rule;
}

export function ruleLabel(raw: unknown, index: number): string {
  const id = isMap(raw) ? raw['id'] : undefined;
  return typeof id === 'string' && RULE_ID.test(id) ? `rule ${id}` : `rule #${index + 1}`;
}
