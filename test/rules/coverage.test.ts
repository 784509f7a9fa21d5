/**
 * ML Lens coverage of the rule catalogue (rules/lens/coverage.yaml, src/rules/coverage.ts):
 * every practice a repository can show (signal strong or partial) is checked by at least one rule
 * or listed with the reason it is not, never both; the catalogue is large enough and spread over
 * every pillar and lifecycle phase; `ml-lens rules --coverage` prints the matrix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PHASES, PILLARS, type Rule } from '../../src/model.js';
import {
  CHECKABLE,
  computeCoverage,
  loadCoverageData,
  parseCoverageData,
  renderCoverageText,
  type CoverageData,
} from '../../src/rules/coverage.js';
import { isPipelineRule, loadCatalogue } from '../../src/rules/loader.js';
import { practices, type Practice } from '../../src/rules/practices.js';
import { runCli } from '../cli/run.js';

/** The catalogue must grow to at least this many rules (parse-error not counted). */
const MIN_RULES = 80;

const rules = loadCatalogue().rules.filter((r) => !isPipelineRule(r));
const data = loadCoverageData();
const report = computeCoverage(rules, practices(), data);

const REFERENCE = fileURLToPath(new URL('../../../shared/reference/ml-lens-practices.yaml', import.meta.url));

describe('coverage of the ML Lens by the catalogue', () => {
  it('records a signal strength for every one of the 105 practices, and nothing else', () => {
    expect(practices()).toHaveLength(105);
    expect(report.problems.noSignal).toEqual([]);
    expect(report.problems.unknown).toEqual([]);
    expect(Object.keys(data.signal).sort()).toEqual(practices().map((p) => p.id).sort());
  });

  it.skipIf(!existsSync(REFERENCE))(`signal strengths match the research catalogue (${REFERENCE})`, () => {
    const ref = parse(readFileSync(REFERENCE, 'utf8')) as { best_practices: { id_2025: string; signal_strength: string }[] };
    const expected = Object.fromEntries(ref.best_practices.map((p) => [p.id_2025, p.signal_strength]));
    expect(data.signal).toEqual(expected);
  });

  it('has 76 checkable practices (strong or partial)', () => {
    expect(Object.values(data.signal).filter((s) => CHECKABLE.includes(s))).toHaveLength(76);
    expect(report.total.checkable).toBe(76);
  });

  it('covers every checkable practice by a rule or lists it with a reason', () => {
    expect(report.problems.unexplained, 'checkable practices with no rule: add a rule, or an entry to rules/lens/coverage.yaml').toEqual([]);
  });

  it('does not list a practice as uncovered when a rule covers it', () => {
    const both = report.problems.coveredButListed.map((id) => `${id} (${report.practices.find((p) => p.id === id)!.rules.join(', ')})`);
    expect(both, 'delete these entries from rules/lens/coverage.yaml').toEqual([]);
  });

  it('lists only checkable practices as uncovered, each once', () => {
    const ids = data.uncovered.map((u) => u.practice);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(CHECKABLE, id).toContain(data.signal[id]);
  });

  it(`has at least ${MIN_RULES} rules (the colleagues' IaC, pipeline and CI rules count)`, () => {
    expect(rules.length, `${rules.length} rules`).toBeGreaterThanOrEqual(MIN_RULES);
  });

  it('has rules in every pillar and every lifecycle phase', () => {
    for (const pillar of PILLARS) expect(rules.filter((r) => r.pillar === pillar).length, pillar).toBeGreaterThan(0);
    for (const phase of PHASES) expect(rules.filter((r) => r.phase === phase).length, phase).toBeGreaterThan(0);
  });

  it('covers practices in every pillar and every lifecycle phase', () => {
    for (const pillar of PILLARS) expect(report.byPillar[pillar].covered, pillar).toBeGreaterThan(0);
    for (const phase of PHASES) expect(report.byPhase[phase].covered, phase).toBeGreaterThan(0);
  });
});

