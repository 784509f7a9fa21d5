/**
 * `ml-lens export-lens`: the catalogue as an AWS Well-Architected Tool custom lens. The output is
 * checked against the lens format specification (schemaVersion 2021-11-01) and its limits, as
 * summarised in shared/reference/ml-lens-report.md §5. The checks are written here, independently of
 * LENS_LIMITS in src/export/lens.ts, so a wrong constant there cannot hide a violation.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLens, clip, lensId, questionOf, type Lens } from '../../src/export/lens.js';
import { loadCoverageData } from '../../src/rules/coverage.js';
import { isPipelineRule, loadCatalogue } from '../../src/rules/loader.js';
import { practices } from '../../src/rules/practices.js';
import { runCli } from '../cli/run.js';

const FRAMEWORK_PILLARS = ['operationalExcellence', 'security', 'reliability', 'performance', 'costOptimization', 'sustainability'];
const ID = /^[A-Za-z0-9_]{3,128}$/;
const URL_RE = /^https?:\/\/\S+$/;
const RISKS = ['HIGH_RISK', 'MEDIUM_RISK', 'NO_RISK'];

/** Every violation of the custom lens format found in `lens`, as readable strings. */
function violations(lens: unknown): string[] {
  const out: string[] = [];
  const bad = (at: string, problem: string) => out.push(`${at}: ${problem}`);
  const text = (at: string, v: unknown, max: number, required = true) => {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v.length === 0) bad(at, 'expected a non-empty string');
    else if (v.length > max) bad(at, `${v.length} characters (limit ${max})`);
  };
  const resource = (at: string, r: unknown, urlRequired: boolean) => {
    if (typeof r !== 'object' || r === null) return bad(at, 'expected an object');
    const o = r as Record<string, unknown>;
    text(`${at}.displayText`, o['displayText'], 2048);
    if (o['url'] === undefined) {
      if (urlRequired) bad(`${at}.url`, 'required');
    } else if (typeof o['url'] !== 'string' || !URL_RE.test(o['url'])) bad(`${at}.url`, 'expected an http(s) URL');
  };
  const l = lens as Record<string, unknown>;
  if (l['schemaVersion'] !== '2021-11-01') bad('schemaVersion', `expected "2021-11-01", got ${JSON.stringify(l['schemaVersion'])}`);
  text('name', l['name'], 128);
  text('description', l['description'], 2048);
  const bytes = Buffer.byteLength(JSON.stringify(lens), 'utf8');
  if (bytes > 500 * 1024) bad('lens', `${bytes} bytes (limit 500 KB)`);
  const pillars = l['pillars'];
  if (!Array.isArray(pillars) || pillars.length === 0) return [...out, 'pillars: expected a non-empty list'];
  if (pillars.length > 10) bad('pillars', `${pillars.length} pillars (limit 10)`);
  const pillarIds = new Set<string>();
  const questionIds = new Set<string>();
  pillars.forEach((p: Record<string, unknown>, i) => {
    const at = `pillars[${i}]`;
    const id = p['id'] as string;
    if (typeof id !== 'string' || !ID.test(id)) bad(`${at}.id`, `bad id ${JSON.stringify(id)}`);
    if (!FRAMEWORK_PILLARS.includes(id)) bad(`${at}.id`, `${id} is not a framework pillar id`);
    if (pillarIds.has(id)) bad(`${at}.id`, `duplicate ${id}`);
    pillarIds.add(id);
    text(`${at}.name`, p['name'], 128);
    const questions = p['questions'];
    if (!Array.isArray(questions) || questions.length === 0) return bad(`${at}.questions`, 'expected a non-empty list');
    if (questions.length > 20) bad(`${at}.questions`, `${questions.length} questions (limit 20)`);
    questions.forEach((q: Record<string, unknown>, j) => {
      const qat = `${at}.questions[${j}]`;
      const qid = q['id'] as string;
      if (typeof qid !== 'string' || !ID.test(qid)) bad(`${qat}.id`, `bad id ${JSON.stringify(qid)}`);
      if (questionIds.has(qid)) bad(`${qat}.id`, `duplicate ${qid}`);
      questionIds.add(qid);
      text(`${qat}.title`, q['title'], 128);
      text(`${qat}.description`, q['description'], 2048, false);
      if (q['helpfulResource'] !== undefined) resource(`${qat}.helpfulResource`, q['helpfulResource'], true);
      const choices = q['choices'];
      if (!Array.isArray(choices) || choices.length === 0) return bad(`${qat}.choices`, 'expected a non-empty list');
      if (choices.length > 15) bad(`${qat}.choices`, `${choices.length} choices (limit 15)`);
      const choiceIds = new Set<string>();
      choices.forEach((c: Record<string, unknown>, k) => {
        const cat = `${qat}.choices[${k}]`;
        const cid = c['id'] as string;
        if (typeof cid !== 'string' || !ID.test(cid)) bad(`${cat}.id`, `bad id ${JSON.stringify(cid)}`);
        if (choiceIds.has(cid)) bad(`${cat}.id`, `duplicate ${cid} in the question`);
        choiceIds.add(cid);
        text(`${cat}.title`, c['title'], 128);
        const none = typeof cid === 'string' && cid.endsWith('_no');
        if (c['helpfulResource'] !== undefined) resource(`${cat}.helpfulResource`, c['helpfulResource'], false);
        if (c['improvementPlan'] !== undefined) resource(`${cat}.improvementPlan`, c['improvementPlan'], false);
        else if (!none) bad(`${cat}.improvementPlan`, 'required (except for the "None of these" choice)');
        const extra = c['additionalResources'];
        if (extra !== undefined) {
          if (!Array.isArray(extra)) bad(`${cat}.additionalResources`, 'expected a list');
          else
            for (const type of ['HELPFUL_RESOURCE', 'IMPROVEMENT_PLAN']) {
              const n = extra.filter((x: Record<string, unknown>) => x['type'] === type).length;
              if (n > 5) bad(`${cat}.additionalResources`, `${n} of type ${type} (limit 5)`);
            }
        }
      });
      const risk = q['riskRules'];
      if (!Array.isArray(risk) || risk.length === 0) return bad(`${qat}.riskRules`, 'expected a non-empty list');
      if (risk.length > 3) bad(`${qat}.riskRules`, `${risk.length} rules (limit 3)`);
      const levels = risk.map((r: Record<string, unknown>) => r['risk']);
      if (new Set(levels).size !== levels.length) bad(`${qat}.riskRules`, 'more than one rule for a risk level');
      for (const lv of levels) if (!RISKS.includes(lv as string)) bad(`${qat}.riskRules`, `unknown risk ${JSON.stringify(lv)}`);
      if (!risk.some((r: Record<string, unknown>) => r['condition'] === 'default')) bad(`${qat}.riskRules`, 'no "default" rule');
      risk.forEach((r: Record<string, unknown>, k) => {
        const cond = r['condition'];
        if (typeof cond !== 'string') return bad(`${qat}.riskRules[${k}].condition`, 'expected a string');
        if (cond === 'default') {
          if (k !== risk.length - 1) bad(`${qat}.riskRules[${k}]`, 'the default rule must come last (rules are evaluated in order)');
          return;
        }
        const problem = conditionProblem(cond, choiceIds);
        if (problem) bad(`${qat}.riskRules[${k}].condition`, problem);
      });
    });
  });
  return out;
}

