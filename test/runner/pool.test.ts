/**
 * The worker pool (src/runner/pool.ts) with real worker threads running the built code
 * (dist/runner/review-worker.js; `npm test` builds first): the same review as on this thread, a
 * file over the time budget given up on and reported while the others are reviewed, the event loop
 * free meanwhile, aborting, and the limits of giving up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createEngine, type Engine } from '../../src/engine.js';
import type { ChangeSet, FileChange } from '../../src/model.js';
import type { PlanInput } from '../../src/plan.js';
import { ReviewBudgetError, WorkerPool } from '../../src/runner/index.js';
import { changeSetOf, TODAY } from '../helpers/engine.js';

const config = configSchema.parse({});

const endpoint = (name: string) =>
  `resource "aws_sagemaker_endpoint_configuration" "${name}" {\n  production_variants {\n    variant_name = "a"\n    model_name = "m"\n    instance_type = "ml.m5.large"\n    initial_instance_count = 1\n  }\n}\n`;

/** About 0.9 MB of Terraform: a second or so to parse, far over a 150 ms budget on any machine. */
function slowTerraform(): string {
  let tf = '';
  for (let i = 0; tf.length < 900_000; i++) tf += `resource "aws_s3_bucket" "b${i}" {\n  bucket = "x${i}"\n  tags = { a = "b" }\n}\n`;
  return tf;
}

function change(files: FileChange[]): ChangeSet {
  return changeSetOf(files, { meta: { source: 'dir' } });
}

const added = (path: string, head: string): FileChange => ({ path, status: 'added', head, base: null });

let engine: Engine;
/** The built-in catalogue, the default config and TODAY. */
let input: PlanInput;
let pool: WorkerPool;
beforeAll(async () => {
  engine = await createEngine();
  input = { config, catalogue: engine.catalogue(), today: TODAY };
  pool = new WorkerPool({ size: 2, fileTimeoutMs: 150, env: {} });
  await pool.warm();
});
afterAll(async () => {
  await pool.close();
});

describe('WorkerPool', () => {
  it('gives the review this thread would give', async () => {
    const cs = change([added('infra/a.tf', endpoint('a')), added('infra/b.tf', endpoint('b'))]);
    const inThread = engine.review(cs, engine.plan(input), { toolVersion: 't' });
    const inWorker = await pool.review(cs, input, { toolVersion: 't' });
    expect(inWorker).toEqual(inThread);
    expect(inWorker.findings.length).toBeGreaterThan(0);
  });

  it('hands back what the review learnt of its context files (for the parse cache), as this thread would', async () => {
    const cs = change([added('infra/a.tf', 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n')]);
    cs.context.files = [
      { path: 'infra/logs.tf', text: 'resource "aws_s3_bucket_logging" "a" {\n  bucket = "a"\n  target_bucket = "l"\n}\n', blob: 'b1' },
      { path: 'infra/iam.tf', text: 'resource "aws_iam_role" "r" {\n  name = "r"\n}\n', blob: 'b2' },
    ];
    let inThread: unknown;
    engine.review(cs, engine.plan(input), { learn: (f) => (inThread = f) });
    let inWorker: unknown;
    await pool.review(cs, input, { learn: (f) => (inWorker = f) });
    expect(inWorker).toEqual(inThread);
    expect(inWorker).toEqual(expect.arrayContaining([{ path: 'infra/logs.tf', blob: 'b1', fact: { targets: [{ type: 'aws_s3_bucket_logging', address: 'aws_s3_bucket_logging.a' }] } }]));
  });

  it('gives up on a file over the time budget, reports it, and reviews the rest', async () => {
    const cs = change([added('infra/a.tf', endpoint('a')), added('infra/huge.tf', slowTerraform()), added('infra/b.tf', endpoint('b'))]);
    const r = await pool.review(cs, input);
    expect(r.stats.notReviewed).toEqual([
      { path: 'infra/huge.tf', reason: 'reading it took longer than the time budget of 150 ms', claimedBy: 'terraform' },
    ]);
    const budget = r.findings.filter((f) => f.rule === 'time-budget');
    expect(budget).toEqual([expect.objectContaining({ path: 'infra/huge.tf', startLine: 1, status: 'new', severity: 'medium' })]);
    expect(budget[0]!.message).toBe('infra/huge.tf was not reviewed: reading it took longer than the time budget of 150 ms');
    // The other files are reviewed as usual, and a claimed file not reviewed fails the gate.
    expect(r.findings.some((f) => f.path === 'infra/a.tf' && f.rule === 'sagemaker-endpoint-kms')).toBe(true);
    expect(r.findings.some((f) => f.path === 'infra/b.tf' && f.rule === 'sagemaker-endpoint-kms')).toBe(true);
    expect(r.gate.conclusion).toBe('failure');
    expect(r.gate.reasons.join('\n')).toContain('infra/huge.tf (reading it took longer than the time budget');
    expect(r.stats.files).toBe(3);
  });

  it('keeps the event loop free while a worker is busy', async () => {
    const cs = change([added('infra/huge.tf', slowTerraform())]);
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    try {
      await pool.review(cs, input);
    } finally {
      clearInterval(timer);
    }
    // A 10 ms timer never waits long: the parse happens on another thread (generous bound).
    expect(worst).toBeLessThan(150);
  });

  it('stops a review when its signal is aborted', async () => {
    const controller = new AbortController();
    const cs = change([added('infra/huge.tf', slowTerraform())]);
    const big = new WorkerPool({ size: 1, fileTimeoutMs: 60_000, env: {} });
    try {
      const running = big.review(cs, input, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stopping')), 50);
      await expect(running).rejects.toThrow('stopping');
      // The pool is still usable: the stopped worker was replaced.
      const r = await big.review(change([added('infra/a.tf', endpoint('a'))]), input);
      expect(r.findings.length).toBeGreaterThan(0);
    } finally {
      await big.close();
    }
  });

  it('gives up the review when more files than allowed overrun', async () => {
    const strict = new WorkerPool({ size: 1, fileTimeoutMs: 150, maxOverBudgetFiles: 1, env: {} });
    try {
      const cs = change([added('infra/x.tf', slowTerraform()), added('infra/y.tf', slowTerraform())]);
      await expect(strict.review(cs, input)).rejects.toThrow(ReviewBudgetError);
      await expect(strict.review(cs, input)).rejects.toThrow(/more than 1 files could not be read within the time budget/);
    } finally {
      await strict.close();
    }
  });

  it('reads its budgets from the environment', () => {
    expect(new WorkerPool({ env: { ML_LENS_FILE_TIMEOUT_MS: '2500' } }).fileTimeoutMs).toBe(2500);
    expect(new WorkerPool({ env: { ML_LENS_FILE_TIMEOUT_MS: 'soon' } }).fileTimeoutMs).toBe(10_000);
  });
});
