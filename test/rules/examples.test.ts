/**
 * Every rule of the real catalogue on its own examples: each pass example yields evaluations of
 * the rule and none fails (nor passes only for want of knowing); each fail example yields at least
 * one failure of the rule, with a message whose placeholders are all filled.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { classify, formatOf } from '../../src/formats/index.js';
import { KINDS, PILLARS, type Document, type Evaluation, type Rule, type RuleExample } from '../../src/model.js';
import { evaluateDocument, evaluateRepository, formatMessage } from '../../src/rules/evaluate.js';
import { DUPLICATE_KEY_RULE, isPipelineRule, loadCatalogue, PARSE_ERROR_RULE } from '../../src/rules/loader.js';

const catalogue = loadCatalogue();

beforeAll(async () => {
  await createEngine();
});

/** The example's documents: the file's, and those it embeds (a pipeline built in Python). */
function parse(rule: Rule, ex: RuleExample): Document[] {
  const c = classify(ex.path, ex.content);
  if (c.type === 'error') throw new Error(`${rule.id}: example ${ex.path} does not parse as ${c.error.kind}: line ${c.error.line}: ${c.error.message}`);
  if (c.type === 'none') throw new Error(`${rule.id}: example ${ex.path} is not recognised: ${c.reason}`);
  const kinds = rule.match.map((m) => m.kind);
  const docs = [c.document, ...(c.document.embedded ?? [])];
  // A kind's targets may answer another kind's clauses (a boto3 call, a pipeline step's Arguments).
  const answered = formatOf(c.document.kind).answers.map((a) => a.kind);
  if (!docs.some((d) => kinds.includes(d.kind)) && !answered.some((k) => kinds.includes(k)) && !kinds.includes('repository')) {
    throw new Error(`${rule.id}: example ${ex.path} parses as ${c.document.kind}, which no clause of the rule matches`);
  }
  return docs;
}

function evaluate(rule: Rule, ex: RuleExample): Evaluation[] {
  const docs = parse(rule, ex);
  return [
    ...docs.flatMap((d) => evaluateDocument([rule], d)),
    ...evaluateRepository([rule], { tree: [ex.path], changed: docs, contextComplete: true }),
  ].filter((e) => e.rule.id === rule.id);
}

const show = (evs: Evaluation[]): string[] => evs.map((e) => `${e.address} ${e.outcome}${e.uncertain ? ' (uncertain)' : ''} ${e.attribute ?? ''}=${e.actual ?? ''}`);

describe('catalogue', () => {
  it('covers all six pillars, at least five kinds, and at least 16 rules', () => {
    const rules = catalogue.rules.filter((r) => !isPipelineRule(r));
    expect(rules.length).toBeGreaterThanOrEqual(16);
    expect(new Set(rules.map((r) => r.pillar))).toEqual(new Set(PILLARS));
    const kinds = new Set(rules.flatMap((r) => r.match.map((m) => m.kind)).filter((k) => (KINDS as readonly string[]).includes(k)));
    expect(kinds.size).toBeGreaterThanOrEqual(5);
  });
});

for (const rule of catalogue.rules) {
  describe(rule.id, () => {
    if (rule === PARSE_ERROR_RULE) {
      rule.examples.pass.forEach((ex, i) => {
        it(`pass example ${i + 1} (${ex.path}) parses`, () => {
          expect(classify(ex.path, ex.content)).toMatchObject({ type: 'document' });
        });
      });
      rule.examples.fail.forEach((ex, i) => {
        it(`fail example ${i + 1} (${ex.path}) is a parse error`, () => {
          expect(classify(ex.path, ex.content)).toMatchObject({ type: 'error' });
        });
      });
      return;
    }
    if (rule === DUPLICATE_KEY_RULE) {
      // Reported from what the parser notes: a pass example has no note, a fail example has one.
      const notes = (ex: { path: string; content: string }) => {
        const c = classify(ex.path, ex.content);
        return c.type === 'document' ? ((c.document.meta?.['parseNotes'] as { note: string }[] | undefined) ?? []).map((n) => n.note) : [`not a document: ${c.type}`];
      };
      rule.examples.pass.forEach((ex, i) => it(`pass example ${i + 1} (${ex.path}) notes no duplicate key`, () => expect(notes(ex)).toEqual([])));
      rule.examples.fail.forEach((ex, i) => it(`fail example ${i + 1} (${ex.path}) notes a duplicate key`, () => expect(notes(ex)).toEqual(['duplicate-key'])));
      return;
    }
    rule.examples.pass.forEach((ex, i) => {
      it(`pass example ${i + 1} (${ex.path}) passes`, () => {
        const evs = evaluate(rule, ex);
        expect(evs.length, 'the rule evaluates something in its pass example').toBeGreaterThan(0);
        expect(show(evs.filter((e) => e.outcome === 'fail' || e.uncertain))).toEqual([]);
      });
    });
    rule.examples.fail.forEach((ex, i) => {
      it(`fail example ${i + 1} (${ex.path}) fails`, () => {
        const evs = evaluate(rule, ex);
        const failures = evs.filter((e) => e.outcome === 'fail');
        expect(failures.length, `no failure among ${JSON.stringify(show(evs))}`).toBeGreaterThan(0);
        for (const f of failures) {
          const message = formatMessage(rule, f);
          expect(message).not.toMatch(/\{\{/);
          expect(f.startLine).toBeGreaterThanOrEqual(1);
          expect(f.endLine).toBeGreaterThanOrEqual(f.startLine);
        }
      });
    });
  });
}
