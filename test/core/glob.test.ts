/**
 * src/glob.ts against picomatch 4 (`{ dot: true }`), the matcher it replaces and the oracle here
 * (a devDependency for this test only): the globs of the docs and rules, the documented
 * differences, differential fuzzing, and the adversarial cases that made picomatch unusable on
 * repository input.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { compileGlob, compileGlobs, GlobError, globProblem, MAX_GLOB_LENGTH, translateGlob } from '../../src/glob.js';

const oracle = (glob: string) => picomatch(glob, { dot: true });

/** Time of `f` in milliseconds. */
function timed(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Repository paths: non-empty segments, never `.` or `..` (git trees and directory walks have none). */
const repoPath = (chars: string[], maxSegments = 4) =>
  fc
    .array(fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 4 }).map((s) => s.join('')), { minLength: 1, maxLength: maxSegments })
    .filter((segs) => segs.every((s) => s !== '.' && s !== '..'))
    .map((segs) => segs.join('/'));

describe('globs of the docs, the README and the rules', () => {
  const cases: [string, string, boolean][] = [
    // paths.include / paths.exclude defaults (docs/config.md)
    ['**', 'infra/main.tf', true],
    ['**', '.github/workflows/ci.yml', true],
    ['**', 'README.md', true],
    ['vendor/**', 'vendor/a.tf', true],
    ['vendor/**', 'vendor', true],
    ['vendor/**', 'vendor/deep/x/y.json', true],
    ['vendor/**', 'src/vendor/a.tf', false],
    ['vendor/**', 'vendored/a.tf', false],
    ['node_modules/**', 'node_modules/pkg/package.json', true],
    // README example
    ['notebooks/scratch/**', 'notebooks/scratch/x.ipynb', true],
    ['notebooks/scratch/**', 'notebooks/x.ipynb', false],
    ['infra/dev/**', 'infra/dev/main.tf', true],
    ['infra/dev/**', 'infra/prod/main.tf', false],
    ['services/scoring/**', 'services/scoring/infra/endpoint.tf', true],
    // tree_has (rules/repository.yaml)
    ['CODEOWNERS', 'CODEOWNERS', true],
    ['CODEOWNERS', 'docs/CODEOWNERS', false],
    ['.github/CODEOWNERS', '.github/CODEOWNERS', true],
    ['**/MODEL_CARD.md', 'MODEL_CARD.md', true],
    ['**/MODEL_CARD.md', 'models/churn/MODEL_CARD.md', true],
    ['**/MODEL_CARD.md', 'models/churn/MODEL_CARD.md.bak', false],
    ['**/*model_card*.json', 'model_card.json', true],
    ['**/*model_card*.json', 'cards/churn_model_card_v2.json', true],
    ['**/*model_card*.json', 'cards/model_card/x.json', false],
    ['**/*.mct.json', 'docs/model.mct.json', true],
    ['**/*.mct.json', '.mct.json', true],
    ['.github/workflows/*{retrain,Retrain,schedule,Schedule,cron,continuous-training}*.{yml,yaml}', '.github/workflows/retrain.yml', true],
    ['.github/workflows/*{retrain,Retrain,schedule,Schedule,cron,continuous-training}*.{yml,yaml}', '.github/workflows/nightly-cron-job.yaml', true],
    ['.github/workflows/*{retrain,Retrain,schedule,Schedule,cron,continuous-training}*.{yml,yaml}', '.github/workflows/ci.yml', false],
    ['.github/workflows/*{retrain,Retrain,schedule,Schedule,cron,continuous-training}*.{yml,yaml}', '.github/workflows/retrain.json', false],
    ['**/{ml,ML,workload,WORKLOAD,Workload}[-_]{profile,PROFILE,Profile}.{md,yaml,yml,json}', 'docs/ml-profile.md', true],
    ['**/{ml,ML,workload,WORKLOAD,Workload}[-_]{profile,PROFILE,Profile}.{md,yaml,yml,json}', 'Workload_Profile.yaml', true],
    ['**/{ml,ML,workload,WORKLOAD,Workload}[-_]{profile,PROFILE,Profile}.{md,yaml,yml,json}', 'docs/ml.profile.md', false],
    ['**/{ml,ML}[-_]{workload,WORKLOAD}[-_]{profile,PROFILE}.{md,yaml,yml,json}', 'ML_WORKLOAD_PROFILE.json', true],
    ['docs/**/{ml,workload,serving}-profile*.md', 'docs/serving-profile-v2.md', true],
    ['docs/**/{ml,workload,serving}-profile*.md', 'docs/a/b/ml-profile.md', true],
    ['docs/**/{ml,workload,serving}-profile*.md', 'src/ml-profile.md', false],
    // the syntax the docs promise
    ['*.md', 'README.md', true],
    ['*.md', 'docs/README.md', false],
    ['**/*.tf', 'main.tf', true],
    ['**/*.tf', 'infra/modules/kms/main.tf', true],
    ['infra/*', 'infra/main.tf', true],
    ['infra/*', 'infra/modules/main.tf', false],
    ['infra/**/*.tf', 'infra/main.tf', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['?.tf', 'a.tf', true],
    ['?.tf', 'ab.tf', false],
    ['[abc].tf', 'b.tf', true],
    ['[a-c].tf', 'd.tf', false],
    ['[^abc].tf', 'd.tf', true],
    ['[^abc].tf', 'a.tf', false],
    ['[[:digit:]].tf', '7.tf', true],
    ['{a,{b,c}}.tf', 'c.tf', true],
    ['v{1..3}/x', 'v2/x', true],
    ['v{1..3}/x', 'v4/x', false],
    ['\\*.md', '*.md', true],
    ['\\*.md', 'a.md', false],
    ['./infra/*.tf', 'infra/main.tf', true],
    ['!vendor/**', 'src/a.tf', true],
    ['!vendor/**', 'vendor/a.tf', false],
    ['*', '.env', true],
    ['.*', '.env', true],
  ];

  it.each(cases)('%s against %s', (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
    expect(oracle(glob)(path)).toBe(expected);
  });
});

describe('where it differs from picomatch, on purpose', () => {
  it('a line break or a control character in a name is a character like any other: no file hides from `**`', () => {
    for (const p of ['infra/bad\nname.tf', 'a\u2028b.tf', 'x\r.tf', 'e\u001b[31m.tf']) {
      expect(compileGlob('**')(p)).toBe(true);
      expect(compileGlob('**/*.tf')(p)).toBe(true);
    }
    expect(oracle('**')('infra/bad\nname.tf')).toBe(false); // how a file escaped review
  });

  it('[!abc] negates, as in POSIX shells and .gitignore (picomatch 4 reads it as a class holding !)', () => {
    expect(compileGlob('[!a]*')('b.tf')).toBe(true);
    expect(compileGlob('[!a]*')('a.tf')).toBe(false);
    expect(oracle('[!a]*')('b.tf')).toBe(false);
  });

  it('a trailing /** inside braces covers the folder too, as it does outside them', () => {
    expect(compileGlob('a/{b,c/**}')('a/c')).toBe(true);
    expect(compileGlob('a/c/**')('a/c')).toBe(true);
  });

  it('never matches the empty path unless the glob is `**`; a list matches when any glob does, an empty list never', () => {
    expect(compileGlob('*.tf')('')).toBe(false);
    expect(compileGlobs(['*.tf', '*.yml'])('a.yml')).toBe(true);
    expect(compileGlobs([])('a.yml')).toBe(false);
  });

  it('caches by glob text', () => {
    expect(compileGlob('infra/**')).toBe(compileGlob('infra/**'));
  });

  it('translates to RE2 the reader can follow', () => {
    expect(translateGlob('**/*.tf')).toEqual({ pattern: '(?:.*/)?[^/]*\\.tf', negated: false });
    expect(translateGlob('vendor/**')).toEqual({ pattern: 'vendor(?:/.*)?', negated: false });
    expect(translateGlob('!{a,b}/?')).toEqual({ pattern: '(?:a|b)/[^/]', negated: true });
  });
});

describe('differential fuzzing against picomatch', () => {
  const ALPHABET = ['a', 'b', '.', '/', '*', '?', '**', '[ab]', '{a,b}'];
  const glob = (tokens: string[]) => fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 8 }).map((t) => t.join(''));

  /**
   * picomatch gives `**` meanings of its own where it is not a whole segment (`**a` stays in one
   * segment, `**.a` and `**{a,b}` cross them) and lets `?/**` match `a`: there the syntax is ours
   * (documented in src/glob.ts), and the comparison keeps to the rest. Three or more stars are
   * left out too: after them picomatch stops escaping the rest of the glob (three stars, then
   * `/a.a`, match `a/aaa`: its regular expression has a bare `.`), a bug of its, not a meaning to
   * agree with.
   */
  const documented = (g: string) => {
    if (picomatchFastPath(g)) return false;
    const stars = g.split('/').every((seg) => !seg.includes('**') || seg === '**');
    const trailing = /(^|\/)[^/]*[*?[{][^/]*\/\*+$/.test(g);
    return stars && !trailing;
  };

  /**
   * Whole globs picomatch answers from a table of fast paths instead of its parser (lib/parse.js
   * `create`), with or without `.ext` suffixes: there a star after a dot must match at least one
   * character, so `*.*` does not match `a.` while `a.*`, `?.*` and `b/*.*` all do. Ours treats a
   * star alike everywhere.
   */
  function picomatchFastPath(g: string): boolean {
    const FAST = new Set(['.*', '*.*', '**/*.*', '**/.*']);
    for (let s: string | undefined = g; s !== undefined; s = /^(.*?)\.(\w+)$/.exec(s)?.[1]) if (FAST.has(s)) return true;
    return false;
  }

  /**
   * The oracle has quirks of its own still to be found (two were, above), so the comparison runs
   * on a fixed seed and cannot turn red on a new one by chance; ML_LENS_FUZZ_SEED explores others.
   */
  const ORACLE_SEED = Number(process.env.ML_LENS_FUZZ_SEED ?? 20261206);

  it('agrees on globs and paths over a b . / * ? ** [ab] {a,b}', () => {
    let compared = 0;
    fc.assert(
      fc.property(glob(ALPHABET).filter(documented), fc.array(repoPath(['a', 'b', '.']), { minLength: 1, maxLength: 8 }), (g, paths) => {
        const mine = compileGlob(g); // every glob of this alphabet compiles
        const theirs = oracle(g);
        for (const p of paths) {
          compared++;
          expect([g, p, mine(p)]).toEqual([g, p, theirs(p)]);
        }
      }),
      { numRuns: 3000, seed: ORACLE_SEED },
    );
    expect(compared).toBeGreaterThan(5000);
  });

  it('compiling any string throws nothing but GlobError, and matching never throws', () => {
    const anyString = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.constantFrom(...'*?[]{}()!@+|,./\\^$-:"a'), maxLength: 40 }));
    fc.assert(
      fc.property(anyString, fc.string({ unit: 'binary', maxLength: 30 }), (g, p) => {
        try {
          expect(typeof compileGlob(g)(p)).toBe('boolean');
        } catch (e) {
          expect(e).toBeInstanceOf(GlobError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('adversarial globs', () => {
  it('matches **/*a*a*a*a*a*a*c against a 105-character name in linear time', () => {
    const m = compileGlob('**/*a*a*a*a*a*a*c');
    // picomatch: 2 s for the first path, 13-23 s for the second.
    for (const p of [`dir/${'a'.repeat(60)}`, 'a'.repeat(105), `${'ab/'.repeat(30)}${'a'.repeat(105)}`]) {
      expect(timed(() => expect(m(p)).toBe(false))).toBeLessThan(1000);
    }
    expect(m('x/aaaaaac')).toBe(true);
  });

  it('compiles and matches the largest globs within bounds, or refuses them', () => {
    const globs = [
      '*'.repeat(MAX_GLOB_LENGTH),
      '*a'.repeat(MAX_GLOB_LENGTH / 2),
      '?*'.repeat(MAX_GLOB_LENGTH / 2),
      `${'*/'.repeat(149)}*`,
      `${'{a,'.repeat(60)}b${'}'.repeat(60)}`,
      `x${'{a.*,b}'.repeat(40)}`,
      `x${'{.*,{'.repeat(20)}a${'}}'.repeat(20)}`,
      `a/**/*${'{,a}'.repeat(70)}`,
      '**/'.repeat(100),
      '{1..999}'.repeat(3),
    ];
    const path = `dir/${'a'.repeat(60)}/${'a'.repeat(40)}`;
    for (const g of globs) {
      expect(g.length).toBeLessThanOrEqual(MAX_GLOB_LENGTH);
      const ms = timed(() => {
        try {
          compileGlob(g)(path);
        } catch (e) {
          expect(e).toBeInstanceOf(GlobError);
        }
      });
      // A bound against a hang, not a speed figure: the deepest nesting of braces takes about half
      // a second on an idle 2-core machine, and a backtracking matcher takes minutes.
      expect(ms).toBeLessThan(3000);
    }
  });

  it('refuses what is too long or too complex, with the glob and the limit in the message', () => {
    expect(() => compileGlob('*'.repeat(5000))).toThrow(GlobError);
    expect(() => compileGlob('*'.repeat(301))).toThrow(/is 301 characters long \(limit 300\)/);
    expect(() => compileGlob('x{1..5000}')).toThrow(/has a range of more than 1000 values/);
  });
});

describe('refused syntax', () => {
  it.each([
    ['@(a|b)', /extglobs are not supported/],
    ['!(x)', /extglobs are not supported/],
    ['*(a)', /extglobs are not supported/],
    ['+(a)', /extglobs are not supported/],
    ['?(a)', /extglobs are not supported/],
  ])('%s', (glob, message) => {
    expect(() => compileGlob(glob)).toThrow(GlobError);
    expect(() => compileGlob(glob)).toThrow(message);
    expect(globProblem(glob)).toMatch(message);
    expect(globProblem(glob)).toContain(JSON.stringify(glob));
  });

  it('reads what is not syntax as characters: an unclosed brace or bracket, parentheses, a pipe', () => {
    expect(compileGlob('infra/{dev')('infra/{dev')).toBe(true);
    expect(compileGlob('a[b')('a[b')).toBe(true);
    expect(compileGlob('a/(b)|c')('a/(b)|c')).toBe(true);
    expect(compileGlob('{a}')('{a}')).toBe(true);
  });

  it('says nothing about globs that compile', () => {
    expect(globProblem('**/*.tf')).toBeUndefined();
  });
});

describe('configuration', () => {
  it('refuses globs on load, naming the key', () => {
    const text = [
      'paths:',
      '  include: ["@(a|b)/**", "ok/**"]',
      `  exclude: ["${'x'.repeat(301)}"]`,
      'ignore:',
      '  - rule: sagemaker-endpoint-kms',
      '    paths: ["infra/{1..99999}"]',
      '    reason: dev only',
      '',
    ].join('\n');
    let problems: string[] = [];
    try {
      parseConfig(text, 'ml-lens.yml');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      problems = (e as ConfigError).problems;
    }
    expect(problems).toEqual([
      'paths.include[0]: glob "@(a|b)/**" uses an extglob: extglobs are not supported',
      `paths.exclude[0]: glob "${'x'.repeat(77)}..." is 301 characters long (limit 300)`,
      'ignore[0].paths[0]: glob "infra/{1..99999}" has a range of more than 1000 values',
    ]);
  });

  it('accepts the documented globs', () => {
    const c = parseConfig('paths:\n  exclude: ["vendor/**", "notebooks/scratch/**"]\nignore:\n  - rule: x\n    paths: ["infra/dev/**"]\n    reason: r\n');
    expect(c.paths.exclude).toEqual(['vendor/**', 'notebooks/scratch/**']);
  });
});
