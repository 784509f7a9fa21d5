/**
 * The repository of the posted-bodies tests (what GitHub receives, word for word): one endpoint
 * configuration on the default branch, a change that drops its KMS key and its data capture, and
 * one that puts the key back. And the helpers that read what was sent, masking what changes
 * between runs without the wording changing (the clock, the tool's version).
 */
import nock from 'nock';
import { expect } from 'vitest';
import { sha, type Files } from '../github/fixtures/repo.js';
import type { GitHubMock } from './github-mock.js';
import type { Harness } from './harness.js';

/** Issues for high findings on merge; the repository-wide rules are off, so the bodies show the endpoint's two findings only. */
export const CONFIG = 'issues:\n  create: on-merge\n  min_severity: high\nrules:\n  disable: [repository-codeowners, repository-ml-profile, sagemaker-endpoint-autoscaling]\n';

/** An endpoint configuration, with or without its KMS key and its data capture. */
function endpoint(opts: { kms: boolean; capture: boolean }): string {
  return `resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-endpoint"
${opts.kms ? '  kms_key_arn = aws_kms_key.ml.arn\n' : ''}
  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
${
  opts.capture
    ? `
  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 20
    destination_s3_uri          = "s3://acme-ml/capture"
    capture_options {
      capture_mode = "Input"
    }
  }
`
    : ''
}}
`;
}

const repo = (tf: string): Files => ({ '.github/ml-lens.yml': CONFIG, 'README.md': '# churn\n', 'infra/endpoint.tf': tf });
/** Safe: the KMS key and data capture are there. */
export const base = repo(endpoint({ kms: true, capture: true }));
/** Both gone: a high finding (KMS) and a medium one (data capture). */
export const risky = repo(endpoint({ kms: false, capture: false }));
/** The KMS key back: the medium finding is left. */
export const partlyFixed = repo(endpoint({ kms: true, capture: false }));

export const BASE = sha('posted-base');
export const RISKY = sha('posted-risky');
export const PARTLY_FIXED = sha('posted-partly-fixed');

/** The App's bot, as GitHub reports the author of its comments and issues. */
export const BOT = { login: 'ml-lens-reviewer[bot]', type: 'Bot' };

/** The body a request sent, with what changes between runs (clock, version) masked. */
export function sent(r: { body: unknown } | undefined): any {
  expect(r, 'request was made').toBeDefined();
  const text = JSON.stringify(r!.body)
    .replace(/"(started_at|completed_at)":"[^"]+"/g, '"$1":"<time>"')
    .replace(/ML Lens Reviewer \d+\.\d+\.\d+[^ ]*/g, 'ML Lens Reviewer <version>');
  return JSON.parse(text);
}

/** The requests publishing made, as the jobs log them (counted by the client's request hook). */
export function publishRequests(h: Harness, msg: string): unknown[] {
  return h.logs.filter((l) => l.msg === msg).map((l) => l['publishRequests']);
}

/** Every mock of the flow was consumed; every request fit GitHub's API. */
export function done(h: Harness, gh: GitHubMock): void {
  gh.assertDone();
  expect(nock.pendingMocks()).toEqual([]);
  h.finish();
}