describe('computeCoverage', () => {
  const P = (id: string, pillar: Practice['pillar'], phase: Practice['phase']): Practice => ({
    id,
    alias: 'MLSEC-01',
    title: `practice ${id}`,
    pillar,
    phase,
    risk: 'high',
    url: `https://example.com/${id}`,
  });
  const R = (id: string, practiceIds: string[], pillar: Rule['pillar'] = 'security'): Rule =>
    ({ id, practices: practiceIds, pillar, phase: 'deployment' }) as unknown as Rule;
  const ps = [P('MLSEC01-BP01', 'security', 'deployment'), P('MLSEC01-BP02', 'security', 'deployment'), P('MLSEC01-BP03', 'security', 'deployment'), P('MLREL01-BP01', 'reliability', 'monitoring')];
  const d: CoverageData = {
    signal: { 'MLSEC01-BP01': 'strong', 'MLSEC01-BP02': 'partial', 'MLSEC01-BP03': 'weak', 'MLREL01-BP01': 'strong' },
    uncovered: [{ practice: 'MLREL01-BP01', reason: 'lives in the consumers of the model, outside the repository' }],
  };

  it('counts checkable and covered practices per cell, pillar, phase and in total', () => {
    const r = computeCoverage([R('a', ['MLSEC01-BP01', 'MLSEC01-BP03']), R('b', ['MLSEC01-BP01'])], ps, d);
    expect(r.cells.find((c) => c.pillar === 'security' && c.phase === 'deployment')).toEqual({
      pillar: 'security',
      phase: 'deployment',
      practices: 3,
      checkable: 2,
      covered: 1,
      coveredAny: 2,
    });
    expect(r.byPillar.security).toEqual({ practices: 3, checkable: 2, covered: 1, coveredAny: 2, rules: 2 });
    expect(r.byPillar.reliability).toEqual({ practices: 1, checkable: 1, covered: 0, coveredAny: 0, rules: 0 });
    expect(r.total).toEqual({ practices: 4, checkable: 3, covered: 1, coveredAny: 2, rules: 2 });
    expect(r.cells).toHaveLength(36);
    expect(r.practices.find((p) => p.id === 'MLSEC01-BP01')!.rules).toEqual(['a', 'b']);
    expect(r.problems.unexplained).toEqual(['MLSEC01-BP02']);
    expect(r.problems.coveredButListed).toEqual([]);
  });

  it('reports a listed practice that a rule covers, and unknown ids', () => {
    const r = computeCoverage([R('a', ['MLREL01-BP01', 'MLXYZ01-BP01'])], ps, d);
    expect(r.problems.coveredButListed).toEqual(['MLREL01-BP01']);
    expect(r.problems.unknown).toEqual(['MLXYZ01-BP01']);
  });

  it('renders the matrix with covered/checkable per cell and totals', () => {
    const text = renderCoverageText(computeCoverage([R('a', ['MLSEC01-BP01'])], ps, d));
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('pillar'))!;
    for (const phase of PHASES) expect(header).toContain(phase);
    expect(lines.find((l) => l.startsWith('security'))).toMatch(/1\/2\s+-\s+1\/2\s+1$/);
    expect(lines.find((l) => l.startsWith('reliability'))).toMatch(/0\/1\s+0\/1\s+0$/);
    expect(text).toContain('Checkable practices covered: 1 of 3 (33%).');
    expect(text).toContain('Checkable practices with no rule and no recorded reason: MLSEC01-BP02.');
  });

  it('rejects a malformed data file, naming the problem', () => {
    expect(() => parseCoverageData('signal: {MLSEC01-BP01: high}\nuncovered: []\n', 'x.yaml')).toThrow(/x\.yaml: signal\.MLSEC01-BP01/);
    expect(() => parseCoverageData('signal: {}\nuncovered: [{practice: MLSEC01-BP01, reason: short}]\n')).toThrow(/uncovered\.0\.reason/);
  });
});

describe('ml-lens rules --coverage', () => {
  it('prints the pillar × phase matrix as text', async () => {
    const r = await runCli(['rules', '--coverage']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ML Lens coverage');
    for (const pillar of PILLARS) expect(r.stdout).toMatch(new RegExp(`^${pillar}\\s`, 'm'));
    expect(r.stdout).toMatch(/^total\s/m);
    expect(r.stdout).toContain(`Checkable practices covered: ${report.total.covered} of 76`);
  });

  it('prints JSON with --format json', async () => {
    const r = await runCli(['rules', '--coverage', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as ReturnType<typeof computeCoverage>;
    expect(json.cells).toHaveLength(36);
    expect(json.total.checkable).toBe(76);
    expect(json.total.rules).toBe(rules.length);
    expect(Object.keys(json.byPillar)).toEqual([...PILLARS]);
  });

  it('rejects a Markdown format for the coverage', async () => {
    const r = await runCli(['rules', '--coverage', '--format', 'md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format of rules --coverage must be terminal or json');
  });
});