/**
 * Checks a risk-rule condition: choice ids of the question joined by `&&`, `||`, `!` and balanced
 * parentheses, nothing else. Returns the problem, or undefined.
 */
function conditionProblem(cond: string, choices: Set<string>): string | undefined {
  const tokens = cond.match(/\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_]+|\S)\s*/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  function expr(): string | undefined {
    const e = term();
    if (e) return e;
    while (peek() === '&&' || peek() === '||') {
      i++;
      const t = term();
      if (t) return t;
    }
    return undefined;
  }
  function term(): string | undefined {
    const t = tokens[i++];
    if (t === '!') return term();
    if (t === '(') {
      const e = expr();
      if (e) return e;
      if (tokens[i++] !== ')') return 'unbalanced parentheses';
      return undefined;
    }
    if (t === undefined) return 'unexpected end';
    if (!/^[A-Za-z0-9_]+$/.test(t)) return `unexpected ${JSON.stringify(t)}`;
    if (!choices.has(t)) return `${t} is not a choice of the question`;
    return undefined;
  }
  const e = expr();
  if (e) return e;
  if (i !== tokens.length) return `unexpected ${JSON.stringify(tokens[i])}`;
  return undefined;
}

const rules = loadCatalogue().rules.filter((r) => !isPipelineRule(r));
const lens = buildLens(rules, practices(), loadCoverageData());

