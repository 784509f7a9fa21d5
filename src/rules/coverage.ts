/**
 * How much of the ML Lens the rule catalogue covers: for each pillar × lifecycle phase, the
 * practices a repository can show (signal strength strong or partial, our judgement recorded in
 * rules/lens/coverage.yaml) and how many of them at least one rule checks.
 *
 * `computeCoverage` and the renderers are pure: they take the rules, the practice map and the
 * coverage data and return values. `loadCoverageData` reads the shipped data file.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { PHASES, PILLARS, type Phase, type Pillar, type Rule } from '../model.js';
import type { Practice } from './practices.js';

export const SIGNAL_STRENGTHS = ['strong', 'partial', 'weak', 'none'] as const;
export type SignalStrength = (typeof SIGNAL_STRENGTHS)[number];

/** Strengths at which a repository can show the practice, so a rule is expected. */
export const CHECKABLE: readonly SignalStrength[] = ['strong', 'partial'];

export interface UncoveredEntry {
  practice: string;
  /** Why a repository cannot show it, or which artifact kind the reviewer does not read. */
  reason: string;
}

export interface CoverageData {
  /** Signal strength of every practice, by 2025 ID. */
  signal: Record<string, SignalStrength>;
  /** Checkable practices knowingly left without a rule, with the reason. */
  uncovered: UncoveredEntry[];
}

const PRACTICE_ID = /^ML[A-Z]+\d{2}-BP\d{2}$/;

const dataSchema = z
  .object({
    signal: z.record(z.string().regex(PRACTICE_ID), z.enum(SIGNAL_STRENGTHS)),
    uncovered: z.array(z.object({ practice: z.string().regex(PRACTICE_ID), reason: z.string().min(20) }).strict()),
  })
  .strict();

