import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewPlan } from '../../src/plan.js';
import { pathSegments } from '../../src/sources/files.js';
import { GitError, gitChangeSet, readCommitFiles, resolveRange } from '../../src/sources/git.js';
import { BINARY_REASON } from '../../src/sources/files.js';
import { defaultPlan, tempClone, tempRepo, type TempRepo } from './git-helpers.js';

/** The plan of the built-in catalogue and the default configuration. */
let plan: ReviewPlan;
beforeAll(async () => {
  plan = await defaultPlan();
});

const CONFIG = '.github/ml-lens.yml';
const RULES = '.github/ml-lens/rules';
const RULE = 'id: team.rule\ntitle: A rule\n';

const repos: TempRepo[] = [];
function repo(): TempRepo {
  const r = tempRepo();
  repos.push(r);
  return r;
}
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

function link(r: TempRepo, path: string, target: string): void {
  mkdirSync(join(r.dir, path, '..'), { recursive: true });
  symlinkSync(target, join(r.dir, path));
}

describe('resolveRange', () => {
  it('resolves base, head and their merge base once, and gitChangeSet reviews that range', async () => {
    const r = repo();
    r.write({ 'a.tf': 'variable "a" {}\n' });
    const forkPoint = r.commit('base');
    r.git('checkout', '-q', '-b', 'feature');
    r.write({ 'b.tf': 'variable "b" {}\n' });
    const head = r.commit('feature');
    r.git('checkout', '-q', 'main');
    r.write({ 'a.tf': 'variable "a2" {}\n' });
    const mainTip = r.commit('main moves');
    r.git('checkout', '-q', 'feature');

    const range = await resolveRange(r.dir);
    expect(range).toEqual({ mergeBase: forkPoint, base: mainTip, head, baseRef: 'main', headRef: 'HEAD' });
    expect(await resolveRange(r.dir, { base: 'main', head: 'feature' })).toMatchObject({ mergeBase: forkPoint, baseRef: 'main', headRef: 'feature' });

    // The refs move after the range was resolved: the review stays on the resolved commits.
    r.write({ 'c.tf': 'variable "c" {}\n' });
    r.commit('later');
    const cs = await gitChangeSet(r.dir, { plan, range });
    expect(cs.meta).toEqual({ source: 'git', base: forkPoint, head });
    expect(cs.files.map((f) => f.path)).toEqual(['b.tf']);

    await expect(resolveRange(r.dir, { base: 'nope' })).rejects.toThrow('base ref "nope" does not name a commit');
  });
});

