/**
 * The API budget of a review (a tracked figure, DESIGN §8): every request nock intercepts is
 * counted, the installation token included. And a pull request over GitHub's 3000-file listing
 * limit: reviewed as far as GitHub lists it, and the rest reported.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { createEngine } from '../../src/engine.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { listedFiles, sha, type Files } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

beforeAll(() => setupNock());
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

const HEAD = sha('budget-head');
const BASE = sha('budget-base');
const PR = 42;
const CHECK = 4242;

/** Two findings per file (no KMS key, no data capture), so the count does not depend on the rest of the catalogue. */
const KEEP = ['sagemaker-endpoint-kms', 'sagemaker-endpoint-data-capture'];
async function config(): Promise<string> {
  const disable = (await createEngine()).builtinRules
    .map((r) => r.id)
    .filter((id) => !KEEP.includes(id));
  return `rules:\n  disable: [${disable.join(', ')}]\n`;
}

const endpoint = (n: number, safe: boolean) => `resource "aws_sagemaker_endpoint_configuration" "svc_${n}" {
  name = "svc-${n}"
${safe ? '  kms_key_arn = aws_kms_key.ml.arn\n' : ''}
  production_variant {
    variant_name           = "primary"
    model_name             = "svc-${n}"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
${
  safe
    ? `  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 10
    destination_s3_uri          = "s3://acme-ml/capture/${n}"
    capture_options {
      capture_mode = "Input"
    }
  }
`
    : ''
}}
`;

/**
 * A change of `artifacts` Terraform files (each losing its KMS key and data capture), `code`
 * Python files and `safe` Terraform files edited without a finding (a comment added).
 */
function change(artifacts: number, code: number, safe = 0): { base: Files; head: Files } {
  const base: Files = { 'Dockerfile': 'FROM python:3.12\n', 'requirements.txt': 'boto3\n' };
  const head: Files = { ...base };
  for (let i = 0; i < artifacts; i++) {
    base[`services/svc-${i}/endpoint.tf`] = endpoint(i, true);
    head[`services/svc-${i}/endpoint.tf`] = endpoint(i, false);
  }
  for (let i = 0; i < safe; i++) {
    base[`platform/svc-${i}/endpoint.tf`] = endpoint(1000 + i, true);
    head[`platform/svc-${i}/endpoint.tf`] = `# owned by the platform team\n${endpoint(1000 + i, true)}`;
  }
  for (let i = 0; i < code; i++) {
    base[`services/svc-${i % 50}/handler_${i}.py`] = `def handle(event):\n    return ${i}\n`;
    head[`services/svc-${i % 50}/handler_${i}.py`] = `def handle(event):\n    return ${i + 1}\n`;
  }
  return { base, head };
}

async function measure(artifacts: number, code: number, safe = 0): Promise<{ requests: number; byCall: Record<string, number>; annotations: number }> {
  const { base, head } = change(artifacts, code, safe);
  const files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
  expect(files).toHaveLength(artifacts + code + safe);
  // 300 files a query: the artifacts (both sides) and the Python files (read for their imports).
  const queries = Math.ceil((artifacts + code + safe) / 300);
  const findings = artifacts * 2;
  const checkUpdates = Math.max(1, Math.ceil(Math.min(findings, 500) / 50)); // checks.max_annotations: 500
  h = await harness();
  const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
  gh.token()
    .config(await config())
    .checkCreate(CHECK)
    .listFiles(PR, files)
    .tree(HEAD)
    .objects(queries)
    .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
    .firstPublish(PR, CHECK, { checkUpdates });
  await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
  await h.settle();
  gh.assertDone();
  h.finish();
  const byCall: Record<string, number> = {};
  for (const r of h.recorder.requests) {
    const path = r.pathname
      .replace(/^\/repos\/acme\/churn-model/, '')
      .replace(/\/[0-9a-f]{40}(?=\/|$)/g, '/:sha')
      .replace(/\/\d+(?=\/|$)/g, '/:n');
    const key = `${r.method} ${path}`;
    byCall[key] = (byCall[key] ?? 0) + 1;
  }
  const annotations = h
    .requests('PATCH', /\/check-runs\//)
    .reduce((n, r) => n + ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations?.length ?? 0), 0);
  return { requests: h.recorder.count(), byCall, annotations };
}

