/**
 * Every artifact kind is one module that states every per-kind fact (src/model.ts FormatModule):
 * adding a kind is adding a module and registering it, and this test fails when one is missing.
 */
import { describe, expect, it } from 'vitest';
import { FORMATS, formatOf, kindPhrase } from '../../src/formats/index.js';
import { KINDS, type FormatModule } from '../../src/model.js';

const SYNTAXES = ['hcl', 'yaml', 'markdown', 'python', 'typescript', 'none'];

describe('format modules', () => {
  it('register exactly one module per kind', () => {
    expect(FORMATS.map((f) => f.kind).sort()).toEqual([...KINDS].sort());
  });

  it.each(FORMATS.map((f) => [f.kind, f] as const))('%s states every fact', (_kind, f: FormatModule) => {
    expect(f.phrase).toMatch(/^(a|an) \S/);
    expect(f.address.length).toBeGreaterThan(3);
    expect(f.documentAddress).toMatch(/^[a-z][a-z-]+$/);
    expect(Array.isArray(f.answers) && Array.isArray(f.code)).toBe(true);
    for (const a of f.answers) expect(a.kind).not.toBe(f.kind);
    for (const p of ['dags/train.py', 'dags/train.yaml', 'x.json']) expect(SYNTAXES).toContain(typeof f.comments === 'function' ? f.comments(p) : f.comments);
    for (const fn of [f.accepts, f.claims, f.detect, f.parse, f.holds]) expect(typeof fn).toBe('function');
    expect(f.fix === null || typeof f.fix === 'function').toBe(true);
    // The path pre-filter bounds detection: a path no module accepts is never detected.
    expect(f.detect('some/unrelated.bin', 'x')).toBe(false);
    // What a kind claims, it accepts.
    for (const p of ['main.tf', 'x.tf.json', '.github/workflows/ci.yml', 'model_card.md', 'dvc.yaml', 'MLproject', 'a.asl.json', 'buildspec.yml']) {
      if (f.claims(p)) expect(f.accepts(p)).toBe(true);
    }
    expect(kindPhrase(f.kind)).toBe(f.phrase);
    expect(formatOf(f.kind)).toBe(f);
  });

  it('name the kinds whose files hold the resources repository rules look for', () => {
    expect(formatOf('terraform').holds('aws_budgets_budget')).toBe(true);
    expect(formatOf('terraform').holds('AWS::Budgets::Budget')).toBe(false);
    expect(formatOf('cloudformation').holds('AWS::Budgets::Budget')).toBe(true);
    expect(formatOf('model-card').holds('model-card')).toBe(true);
    expect(FORMATS.filter((f) => f.holds('aws_s3_bucket')).map((f) => f.kind)).toEqual(['terraform']);
  });

  it('place fixes only where a kind can take one', () => {
    expect(FORMATS.filter((f) => f.fix !== null).map((f) => f.kind).sort()).toEqual(['cloudformation', 'sagemaker-python', 'terraform']);
  });
});