describe('readCommitFiles', () => {
  it('reads the configuration and one level of the rules folder from the given commit only', async () => {
    const r = repo();
    r.write({
      [CONFIG]: 'rules:\n  disable: []\n',
      [`${RULES}/a.yaml`]: RULE,
      [`${RULES}/b.yml`]: RULE.replace('team.rule', 'team.b'),
      [`${RULES}/README.md`]: '# rules\n',
      [`${RULES}/nested/deep.yaml`]: RULE,
    });
    const base = r.commit('base');
    r.git('checkout', '-q', '-b', 'relax');
    // The change relaxes its own gate: none of it is read from the base.
    r.write({ [CONFIG]: 'rules:\n  disable: [team.rule]\n', [`${RULES}/c.yaml`]: RULE });
    r.remove(`${RULES}/a.yaml`);
    r.commit('relax');
    r.write({ [CONFIG]: 'uncommitted\n' });

    const range = await resolveRange(r.dir, { base: 'main' });
    expect(range.mergeBase).toBe(base);
    const read = await readCommitFiles(r.dir, range.mergeBase, { files: [CONFIG, '.github/ml-lens.yaml'], dirs: [RULES] });
    expect(read.files).toEqual(new Map([[CONFIG, 'rules:\n  disable: []\n'], ['.github/ml-lens.yaml', null]]));
    expect(read.dirs.get(RULES)).toEqual([
      { name: 'README.md', text: '# rules\n' },
      { name: 'a.yaml', text: RULE },
      { name: 'b.yml', text: RULE.replace('team.rule', 'team.b') },
    ]);
    expect(read.skipped.size).toBe(0);

    // The head, asked for explicitly, has the change's versions; from a subfolder, paths are still from the top.
    const head = await readCommitFiles(join(r.dir, '.github'), 'relax', { files: [CONFIG], dirs: [RULES] });
    expect(head.files.get(CONFIG)).toBe('rules:\n  disable: [team.rule]\n');
    expect(head.dirs.get(RULES)?.map((f) => f.name)).toEqual(['README.md', 'b.yml', 'c.yaml']);
  });

  it('does not follow symbolic links: the configuration, the rules folder, a rule, or a folder on the way', async () => {
    const r = repo();
    r.write({ 'elsewhere/config.yml': 'rules:\n  disable: [everything]\n', 'elsewhere/rules/evil.yaml': RULE, [`${RULES}/ok.yaml`]: RULE });
    link(r, CONFIG, '../elsewhere/config.yml');
    link(r, '.github/ml-lens.yaml', '/etc/passwd');
    link(r, `${RULES}/linked.yaml`, '../../../elsewhere/rules/evil.yaml');
    link(r, '.github/linked-rules', '../elsewhere/rules');
    link(r, 'up', '.');
    const commit = r.commit('links');

    const read = await readCommitFiles(r.dir, commit, {
      files: [CONFIG, '.github/ml-lens.yaml', 'up/elsewhere/config.yml'],
      dirs: [RULES, '.github/linked-rules', 'up/elsewhere/rules'],
    });
    expect(read.files).toEqual(new Map([[CONFIG, null], ['.github/ml-lens.yaml', null], ['up/elsewhere/config.yml', null]]));
    expect(read.skipped).toEqual(
      new Map([
        [CONFIG, 'symbolic link (not followed)'],
        ['.github/ml-lens.yaml', 'symbolic link (not followed)'],
        ['up/elsewhere/config.yml', 'up is a symbolic link (not followed)'],
        ['.github/linked-rules', 'symbolic link (not followed)'],
        ['up/elsewhere/rules', 'up is a symbolic link (not followed)'],
      ]),
    );
    expect(read.dirs.get(RULES)).toEqual([
      { name: 'linked.yaml', text: null, skipped: 'symbolic link (not followed)' },
      { name: 'ok.yaml', text: RULE },
    ]);
    expect(read.dirs.get('.github/linked-rules')).toBeNull();
    expect(read.dirs.get('up/elsewhere/rules')).toBeNull();
  });

  it('refuses paths that leave the repository, and allows ./ and a trailing /', async () => {
    const r = repo();
    r.write({ [CONFIG]: 'a: 1\n', [`${RULES}/a.yaml`]: RULE, 'outside.yml': 'b: 2\n' });
    const commit = r.commit('base');
    const bad = ['../outside.yml', '.github/../outside.yml', '/etc/passwd', '.github//ml-lens.yml', '.github/./ml-lens.yml', '', './', '..'];
    const read = await readCommitFiles(r.dir, commit, { files: [...bad, `./${CONFIG}`], dirs: ['../rules', '/', `./${RULES}/`] });
    for (const p of bad) {
      expect(read.files.get(p)).toBeNull();
      expect(read.skipped.get(p)).toBe('not a path inside the repository');
    }
    expect(read.files.get(`./${CONFIG}`)).toBe('a: 1\n');
    expect(read.dirs.get('../rules')).toBeNull();
    expect(read.skipped.get('../rules')).toBe('not a path inside the repository');
    expect(read.skipped.get('/')).toBe('not a path inside the repository');
    expect(read.dirs.get(`./${RULES}/`)).toEqual([{ name: 'a.yaml', text: RULE }]);

    expect(pathSegments('a/b.yml')).toEqual(['a', 'b.yml']);
    expect(pathSegments('a\0b')).toBeUndefined();
  });

  it('reports missing files and folders as null without a reason, and the wrong kind with one', async () => {
    const r = repo();
    r.write({ 'README.md': '# x\n', '.github/ml-lens': 'a file where the folder would be\n', 'dir/x.yaml': RULE });
    const commit = r.commit('base');
    const read = await readCommitFiles(r.dir, commit, { files: [CONFIG, 'README.md/x', 'dir'], dirs: [RULES, 'missing/rules', 'README.md'] });
    expect(read.files).toEqual(new Map([[CONFIG, null], ['README.md/x', null], ['dir', null]]));
    expect(read.dirs).toEqual(new Map([[RULES, null], ['missing/rules', null], ['README.md', null]]));
    expect(read.skipped).toEqual(new Map([['dir', 'not a file (a folder)'], ['README.md', 'not a folder (a file)']]));
  });

  it('refuses submodules, binary and oversized files, with the reason', async () => {
    const r = repo();
    r.write({
      [`${RULES}/big.yaml`]: `# ${'x'.repeat(2000)}\n`,
      [`${RULES}/weights.yaml`]: Buffer.concat([Buffer.from('id: x\n'), Buffer.alloc(8)]),
      [`${RULES}/ok.yaml`]: RULE,
      [CONFIG]: `# ${'x'.repeat(2000)}\n`,
    });
    const first = r.commit('base');
    r.git('update-index', '--add', '--cacheinfo', `160000,${first},${RULES}/sub.yaml`);
    r.git('update-index', '--add', '--cacheinfo', `160000,${first},vendored`);
    r.git('commit', '-q', '-m', 'gitlinks');
    const read = await readCommitFiles(r.dir, 'HEAD', { files: [CONFIG, 'vendored/x.yml'], dirs: [RULES, 'vendored'], maxBytes: 1024 });
    expect(read.files.get(CONFIG)).toBeNull();
    expect(read.skipped.get(CONFIG)).toMatch(/^larger than 1 KB/);
    expect(read.skipped.get('vendored/x.yml')).toBe('vendored is a submodule');
    expect(read.skipped.get('vendored')).toBe('submodule');
    expect(read.dirs.get(RULES)).toEqual([
      { name: 'big.yaml', text: null, skipped: expect.stringMatching(/^larger than 1 KB/) },
      { name: 'ok.yaml', text: RULE },
      { name: 'sub.yaml', text: null, skipped: 'submodule' },
      { name: 'weights.yaml', text: null, skipped: BINARY_REASON },
    ]);
  });

  it('fails with one line on a bad commit, and on a clone that lacks the blobs', async () => {
    const r = repo();
    r.write({ [CONFIG]: 'a: 1\n', [`${RULES}/a.yaml`]: RULE });
    r.commit('base');
    await expect(readCommitFiles(r.dir, 'nope', { files: [CONFIG] })).rejects.toThrow('commit ref "nope" does not name a commit');
    await expect(readCommitFiles(r.dir, '--output=/tmp/x', { files: [CONFIG] })).rejects.toThrow('is not a valid ref');

    r.git('config', 'uploadpack.allowFilter', 'true');
    const clone = tempClone(`file://${r.dir}`, '--filter=blob:none', '--no-checkout');
    repos.push(clone);
    const err = await readCommitFiles(clone.dir, 'origin/main', { files: [CONFIG], dirs: [RULES] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as Error).message).toMatch(/^the clone is missing objects \(a partial clone\?\): fetch them first .*; nothing was fetched$/);
    // Trees are there: a file that does not exist is still just missing.
    expect((await readCommitFiles(clone.dir, 'origin/main', { files: ['nothing.yml'] })).files.get('nothing.yml')).toBeNull();
  });
});