/** What every 300-file review with 100 findings costs, whatever its mix: 15 requests. */
const FIFTEEN = {
  'POST /app/installations/:n/access_tokens': 1,
  'GET /contents/.github%2Fml-lens.yml': 1,
  'POST /check-runs': 1,
  'GET /pulls/:n/files': 3,
  'GET /git/trees/:sha': 1,
  'POST /graphql': 1,
  'GET /pulls/:n': 1,
  'GET /issues/:n/comments': 1,
  'POST /issues/:n/comments': 1,
  'GET /pulls/:n/comments': 1,
  'POST /pulls/:n/reviews': 1,
  'PATCH /check-runs/:n': 2,
};

describe('API budget', () => {
  it('a 300-file pull request with 100 findings, most files not artifacts (250 Python): 15 requests', async () => {
    // Both sides of the 50 Terraform files and the 250 Python files (read to see whether they
    // call SageMaker or another ML SDK) in one query.
    const { requests, byCall, annotations } = await measure(50, 250);
    expect(annotations).toBe(100);
    expect(byCall).toEqual(FIFTEEN);
    expect(requests).toBe(15);
  });

  it('a 300-file pull request with 100 findings, every file Terraform: 15 requests', async () => {
    const { requests, byCall, annotations } = await measure(50, 0, 250);
    expect(annotations).toBe(100);
    expect(byCall).toEqual(FIFTEEN);
    expect(requests).toBe(15);
  });

  it('a 300-file pull request with 100 findings, half Terraform, half Python: 15 requests', async () => {
    const { requests, byCall } = await measure(50, 125, 125);
    expect(byCall).toEqual(FIFTEEN);
    expect(requests).toBe(15);
  });

  it('300 changed artifacts, all with findings (head and base of each read): 8 + ceil(300/300) + 4 + ceil(500/50) requests, never one a file', async () => {
    const { requests, byCall, annotations } = await measure(300, 0);
    expect(annotations).toBe(500); // checks.max_annotations: 50 a request is GitHub's limit
    expect(byCall['POST /graphql']).toBe(1);
    expect(byCall['PATCH /check-runs/:n']).toBe(10);
    expect(requests).toBe(8 + 1 + 4 + 10);
  });
});

describe('more files than GitHub lists', () => {
  it('reviews the first 3000 files (30 pages) and says how many were left out', async () => {
    const head: Files = {};
    for (let i = 0; i < 2990; i++) head[`src/pkg_${i % 100}/mod_${i}.py`] = `X = ${i}\n`;
    for (let i = 0; i < 10; i++) head[`infra/svc_${i}.tf`] = endpoint(i, false);
    const files = listedFiles({}, head, { headSha: HEAD, patch: 'whole' });
    expect(files).toHaveLength(3000);
    h = await harness();
    const gh = new GitHubMock().commit(HEAD, head).commit('main', {});
    gh.token()
      .config('')
      .checkCreate(CHECK)
      .listFiles(PR, files)
      .tree(HEAD)
      .objects(10) // 3000 files, 300 a query: the Python files are read for their imports
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: 3500 })
      .firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: 3500 }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('GET', /\/pulls\/42\/files$/)).toHaveLength(30);
    const note = /more files than GitHub lists \(3000\); 500 files were not reviewed/;
    expect((h.requests('POST', /\/issues\/42\/comments$/)[0]!.body as { body: string }).body).toMatch(note);
    const end = h.requests('PATCH', /\/check-runs\/4242$/)[0]!.body as { output: { summary: string; text?: string } };
    expect(`${end.output.summary}\n${end.output.text ?? ''}`).toMatch(note);
  });
});