/** Parses the coverage data file; throws an Error naming the first problem. */
export function parseCoverageData(text: string, source = 'coverage data'): CoverageData {
  const r = dataSchema.safeParse(parse(text));
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

/** The data file shipped beside the rules (two levels above this module in src/ and dist/ alike). */
export const COVERAGE_DATA_URL = new URL('../../rules/lens/coverage.yaml', import.meta.url);

export function loadCoverageData(): CoverageData {
  return parseCoverageData(readFileSync(COVERAGE_DATA_URL, 'utf8'), 'rules/lens/coverage.yaml');
}

// ---------------------------------------------------------------------------------------------
// Computation
// ---------------------------------------------------------------------------------------------

export interface CoverageCounts {
  /** Practices in the group. */
  practices: number;
  /** Of those, practices a repository can show (strong or partial signal). */
  checkable: number;
  /** Checkable practices with at least one rule. */
  covered: number;
  /** Practices with at least one rule, whatever their signal (weak ones included). */
  coveredAny: number;
}

export interface CoverageCell extends CoverageCounts {
  pillar: Pillar;
  phase: Phase;
}

export interface PracticeCoverage {
  id: string;
  title: string;
  pillar: Pillar;
  phase: Phase;
  signal: SignalStrength | null;
  /** Rules naming the practice, by id. */
  rules: string[];
  /** The reason recorded for a checkable practice left without a rule. */
  reason?: string;
}

export interface CoverageReport {
  /** One cell per pillar × phase, pillar-major, in the lens's order. */
  cells: CoverageCell[];
  byPillar: Record<Pillar, CoverageCounts & { rules: number }>;
  byPhase: Record<Phase, CoverageCounts & { rules: number }>;
  total: CoverageCounts & { rules: number };
  practices: PracticeCoverage[];
  /** Inconsistencies between the rules and the data file (empty when all is well). */
  problems: {
    /** Checkable practices with no rule and no recorded reason. */
    unexplained: string[];
    /** Practices recorded as uncovered that a rule covers. */
    coveredButListed: string[];
    /** Practices named in the data file or by rules that the practice map does not know. */
    unknown: string[];
    /** Practices of the map without a signal strength in the data file. */
    noSignal: string[];
  };
}

function zero(): CoverageCounts {
  return { practices: 0, checkable: 0, covered: 0, coveredAny: 0 };
}

function add(into: CoverageCounts, p: PracticeCoverage): void {
  const checkable = p.signal !== null && CHECKABLE.includes(p.signal);
  into.practices++;
  if (checkable) into.checkable++;
  if (p.rules.length > 0) {
    into.coveredAny++;
    if (checkable) into.covered++;
  }
}

/**
 * Coverage of `practices` by `rules`. Pass the rules to count (built-in parse-error excluded by the
 * caller when it should not count).
 */
export function computeCoverage(rules: readonly Rule[], practices: readonly Practice[], data: CoverageData): CoverageReport {
  const known = new Set(practices.map((p) => p.id));
  const byPractice = new Map<string, string[]>();
  const unknown = new Set<string>();
  for (const r of rules) {
    for (const id of r.practices) {
      if (!known.has(id)) unknown.add(id);
      const list = byPractice.get(id) ?? [];
      if (!list.includes(r.id)) list.push(r.id);
      byPractice.set(id, list);
    }
  }
  const reasons = new Map(data.uncovered.map((u) => [u.practice, u.reason]));
  for (const id of [...Object.keys(data.signal), ...reasons.keys()]) if (!known.has(id)) unknown.add(id);

  const list: PracticeCoverage[] = practices.map((p) => {
    const signal = data.signal[p.id] ?? null;
    const pc: PracticeCoverage = { id: p.id, title: p.title, pillar: p.pillar, phase: p.phase, signal, rules: byPractice.get(p.id) ?? [] };
    const reason = reasons.get(p.id);
    if (reason !== undefined) pc.reason = reason;
    return pc;
  });

  const cells: CoverageCell[] = [];
  const byPillar = Object.fromEntries(PILLARS.map((x) => [x, { ...zero(), rules: 0 }])) as CoverageReport['byPillar'];
  const byPhase = Object.fromEntries(PHASES.map((x) => [x, { ...zero(), rules: 0 }])) as CoverageReport['byPhase'];
  const total = { ...zero(), rules: rules.length };
  for (const pillar of PILLARS) {
    for (const phase of PHASES) {
      const cell: CoverageCell = { pillar, phase, ...zero() };
      for (const p of list) if (p.pillar === pillar && p.phase === phase) add(cell, p);
      cells.push(cell);
    }
  }
  for (const p of list) {
    add(byPillar[p.pillar], p);
    add(byPhase[p.phase], p);
    add(total, p);
  }
  for (const r of rules) {
    byPillar[r.pillar].rules++;
    byPhase[r.phase].rules++;
  }

  const isCheckable = (p: PracticeCoverage) => p.signal !== null && CHECKABLE.includes(p.signal);
  return {
    cells,
    byPillar,
    byPhase,
    total,
    practices: list,
    problems: {
      unexplained: list.filter((p) => isCheckable(p) && p.rules.length === 0 && p.reason === undefined).map((p) => p.id),
      coveredButListed: list.filter((p) => p.rules.length > 0 && p.reason !== undefined).map((p) => p.id),
      unknown: [...unknown].sort(),
      noSignal: list.filter((p) => p.signal === null).map((p) => p.id),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

function ratio(c: CoverageCounts): string {
  return c.checkable === 0 && c.coveredAny === 0 ? '-' : `${c.covered}/${c.checkable}`;
}

function percent(n: number, d: number): string {
  return d === 0 ? '-' : `${Math.round((100 * n) / d)}%`;
}

/** The pillar × phase matrix and totals as plain text for a terminal. */
export function renderCoverageText(report: CoverageReport): string {
  const head = ['pillar \\ phase', ...PHASES, 'total', 'rules'];
  const rows: string[][] = PILLARS.map((pillar) => [
    pillar,
    ...PHASES.map((phase) => ratio(report.cells.find((c) => c.pillar === pillar && c.phase === phase)!)),
    ratio(report.byPillar[pillar]),
    String(report.byPillar[pillar].rules),
  ]);
  rows.push(['total', ...PHASES.map((ph) => ratio(report.byPhase[ph])), ratio(report.total), String(report.total.rules)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const t = report.total;
  const out = [
    'ML Lens coverage: checkable practices with at least one rule / checkable practices',
    '(checkable: a repository can show the practice, signal strong or partial; "-": none in that cell)',
    '',
    line(head),
    ...rows.map(line),
    '',
    `Rules: ${t.rules}.`,
    `Checkable practices covered: ${t.covered} of ${t.checkable} (${percent(t.covered, t.checkable)}).`,
    `All practices with a rule: ${t.coveredAny} of ${t.practices} (weak-signal ones included).`,
  ];
  const left = report.practices.filter((p) => p.reason !== undefined && p.rules.length === 0);
  if (left.length) out.push(`Checkable practices left to human review: ${left.length} (reasons: rules/lens/coverage.yaml).`);
  const pr = report.problems;
  if (pr.unexplained.length) out.push(`Checkable practices with no rule and no recorded reason: ${pr.unexplained.join(', ')}.`);
  if (pr.coveredButListed.length) out.push(`Recorded as uncovered although a rule covers them: ${pr.coveredButListed.join(', ')}.`);
  if (pr.unknown.length) out.push(`Unknown practice ids: ${pr.unknown.join(', ')}.`);
  return `${out.join('\n')}\n`;
}

/** The report as JSON (two-space indent), for `rules --coverage --format json`. */
export function renderCoverageJson(report: CoverageReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
