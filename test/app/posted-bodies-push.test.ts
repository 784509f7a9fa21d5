/**
 * What GitHub receives, word for word, when pushes to the default branch open a tracking issue
 * (a risk lands) and close it with a comment (the risk is fixed): inline snapshots, as in
 * posted-bodies.test.ts (`-u` rewrites them after an intended change).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { pushEvent } from '../github/fixtures/payloads.js';
import { sha } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';
import { BOT, CONFIG, done, partlyFixed, publishRequests, risky, sent } from './posted-bodies-fixture.js';

beforeAll(() => setupNock());
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

describe('pushes to the default branch', () => {
  it('open a tracking issue when a risk lands and close it, with a comment, when it is fixed', async () => {
    h = await harness();
    const c0 = sha('posted-c0');
    const c1 = sha('posted-c1');
    const c2 = sha('posted-c2');
    const gh = new GitHubMock().commit(c1, risky).commit(c2, partlyFixed);
    const labels = ['ml-lens', 'pillar:security', 'severity:high'];

    // 1. The risk lands: no issue yet; its labels exist.
    gh.token().config(CONFIG).tree(c1).objects(1);
    gh.scope.get(`${gh.base}/issues`).query({ per_page: '100', labels: 'ml-lens', state: 'all' }).reply(200, []);
    gh.scope.get(`${gh.base}/labels`).query({ per_page: '100' }).reply(200, labels.map((name, id) => ({ id, name, color: 'ededed' })));
    gh.scope.post(`${gh.base}/issues`).reply(201, (_u, b) => ({ id: 4001, number: 1, ...(b as object) }));
    await h.receive('push', pushEvent({ before: c0, after: c1, added: ['infra/endpoint.tf'] }));
    await h.settle();
    const opened = sent(h.requests('POST', /\/issues$/)[0]);
    expect(opened).toMatchInlineSnapshot(`
      {
        "body": "<!-- ml-lens:fingerprint=46ecf1d144d244c9d5c831f5 -->
      🟠 **High** · Security · Deployment

      **Endpoint storage is encrypted with a customer-managed KMS key**

      aws_sagemaker_endpoint_configuration.churn keeps the model on the endpoint's ML storage volumes without a customer-managed KMS key.

      - **File:** [\`infra/endpoint.tf:1\`](https://github.com/acme/churn-model/blob/79a89f87e50b50d927f485d43d0055472dab8cbe/infra/endpoint.tf#L1)
      - **Resource:** \`aws_sagemaker_endpoint_configuration.churn\` (attribute \`kms_key_arn\`)
      - **Practices:** [MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)
      - **Rule:** \`sagemaker-endpoint-kms\`

      #### How to fix

      Set kms_key_arn (Terraform) or KmsKeyId (CloudFormation) to a KMS key your team controls, so access to the volumes can be restricted by key policy, audited in CloudTrail and revoked.

      A change that would fix it, replacing line 1 (replace the marked value in \`<…>\` with yours):

      \`\`\`
      resource "aws_sagemaker_endpoint_configuration" "churn" {
        kms_key_arn = "<your-kms-key-arn>"
      \`\`\`

      ---
      <sub>Tracked by ML Lens Reviewer. This issue is updated while the risk is present and closed when it is gone; close it as “not planned” to accept the risk. Fingerprint \`46ecf1d144d244c9d5c831f5\`.</sub>


      <!-- ml-lens:path=infra%2Fendpoint.tf -->",
        "labels": [
          "ml-lens",
          "pillar:security",
          "severity:high",
        ],
        "title": "Endpoint storage is encrypted with a customer-managed KMS key (aws_sagemaker_endpoint_configuration.churn)",
      }
    `);

    // 2. It is fixed: the issue is closed with a comment saying so.
    gh.config(CONFIG).tree(c2).objects(1);
    const issue = { id: 4001, number: 1, title: opened.title, body: opened.body, state: 'open', state_reason: null, labels: labels.map((name, id) => ({ id, name })), user: BOT };
    gh.scope.get(`${gh.base}/issues`).query({ per_page: '100', labels: 'ml-lens', state: 'all' }).reply(200, [issue]);
    gh.scope.post(`${gh.base}/issues/1/comments`).reply(201, { id: 1 });
    gh.scope.patch(`${gh.base}/issues/1`).reply(200, { ...issue, state: 'closed' });
    await h.receive('push', pushEvent({ before: c1, after: c2, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    done(h, gh);
    expect(publishRequests(h, 'tracking issues reconciled')).toEqual([3, 3]); // list, labels, open; list, comment, close
    expect(sent(h.requests('POST', /\/issues\/1\/comments$/)[0]).body).toMatchInlineSnapshot(`"ML Lens closes this issue: the finding is no longer present at [\`c3df6ec\`](https://github.com/acme/churn-model/commit/c3df6ec2e5c76fa30b534009a9ce9e3861562815). It is reopened if it comes back."`);
    expect(sent(h.requests('PATCH', /\/issues\/1$/)[0])).toMatchInlineSnapshot(`
      {
        "state": "closed",
        "state_reason": "completed",
      }
    `);
  });
});
