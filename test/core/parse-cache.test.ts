/**
 * The parse cache's core (src/parse-cache.ts, context-index.ts): what a review learns of the
 * context files it is given with a blob id, and a second review that is given those facts instead
 * of the files reviews the same and parses none of them. A fact that does not answer what the
 * rules look for leaves the context incomplete (unknown), never a false failure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { LEARN_BYTES } from '../../src/context-index.js';
import { createEngine, type Engine } from '../../src/engine.js';
import type { ChangeSet, ContextFact } from '../../src/model.js';
import { answers, contextKey, readerVersion, type ContextNeeds, type LearntFact } from '../../src/parse-cache.js';
import type { ReviewPlan } from '../../src/plan.js';
import { changeSetOf, TODAY } from '../helpers/engine.js';

const BUCKET = 'resource "aws_s3_bucket" "training" {\n  bucket = "ml-training-data"\n}\n';
const ENCRYPTION = `resource "aws_s3_bucket_server_side_encryption_configuration" "training" {
  bucket = aws_s3_bucket.training.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}
`;
const UNRELATED = 'resource "aws_iam_role" "runner" {\n  name = "runner"\n  assume_role_policy = "{}"\n}\n';

let engine: Engine;
let plan: ReviewPlan;
beforeAll(async () => {
  engine = await createEngine();
  plan = engine.plan({ config: defaultConfig(), catalogue: engine.catalogue(), today: TODAY });
});

function change(context: { path: string; text: string; blob?: string }[], known?: ChangeSet['context']['known']): ChangeSet {
  const cs = changeSetOf([{ path: 'infra/data.tf', status: 'added', head: BUCKET, base: null }], {
    context: context.map(({ path, text }) => ({ path, text })),
    tree: ['infra/encryption.tf', 'infra/iam.tf'],
  });
  cs.context.files = context;
  if (known) cs.context.known = known;
  return cs;
}

/** Reviews, returning what it learnt and which files it parsed. */
function run(cs: ChangeSet): { review: ReturnType<Engine['review']>; learnt: LearntFact[] | undefined; parsed: string[] } {
  let learnt: LearntFact[] | undefined;
  const parsed: string[] = [];
  const review = engine.review(cs, plan, { learn: (f) => (learnt = f), watch: (path, step) => void (step === 'parse' && parsed.push(path)) });
  return { review, learnt, parsed };
}

const strip = (r: ReturnType<Engine['review']>) => JSON.parse(JSON.stringify({ findings: r.findings, gate: r.gate, scores: r.scores, stats: r.stats })) as unknown;

