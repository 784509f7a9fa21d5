/**
 * What GitHub receives, word for word, when a pull request is reviewed: opened with findings, then
 * again once one finding is fixed. The full bodies of the check run, the summary comment, the
 * review and the thread resolution are inline snapshots, so a change of wording (a template, a
 * label, a link) shows in code review; `npx vitest run test/app/posted-bodies.test.ts -u`
 * rewrites them after an intended change. The pushes that open and close tracking issues are in
 * posted-bodies-push.test.ts; the repository in posted-bodies-fixture.ts.
 *
 * The App runs in a real Probot instance (test/app/harness.ts); GitHub is nock with every mock
 * consumed and every request checked against GitHub's API description.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { listedFiles } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';
import { BASE, BOT, CONFIG, PARTLY_FIXED, RISKY, base, done, partlyFixed, publishRequests, risky, sent } from './posted-bodies-fixture.js';

beforeAll(() => setupNock());
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

const PR = 7;
const CHECK = 9001;

/** Opens the pull request (head RISKY): returns what was posted, for the re-run to find. */
async function openPullRequest(): Promise<{ summary: string; inline: { path: string; body: string }[] }> {
  h = await harness();
  const files = listedFiles(base, risky, { headSha: RISKY });
  const gh = new GitHubMock().commit(BASE, base).commit(RISKY, risky).commit('main', base);
  gh.token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(RISKY).objects(1).pull({ number: PR, head: RISKY, base: BASE, changedFiles: files.length });
  gh.firstPublish(PR, CHECK);
  await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: RISKY, base: BASE, changedFiles: files.length }));
  await h.settle();
  done(h, gh);
  const summary = sent(h.requests('POST', /\/issues\/7\/comments$/)[0]).body as string;
  const inline = sent(h.requests('POST', /\/pulls\/7\/reviews$/)[0]).comments as { path: string; body: string }[];
  return { summary, inline };
}

