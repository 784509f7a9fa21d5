/**
 * The parse cache through the App (a real Probot, the in-process queue, GitHub behind nock, the
 * store on PGlite): the first review of a repository fetches the unchanged files its repository
 * rules read and remembers what it learnt of them; a later review of the same repository fetches
 * none of them (the GraphQL objects query asks only for the changed files) and publishes the same
 * verdict. Without a parse cache the App fetches them every time.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { openStore, type HistoryStore } from '../../src/store/index.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const CHECK = 9001;
const { base, head } = exampleRepo();
const CONFIG = base['.github/ml-lens.yml']!;
let files: ListedFile[];

beforeAll(() => {
  setupNock();
  files = listedFiles(base, head, { headSha: HEAD });
});
let h: Harness | undefined;
const stores: HistoryStore[] = [];
beforeEach(() => resetLabelCache());
afterEach(async () => {
  h?.recorder.stop();
  resetNock();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** Reviews pull request `pr` (the example's change) and returns the head paths GraphQL was asked for and the check's conclusion. */
async function reviewOnce(pr: number, store: HistoryStore | undefined): Promise<{ fetched: string[]; conclusion: unknown; title: unknown }> {
  h = await harness(store ? { store, parseCache: store } : {});
  const gh = new GitHubMock()
    .commit(HEAD, head)
    .commit(BASE, base)
    .commit('main', base)
    .token()
    .config(CONFIG)
    .checkCreate(CHECK)
    .listFiles(pr, files)
    .tree(HEAD)
    .objects(1)
    .pull({ number: pr, head: HEAD, base: BASE, changedFiles: files.length })
    .firstPublish(pr, CHECK);
  await h.receive('pull_request', pullRequestEvent('opened', { number: pr, head: HEAD, base: BASE, changedFiles: files.length }));
  await h.settle();
  gh.assertDone();
  h.finish();
  const fetched = gh.graphql.flatMap((q) => Object.values(q.variables)).filter((e) => e.startsWith(`${HEAD}:`)).map((e) => e.slice(HEAD.length + 1));
  const check = h.requests('PATCH', /\/check-runs\/9001$/).at(-1)!.body as { conclusion: unknown; output: { title: unknown } };
  return { fetched, conclusion: check.conclusion, title: check.output.title };
}

describe('the parse cache through the App', () => {
  it('a second review of the repository fetches none of the unchanged files the first one read, and concludes the same', async () => {
    const store = await openStore({ ML_LENS_DATA_DIR: 'memory://' });
    stores.push(store);
    const changed = new Set(files.map((f) => f.filename));

    const first = await reviewOnce(7, store);
    const context = first.fetched.filter((p) => !changed.has(p) && p !== '.gitattributes');
    // The example's repository rules read its unchanged Terraform files.
    expect(context.length).toBeGreaterThan(0);
    const [row] = await store.db.query<{ n: number | string }>('SELECT count(*) AS n FROM parse_cache');
    expect(Number(row!.n)).toBeGreaterThanOrEqual(context.length);

    const second = await reviewOnce(8, store);
    expect(second.fetched.filter((p) => context.includes(p))).toEqual([]);
    // The changed files are read as before.
    expect(second.fetched.filter((p) => changed.has(p)).sort()).toEqual(first.fetched.filter((p) => changed.has(p)).sort());
    expect(second.conclusion).toBe(first.conclusion);
    expect(second.title).toBe(first.title);
  });

  it('without a parse cache every review fetches them again', async () => {
    const first = await reviewOnce(7, undefined);
    const second = await reviewOnce(8, undefined);
    const changed = new Set(files.map((f) => f.filename));
    expect(second.fetched.filter((p) => !changed.has(p)).length).toBeGreaterThan(0);
    expect(second.fetched.sort()).toEqual(first.fetched.sort());
  });
});