describe('custom lens export', () => {
  it('satisfies the custom lens format and its limits', () => {
    expect(violations(lens)).toEqual([]);
  });

  it('maps the six pillars onto the framework pillars and every practice onto one choice', () => {
    expect(lens.pillars.map((p) => p.id)).toEqual(FRAMEWORK_PILLARS);
    const choiceIds = lens.pillars.flatMap((p) => p.questions.flatMap((q) => q.choices.map((c) => c.id))).filter((id) => !id.endsWith('_no'));
    expect(choiceIds.sort()).toEqual(practices().map((p) => lensId(p.id)).sort());
    // 35 questions in the 2025 edition: reliability has no business-goal question.
    expect(lens.pillars.reduce((n, p) => n + p.questions.length, 0)).toBe(35);
    for (const p of lens.pillars) for (const q of p.questions) for (const c of q.choices) if (!c.id.endsWith('_no')) expect(questionOf(c.id.replace('_', '-'))).toBe(q.id);
  });

  it('names the rules that check a practice and uses their remediation as the improvement plan', () => {
    const choice = lens.pillars.flatMap((p) => p.questions).flatMap((q) => q.choices).find((c) => c.id === 'MLREL03_BP03')!;
    expect(choice.helpfulResource!.displayText).toContain('model-card-results-on-training-data');
    expect(choice.helpfulResource!.url).toBe('https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlrel03-bp03.html');
    expect(choice.improvementPlan!.displayText).toContain('model-card-results-on-training-data: Evaluate on a held-out split');
  });

  it('orders risk rules from least to most risky, ending with the default', () => {
    for (const q of lens.pillars.flatMap((p) => p.questions)) {
      expect(q.riskRules[0]!.risk).toBe('NO_RISK');
      expect(q.riskRules.at(-1)).toEqual({ condition: 'default', risk: 'HIGH_RISK' });
    }
  });

  it('the validator catches violations of each kind of limit', () => {
    const broken = JSON.parse(JSON.stringify(lens)) as Lens;
    broken.name = 'x'.repeat(129);
    broken.pillars[0]!.id = 'ops-excellence';
    const q = broken.pillars[1]!.questions[0]!;
    q.title = 'y'.repeat(129);
    q.choices[0]!.id = 'MLSEC01-BP01';
    delete q.choices[0]!.improvementPlan;
    q.riskRules = [{ condition: 'MLSEC01_no && (NOPE)', risk: 'NO_RISK' }];
    const cost = broken.pillars[4]!.questions.find((x) => x.id === 'MLCOST04')!;
    cost.choices.push({ id: 'MLCOST04_BP99', title: 'extra', improvementPlan: { displayText: 'z', url: 'ftp://example.com' } });
    const v = violations(broken).join('\n');
    expect(v).toContain('name: 129 characters (limit 128)');
    expect(v).toContain('pillars[0].id: bad id "ops-excellence"');
    expect(v).toContain('title: 129 characters (limit 128)');
    expect(v).toContain('choices[0].id: bad id "MLSEC01-BP01"');
    expect(v).toMatch(/improvementPlan: required/);
    expect(v).toContain('NOPE is not a choice of the question');
    expect(v).toContain('no "default" rule');
    expect(v).toContain('16 choices (limit 15)');
    expect(v).toContain('expected an http(s) URL');
  });

  it('clips long text on a word boundary', () => {
    expect(clip('one two three four', 12)).toBe('one two…');
    expect(clip('short', 12)).toBe('short');
    expect(clip('a'.repeat(30), 10)).toHaveLength(10);
  });
});

describe('ml-lens export-lens', () => {
  it('writes the lens JSON to --output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-export-'));
    const file = join(dir, 'out', 'lens.json');
    const r = await runCli(['export-lens', '--output', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote custom lens');
    const written = JSON.parse(readFileSync(file, 'utf8')) as Lens;
    expect(written).toEqual(lens);
  });

  it('prints it on standard output without --output, and takes no arguments', async () => {
    const r = await runCli(['export-lens']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Lens).schemaVersion).toBe('2021-11-01');
    expect((await runCli(['export-lens', 'x'])).code).toBe(2);
    expect((await runCli(['export-lens', '--format', 'json'])).stderr).toContain('--format is not an option of "export-lens"');
  });
});
