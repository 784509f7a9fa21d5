/**
 * `ml-lens rules` (the catalogue a review would run, or with --coverage its ML Lens coverage) and
 * `ml-lens explain RULE-ID`.
 */
import { resolve } from 'node:path';
import type { Rule } from '../model.js';
import { PILLARS } from '../model.js';
import { effectiveRules } from '../plan.js';
import { isPipelineRule } from '../rules/loader.js';
import { computeCoverage, loadCoverageData, renderCoverageJson, renderCoverageText } from '../rules/coverage.js';
import { practices } from '../rules/practices.js';
import { suggest, UsageError, type Values } from './args.js';
import { cwdRelative, emit, EXIT, type Io } from './io.js';
import { workingTreeSettings } from './settings.js';

export async function rulesCommand(values: Values, io: Io): Promise<number> {
  const format = values.format ?? 'md';
  if (!['md', 'markdown', 'json'].includes(format)) throw new UsageError(`--format of rules must be md or json (got "${format}")`);
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rules = effectiveRules(catalogue, config);
  const text = format === 'json' ? `${JSON.stringify(rules.map((r) => publicRule(r, io.cwd)), null, 2)}\n` : rulesMarkdown(rules);
  await emit(text, values, io, `rule list (${rules.length} rules)`);
  return EXIT.pass;
}

/** `rules --coverage`: the ML Lens coverage of the rules a review would run (src/rules/coverage.ts). */
export async function coverageCommand(values: Values, io: Io): Promise<number> {
  const format = values.format ?? 'terminal';
  if (!['terminal', 'json'].includes(format)) throw new UsageError(`--format of rules --coverage must be terminal or json (got "${format}")`);
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rules = effectiveRules(catalogue, config).filter((r) => !isPipelineRule(r));
  const report = computeCoverage(rules, practices(), loadCoverageData());
  await emit(format === 'json' ? renderCoverageJson(report) : renderCoverageText(report), values, io, 'coverage report');
  return EXIT.pass;
}

/** A rule as `rules --format json` prints it: everything but absolute file paths. */
function publicRule(rule: Rule, cwd: string): Record<string, unknown> {
  return { ...rule, source: cwdRelative(rule.source, cwd) };
}

function rulesMarkdown(rules: Rule[]): string {
  const out: string[] = ['# ML Lens Reviewer rules', '', `${rules.length} rules.`, ''];
  for (const pillar of PILLARS) {
    const inPillar = rules.filter((r) => r.pillar === pillar).sort((a, b) => a.id.localeCompare(b.id));
    if (inPillar.length === 0) continue;
    out.push(`## ${titleCase(pillar)}`, '', '| Rule | Severity | Phase | Practices | Checks |', '|---|---|---|---|---|');
    for (const r of inPillar) {
      out.push(`| \`${r.id}\` | ${r.severity} | ${r.phase} | ${r.practices.join(', ')} | ${cell(r.title)} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

export async function explainCommand(id: string, values: Values, io: Io): Promise<number> {
  const repo = resolve(io.cwd, values.repo ?? '.');
  const { config, catalogue } = await workingTreeSettings(repo, values, io);
  const rule = catalogue.byId.get(id);
  if (!rule) {
    throw new UsageError(`unknown rule "${id}"${suggest(id, [...catalogue.byId.keys()])} ('ml-lens rules' lists them)`);
  }
  const effective = effectiveRules(catalogue, config).find((r) => r.id === id);
  const lines: string[] = [];
  lines.push(`${rule.id}: ${rule.title}`, '');
  lines.push(`  Pillar:      ${rule.pillar}`);
  lines.push(`  Phase:       ${rule.phase}`);
  const sev = effective ? effective.severity : rule.severity;
  lines.push(`  Severity:    ${sev}${sev !== rule.severity ? ` (configured; default ${rule.severity})` : ''}${effective ? '' : ' (disabled by the configuration)'}`);
  lines.push(`  Practices:   ${rule.practices.join(', ') || '-'}`);
  const applies = rule.match.map((m) => `${m.kind}${m.resource?.length ? ` ${m.resource.join(', ')}` : ''}`);
  lines.push(`  Applies to:  ${[...new Set(applies)].join('; ')}`);
  if (rule.environments) lines.push(`  Environments: ${rule.environments.join(', ')} (targets in other environments are not evaluated)`);
  lines.push(`  Defined in:  ${cwdRelative(rule.source, io.cwd)}`);
  lines.push('', 'Finding message:', indent(rule.message), '', 'Remediation:', indent(rule.remediation));
  if (rule.generic) {
    lines.push('', 'On a bucket the ML workload does not use (one severity lower):', indent(rule.generic.message));
    if (rule.generic.remediation) lines.push('', 'Remediation there:', indent(rule.generic.remediation));
  }
  if (rule.notes) lines.push('', 'Notes:', indent(rule.notes));
  if (rule.fix) {
    const fixes = Object.entries(rule.fix).map(([kind, f]) => `${kind}: insert ${f.insert_attribute ?? f.insert_property ?? ''}`);
    lines.push('', 'Suggested fix:', indent(fixes.join('\n')));
  }
  for (const [label, examples] of [
    ['Fails on', rule.examples.fail],
    ['Passes on', rule.examples.pass],
  ] as const) {
    for (const ex of examples) lines.push('', `${label} (${ex.path}):`, indent(ex.content.replace(/\n+$/, ''), '    '));
  }
  lines.push('', 'Suppress one finding (on the line of the target or the line above, reason required):');
  lines.push(`  # ml-lens:ignore ${rule.id} <reason> [until=YYYY-MM-DD]`);
  await emit(`${lines.join('\n')}\n`, values, io, `explanation of ${rule.id}`);
  return EXIT.pass;
}

function indent(text: string, pad = '  '): string {
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function titleCase(s: string): string {
  return s
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