describe('the parse cache: what a review learns of its context files', () => {
  it('learns the document of a file its rules read, and the types an unrelated file does not name', () => {
    const { learnt } = run(change([
      { path: 'infra/encryption.tf', text: ENCRYPTION, blob: 'b1' },
      { path: 'infra/iam.tf', text: UNRELATED, blob: 'b2' },
    ]));
    const byPath = new Map(learnt!.map((f) => [f.path, f]));
    expect(byPath.get('infra/encryption.tf')!.blob).toBe('b1');
    const enc = byPath.get('infra/encryption.tf')!.fact;
    // What `resource_exists` reads of it, no more.
    expect(enc).toEqual({ targets: [{ type: 'aws_s3_bucket_server_side_encryption_configuration', address: 'aws_s3_bucket_server_side_encryption_configuration.training' }] });
    const iam = byPath.get('infra/iam.tf')!.fact;
    expect('lacks' in iam && iam.lacks).toContain('aws_s3_bucket_server_side_encryption_configuration');
    // Every type a Terraform file could hold that the rules look for: the fact answers the plan.
    expect(answers(iam, 'infra/iam.tf', plan.context)).toBe(true);
  });

  it('a file that names a type no rule asked for this time is parsed to be remembered only when small', () => {
    // The change holds no bucket: the encryption rule never asks for the context.
    const iamOnly = (context: { path: string; text: string; blob: string }[]) => {
      const cs = change(context);
      cs.files = [{ path: 'infra/data.tf', status: 'added', head: UNRELATED, base: null }];
      return run(cs);
    };
    const small = iamOnly([{ path: 'infra/encryption.tf', text: ENCRYPTION, blob: 'b1' }]);
    expect(small.learnt).toEqual([{ path: 'infra/encryption.tf', blob: 'b1', fact: { targets: [expect.objectContaining({ type: 'aws_s3_bucket_server_side_encryption_configuration' })] } }]);
    let padded = ENCRYPTION;
    for (let i = 0; padded.length <= LEARN_BYTES; i++) padded += `resource "aws_iam_role" "r${i}" {\n  name = "r${i}"\n}\n`;
    const large = iamOnly([{ path: 'infra/encryption.tf', text: padded, blob: 'b3' }]);
    expect(large.learnt).toEqual([]);
    expect(large.parsed).not.toContain('infra/encryption.tf');
  });

  it('learns nothing of files given without a blob id, and nothing when not asked', () => {
    expect(run(change([{ path: 'infra/encryption.tf', text: ENCRYPTION }])).learnt).toEqual([]);
    const review = engine.review(change([{ path: 'infra/encryption.tf', text: ENCRYPTION, blob: 'b1' }]), plan);
    expect(review.findings.some((f) => f.rule === 's3-bucket-kms')).toBe(false);
  });

  it('a second review given the facts instead of the files finds the same and parses none of them', () => {
    const files = [
      { path: 'infra/encryption.tf', text: ENCRYPTION, blob: 'b1' },
      { path: 'infra/iam.tf', text: UNRELATED, blob: 'b2' },
    ];
    const first = run(change(files));
    expect(first.parsed).toContain('infra/encryption.tf');
    // As the store keeps them: JSON.
    const known = first.learnt!.map((f) => ({ path: f.path, fact: JSON.parse(JSON.stringify(f.fact)) as ContextFact }));
    const second = run(change([], known));
    expect(second.parsed.filter((p) => p.startsWith('infra/') && p !== 'infra/data.tf')).toEqual([]);
    expect(strip(second.review)).toEqual(strip(first.review));
    expect(second.review.findings.some((f) => f.rule === 's3-bucket-kms')).toBe(false);
    // Nothing new to learn: the known files were not read.
    expect(second.learnt).toEqual([]);
  });

  it('without the encryption file the bucket fails; with a fact that does not answer the rules it is unknown, not a failure', () => {
    const absent = run(change([{ path: 'infra/iam.tf', text: UNRELATED, blob: 'b2' }])).review;
    expect(absent.findings.filter((f) => f.rule === 's3-bucket-kms').map((f) => f.address)).toEqual(['aws_s3_bucket.training']);
    // Learnt under rules that looked for fewer types: it cannot say the file lacks this one.
    const partial = run(change([], [{ path: 'infra/encryption.tf', fact: { lacks: ['aws_budgets_budget'] } }])).review;
    expect(partial.findings.some((f) => f.rule === 's3-bucket-kms')).toBe(false);
  });
});

describe('the parse cache: keys and versions', () => {
  const needs: ContextNeeds = { kinds: new Set(['terraform', 'cloudformation']), types: new Set(['aws_s3_bucket_logging']) };

  it('a key changes with the path, the blob, the kinds that read the file and the readers version', () => {
    const k = contextKey({ path: 'a.tf', blob: 'x' }, needs, 'v1');
    expect(contextKey({ path: 'a.tf', blob: 'x' }, needs, 'v1')).toBe(k);
    expect(contextKey({ path: 'b.tf', blob: 'x' }, needs, 'v1')).not.toBe(k);
    expect(contextKey({ path: 'a.tf', blob: 'y' }, needs, 'v1')).not.toBe(k);
    expect(contextKey({ path: 'a.tf', blob: 'x' }, needs, 'v2')).not.toBe(k);
    expect(contextKey({ path: 'a.tf', blob: 'x' }, { ...needs, kinds: new Set(['cloudformation']) }, 'v1')).not.toBe(k);
    // Kinds that do not read the path do not change it.
    expect(contextKey({ path: 'a.tf', blob: 'x' }, { ...needs, kinds: new Set(['terraform', 'model-card']) }, 'v1')).toBe(
      contextKey({ path: 'a.tf', blob: 'x' }, { ...needs, kinds: new Set(['terraform']) }, 'v1'),
    );
  });

  it('the readers version is a hash of the running build, the same for every call', () => {
    expect(readerVersion()).toMatch(/^[0-9a-f]{16}$/);
    expect(readerVersion()).toBe(readerVersion());
  });

  it('a "lacks" fact answers only when it names every type the readers of the path could hold', () => {
    expect(answers({ lacks: ['aws_s3_bucket_logging'] }, 'a.tf', needs)).toBe(true);
    expect(answers({ lacks: [] }, 'a.tf', needs)).toBe(false);
    expect(answers({ targets: [] }, 'a.tf', needs)).toBe(true);
  });
});