describe('pull request opened with findings', () => {
  it('posts the check run, the summary comment and one review', async () => {
    await openPullRequest();
    expect(publishRequests(h, 'review published')).toEqual([5]); // comments, summary, review comments, review, check
    expect(sent(h.requests('POST', /\/check-runs$/)[0])).toMatchInlineSnapshot(`
      {
        "external_id": "pr:7",
        "head_sha": "d045cf9b81df6972af3ee39ba1bca2013cd720e5",
        "name": "ML Lens",
        "output": {
          "summary": "ML Lens is reviewing the changed files against the AWS Well-Architected Machine Learning Lens.",
          "title": "Reviewing…",
        },
        "started_at": "<time>",
        "status": "in_progress",
      }
    `);
    expect(sent(h.requests('PATCH', /\/check-runs\/9001$/)[0])).toMatchInlineSnapshot(`
      {
        "actions": [
          {
            "description": "Open an issue for each new risk item",
            "identifier": "open-issues",
            "label": "Open tracking issues",
          },
        ],
        "completed_at": "<time>",
        "conclusion": "failure",
        "output": {
          "annotations": [
            {
              "annotation_level": "failure",
              "end_line": 1,
              "message": "aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key.",
              "path": "infra/endpoint.tf",
              "raw_details": "How to fix: Set kms_key_arn (Terraform) or KmsKeyId (CloudFormation) to a KMS key your team controls, so access to the volumes can be restricted by key policy, audited in CloudTrail and revoked.

      Suggested change (replacing line 1; replace the value marked <…> with yours):
      resource "aws_sagemaker_endpoint_configuration" "churn" {
        kms_key_arn = "<your-kms-key-arn>"

      Rule: sagemaker-endpoint-kms · ML Lens practices: MLSEC02-BP01",
              "start_line": 1,
              "title": "Endpoint storage is encrypted with a customer-managed KMS key (sagemaker-endpoint-kms)",
            },
            {
              "annotation_level": "warning",
              "end_line": 1,
              "message": "aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on.",
              "path": "infra/endpoint.tf",
              "raw_details": "How to fix: Add a data capture configuration (data_capture_config / DataCaptureConfig) with capture enabled, a destination S3 URI and a KMS key; sample a percentage that fits the traffic and the privacy requirements of the payloads.

      Rule: sagemaker-endpoint-data-capture · ML Lens practices: MLOPS06-BP02, MLPERF06-BP03",
              "start_line": 1,
              "title": "Endpoint captures inference data for monitoring (sagemaker-endpoint-data-capture)",
            },
          ],
          "summary": "### ❌ Failing

      - 1 new finding at or above the gate's severity: sagemaker-endpoint-kms (high) at infra/endpoint.tf:1

      2 new findings (1 high, 1 medium) · 1 fixed

      | Pillar | Base | Head | Change |
      |:--|--:|--:|--:|
      | Operational excellence | 100 | 0 | −100 (1 new) |
      | Security | 67 | 0 | −67 (1 new · 1 fixed) |
      | Reliability | 100 | 100 | ±0 |
      | Performance efficiency | not assessed | not assessed | n/a |
      | Cost optimization | not assessed | not assessed | n/a |
      | Sustainability | 100 | 100 | ±0 |
      | **Overall (weighted)** | 92 | 50 | −42 |

      <sub>Pillar score = round(100 × passed weight ÷ evaluated weight); weights critical 10, high 5, medium 3, low 1, info 0; gate: failure on a new unsuppressed finding at or above high or a pillar below 0</sub>

      #### New findings

      | Severity | What is wrong | Where | Goal and practices |
      |:--|:--|:--|:--|
      | 🟠 High | aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key | [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1)<br>\`aws_sagemaker_endpoint_configuration.churn\` | Endpoint storage is encrypted with a customer-managed KMS key<br>[MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html) |
      | 🟡 Medium | aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on | [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1)<br>\`aws_sagemaker_endpoint_configuration.churn\` | Endpoint captures inference data for monitoring<br>[MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html) |

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)

      **Lifecycle phases touched:** Deployment, Monitoring (2 of 6)

      <sub>ML Lens Reviewer <version> · reviewed \`d045cf9\` against \`2002a8b\` · 1 file, 1 artifact · practices from the AWS Well-Architected [Machine Learning Lens](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/machine-learning-lens.html)</sub>
      ",
          "text": "## New findings (2)

      ### Operational excellence

      #### 🟡 Endpoint captures inference data for monitoring

      **Medium** · Monitoring · [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` → \`data_capture_config\` · rule \`sagemaker-endpoint-data-capture\`

      aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on.

      **How to fix:** Add a data capture configuration (data_capture_config / DataCaptureConfig) with capture enabled, a destination S3 URI and a KMS key; sample a percentage that fits the traffic and the privacy requirements of the payloads. ([MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html))

      ### Security

      #### 🟠 Endpoint storage is encrypted with a customer-managed KMS key

      **High** · Deployment · [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` → \`kms_key_arn\` · rule \`sagemaker-endpoint-kms\`

      aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key.

      **How to fix:** Set kms_key_arn (Terraform) or KmsKeyId (CloudFormation) to a KMS key your team controls, so access to the volumes can be restricted by key policy, audited in CloudTrail and revoked. ([MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html))

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)
      ",
          "title": "Failing · 2 new findings (1 high, 1 medium) · 1 fixed",
        },
        "status": "completed",
      }
    `);
    expect(sent(h.requests('POST', /\/issues\/7\/comments$/)[0]).body).toMatchInlineSnapshot(`
      "<!-- ml-lens:summary -->
      ### ❌ ML Lens review: Failing

      - 1 new finding at or above the gate's severity: sagemaker-endpoint-kms (high) at infra/endpoint.tf:1

      2 new findings (1 high, 1 medium) · 1 fixed

      | Pillar | Base | Head | Change |
      |:--|--:|--:|--:|
      | Operational excellence | 100 | 0 | −100 (1 new) |
      | Security | 67 | 0 | −67 (1 new · 1 fixed) |
      | Reliability | 100 | 100 | ±0 |
      | Performance efficiency | not assessed | not assessed | n/a |
      | Cost optimization | not assessed | not assessed | n/a |
      | Sustainability | 100 | 100 | ±0 |
      | **Overall (weighted)** | 92 | 50 | −42 |

      <sub>Pillar score = round(100 × passed weight ÷ evaluated weight); weights critical 10, high 5, medium 3, low 1, info 0; gate: failure on a new unsuppressed finding at or above high or a pillar below 0</sub>

      <details>
      <summary>Chart of the pillar scores</summary>

      \`\`\`mermaid
      xychart-beta
        title "Pillar scores on the head (not assessed = 0)"
        x-axis ["Operations", "Security", "Reliability", "Performance (n/a)", "Cost (n/a)", "Sustainability"]
        y-axis "Score" 0 --> 100
        bar [0, 0, 100, 0, 0, 100]
      \`\`\`

      </details>

      #### New findings

      **Operational excellence** (1)

      - 🟡 **Medium** · aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on<br>[\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` · goal: Endpoint captures inference data for monitoring ([MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html))

      **Security** (1)

      - 🟠 **High** · aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key<br>[\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/d045cf9b81df6972af3ee39ba1bca2013cd720e5/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` · goal: Endpoint storage is encrypted with a customer-managed KMS key ([MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html))

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)

      **Lifecycle phases touched:** Deployment, Monitoring (2 of 6)

      <sub>ML Lens Reviewer <version> · reviewed \`d045cf9\` against \`2002a8b\` · 1 file, 1 artifact · practices from the AWS Well-Architected [Machine Learning Lens](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/machine-learning-lens.html)</sub>
      "
    `);
    expect(sent(h.requests('POST', /\/pulls\/7\/reviews$/)[0])).toMatchInlineSnapshot(`
      {
        "body": "**ML Lens** · 2 new findings on changed lines, commented below.",
        "comments": [
          {
            "body": "<!-- ml-lens:fingerprint=46ecf1d144d244c9d5c831f5 -->
      🟠 **High** · Security · Endpoint storage is encrypted with a customer-managed KMS key

      aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key.

      **How to fix:** Set kms_key_arn (Terraform) or KmsKeyId (CloudFormation) to a KMS key your team controls, so access to the volumes can be restricted by key policy, audited in CloudTrail and revoked.

      Suggested change: **replace the marked value** (\`<…>\`) with your own before you commit it.

      \`\`\`suggestion
      resource "aws_sagemaker_endpoint_configuration" "churn" {
        kms_key_arn = "<your-kms-key-arn>"
      \`\`\`

      <sub>[MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html) · rule \`sagemaker-endpoint-kms\` · attribute \`kms_key_arn\` · to suppress: \`# ml-lens:ignore sagemaker-endpoint-kms <reason>\` on the line above</sub>
      ",
            "line": 1,
            "path": "infra/endpoint.tf",
            "side": "RIGHT",
          },
          {
            "body": "<!-- ml-lens:fingerprint=af2aac890cc7c52df71f6372 -->
      🟡 **Medium** · Operational excellence · Endpoint captures inference data for monitoring

      aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on.

      **How to fix:** Add a data capture configuration (data_capture_config / DataCaptureConfig) with capture enabled, a destination S3 URI and a KMS key; sample a percentage that fits the traffic and the privacy requirements of the payloads.

      <sub>[MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html) · rule \`sagemaker-endpoint-data-capture\` · attribute \`data_capture_config\` · to suppress: \`# ml-lens:ignore sagemaker-endpoint-data-capture <reason>\` on the line above</sub>
      ",
            "line": 1,
            "path": "infra/endpoint.tf",
            "side": "RIGHT",
          },
        ],
        "commit_id": "d045cf9b81df6972af3ee39ba1bca2013cd720e5",
        "event": "COMMENT",
      }
    `);
  });
});

describe('the pull request again, one finding fixed', () => {
  it('updates the summary and the check, and resolves the fixed finding’s thread', async () => {
    const before = await openPullRequest();
    resetNock();
    h.recorder.stop();
    h = await harness();
    const files = listedFiles(base, partlyFixed, { headSha: PARTLY_FIXED });
    const gh = new GitHubMock().commit(BASE, base).commit(PARTLY_FIXED, partlyFixed).commit('main', base);
    gh.token().config(CONFIG).checkCreate(CHECK + 1).listFiles(PR, files).tree(PARTLY_FIXED).objects(1);
    gh.pull({ number: PR, head: PARTLY_FIXED, base: BASE, changedFiles: files.length });
    const comments = before.inline.map((c, i) => ({ id: 800 + i, body: c.body, path: c.path, user: BOT }));
    gh.comments(PR, [{ id: 555, body: before.summary, user: BOT }]).updateComment(555).reviewComments(PR, comments);
    gh.threads(comments.map((c) => ({ id: `T${c.id}`, isResolved: false, comments: { nodes: [{ body: c.body, author: { __typename: 'Bot' } }] } })));
    gh.scope
      .post('/graphql', (b: { query?: string }) => /resolveReviewThread/.test(b.query ?? ''))
      .reply(200, (_uri, b) => ({
        data: Object.fromEntries(Object.entries((b as { variables: Record<string, string> }).variables).map(([k, id]) => [k.replace('t', 'r'), { thread: { id, isResolved: true } }])),
      }));
    gh.checkUpdate(CHECK + 1);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: PARTLY_FIXED, base: BASE, changedFiles: files.length }));
    await h.settle();
    done(h, gh);

    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toEqual([]); // the finding left is commented already
    expect(publishRequests(h, 'review published')).toEqual([6]); // comments, summary, review comments, threads, resolve, check
    expect(sent(h.requests('PATCH', /\/issues\/comments\/555$/)[0]).body).toMatchInlineSnapshot(`
      "<!-- ml-lens:summary -->
      ### ☑️ ML Lens review: Passing with notes

      - 1 new finding below the gate's severity (high)

      1 new finding (1 medium) · 1 fixed

      | Pillar | Base | Head | Change |
      |:--|--:|--:|--:|
      | Operational excellence | 100 | 0 | −100 (1 new) |
      | Security | 67 | 100 | +33 (1 fixed) |
      | Reliability | 100 | 100 | ±0 |
      | Performance efficiency | not assessed | not assessed | n/a |
      | Cost optimization | not assessed | not assessed | n/a |
      | Sustainability | 100 | 100 | ±0 |
      | **Overall (weighted)** | 92 | 75 | −17 |

      <sub>Pillar score = round(100 × passed weight ÷ evaluated weight); weights critical 10, high 5, medium 3, low 1, info 0; gate: failure on a new unsuppressed finding at or above high or a pillar below 0</sub>

      <details>
      <summary>Chart of the pillar scores</summary>

      \`\`\`mermaid
      xychart-beta
        title "Pillar scores on the head (not assessed = 0)"
        x-axis ["Operations", "Security", "Reliability", "Performance (n/a)", "Cost (n/a)", "Sustainability"]
        y-axis "Score" 0 --> 100
        bar [0, 100, 100, 0, 0, 100]
      \`\`\`

      </details>

      #### New findings

      **Operational excellence** (1)

      - 🟡 **Medium** · aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on<br>[\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/3702ff57fbda4586f873d0026ff92c6a7b62b695/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` · goal: Endpoint captures inference data for monitoring ([MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html))

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)

      **Lifecycle phases touched:** Deployment, Monitoring (2 of 6)

      <sub>ML Lens Reviewer <version> · reviewed \`3702ff5\` against \`2002a8b\` · 1 file, 1 artifact · practices from the AWS Well-Architected [Machine Learning Lens](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/machine-learning-lens.html)</sub>
      "
    `);
    const resolve = h.recorder.requests.filter((r) => r.kind === 'graphql' && /resolveReviewThread/.test(String((r.body as { query?: string }).query)));
    expect(resolve.map(sent)).toMatchInlineSnapshot(`
      [
        {
          "query": "mutation ($t0: ID!) {
        r0: resolveReviewThread(input: { threadId: $t0 }) { thread { id isResolved } }
      }",
          "variables": {
            "t0": "T800",
          },
        },
      ]
    `);
    expect(sent(h.requests('PATCH', /\/check-runs\/9002$/)[0])).toMatchInlineSnapshot(`
      {
        "actions": [],
        "completed_at": "<time>",
        "conclusion": "neutral",
        "output": {
          "annotations": [
            {
              "annotation_level": "warning",
              "end_line": 1,
              "message": "aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on.",
              "path": "infra/endpoint.tf",
              "raw_details": "How to fix: Add a data capture configuration (data_capture_config / DataCaptureConfig) with capture enabled, a destination S3 URI and a KMS key; sample a percentage that fits the traffic and the privacy requirements of the payloads.

      Rule: sagemaker-endpoint-data-capture · ML Lens practices: MLOPS06-BP02, MLPERF06-BP03",
              "start_line": 1,
              "title": "Endpoint captures inference data for monitoring (sagemaker-endpoint-data-capture)",
            },
          ],
          "summary": "### ☑️ Passing with notes

      - 1 new finding below the gate's severity (high)

      1 new finding (1 medium) · 1 fixed

      | Pillar | Base | Head | Change |
      |:--|--:|--:|--:|
      | Operational excellence | 100 | 0 | −100 (1 new) |
      | Security | 67 | 100 | +33 (1 fixed) |
      | Reliability | 100 | 100 | ±0 |
      | Performance efficiency | not assessed | not assessed | n/a |
      | Cost optimization | not assessed | not assessed | n/a |
      | Sustainability | 100 | 100 | ±0 |
      | **Overall (weighted)** | 92 | 75 | −17 |

      <sub>Pillar score = round(100 × passed weight ÷ evaluated weight); weights critical 10, high 5, medium 3, low 1, info 0; gate: failure on a new unsuppressed finding at or above high or a pillar below 0</sub>

      #### New findings

      | Severity | What is wrong | Where | Goal and practices |
      |:--|:--|:--|:--|
      | 🟡 Medium | aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on | [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/3702ff57fbda4586f873d0026ff92c6a7b62b695/infra/endpoint.tf#L1)<br>\`aws_sagemaker_endpoint_configuration.churn\` | Endpoint captures inference data for monitoring<br>[MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html) |

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)

      **Lifecycle phases touched:** Deployment, Monitoring (2 of 6)

      <sub>ML Lens Reviewer <version> · reviewed \`3702ff5\` against \`2002a8b\` · 1 file, 1 artifact · practices from the AWS Well-Architected [Machine Learning Lens](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/machine-learning-lens.html)</sub>
      ",
          "text": "## New findings (1)

      ### Operational excellence

      #### 🟡 Endpoint captures inference data for monitoring

      **Medium** · Monitoring · [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/3702ff57fbda4586f873d0026ff92c6a7b62b695/infra/endpoint.tf#L1) · \`aws_sagemaker_endpoint_configuration.churn\` → \`data_capture_config\` · rule \`sagemaker-endpoint-data-capture\`

      aws_sagemaker_endpoint_configuration.churn does not capture inference requests and responses (data_capture_config: absent), so drift and quality monitoring has no data to work on.

      **How to fix:** Add a data capture configuration (data_capture_config / DataCaptureConfig) with capture enabled, a destination S3 URI and a KMS key; sample a percentage that fits the traffic and the privacy requirements of the payloads. ([MLOPS06-BP02](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlops06-bp02.html), [MLPERF06-BP03](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlperf06-bp03.html))

      #### Fixed (1)

      - ✅ Captured inference data is encrypted with a customer-managed KMS key<br>\`aws_sagemaker_endpoint_configuration.churn\` in \`infra/endpoint.tf\` · was Medium · [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)
      ",
          "title": "Passing with notes · 1 new finding (1 medium) · 1 fixed",
        },
        "status": "completed",
      }
    `);
  });
});
