/**
 * src/gitattributes.ts: the line format (comments, quoting, states, macros, lines git refuses),
 * gitattributes patterns (base name at any depth, anchored with a slash, `**`, folders), which
 * line wins, and a comparison with git itself (`git check-attr`) on the same files and paths.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributePattern, attributesFilesFor, compileGitAttributes, parseGitAttributes, type AttributesFile } from '../../src/gitattributes.js';
import { linguistAttributes } from '../../src/generated.js';
import { testGitEnv } from '../sources/git-helpers.js';

/** The values of `names` on `path` (absent: no line gives one). */
function attrs(files: AttributesFile[] | string, path: string, names?: string[]): Record<string, unknown> {
  const list = typeof files === 'string' ? [{ path: '.gitattributes', text: files }] : files;
  return Object.fromEntries([...compileGitAttributes(list, names)(path)].map(([k, v]) => [k, v.value]));
}

describe('the line format', () => {
  it('reads patterns and states; skips blank lines and comments', () => {
    const text = ['# generated code', '', '   ', '*.pb.go linguist-generated', '  \t# indented comment', 'vendor/** linguist-vendored -diff !merge eol=lf', 'x\tlinguist-generated=false\r', ''].join('\n');
    expect(parseGitAttributes(text)).toEqual([
      { line: 4, pattern: '*.pb.go', macro: false, states: [{ name: 'linguist-generated', value: true }] },
      {
        line: 6,
        pattern: 'vendor/**',
        macro: false,
        states: [
          { name: 'linguist-vendored', value: true },
          { name: 'diff', value: false },
          { name: 'merge', value: null },
          { name: 'eol', value: 'lf' },
        ],
      },
      { line: 7, pattern: 'x', macro: false, states: [{ name: 'linguist-generated', value: 'false' }] },
    ]);
  });

  it('reads a C-quoted pattern (spaces, escapes, octal UTF-8)', () => {
    expect(parseGitAttributes('"gen files/a b.yaml" linguist-generated\n"\\303\\251t\\303\\251.yaml\\t" -linguist-generated\n')).toEqual([
      { line: 1, pattern: 'gen files/a b.yaml', macro: false, states: [{ name: 'linguist-generated', value: true }] },
      { line: 2, pattern: 'été.yaml\t', macro: false, states: [{ name: 'linguist-generated', value: false }] },
    ]);
    // An unterminated quote is no quoting: the pattern is the token as written.
    expect(parseGitAttributes('"a linguist-generated\n')[0]).toMatchObject({ pattern: '"a', states: [{ name: 'linguist-generated', value: true }] });
  });

  it('ignores what git ignores: negative patterns, invalid attribute names, over-long lines, macros outside the top-level file', () => {
    const text = ['!keep.yaml -linguist-generated', 'a.yaml linguist-generated bad/name', 'b.yaml -', 'c.yaml builtin_objectmode', `${'d'.repeat(2100)} linguist-generated`, '\\!e.yaml linguist-generated', '[attr]gen linguist-generated -diff'].join('\n');
    expect(parseGitAttributes(text).map((l) => l.pattern)).toEqual(['\\!e.yaml', 'gen']);
    expect(parseGitAttributes(text, { macros: false }).map((l) => l.pattern)).toEqual(['\\!e.yaml']);
    // `-name=value` unsets; the value is dropped.
    expect(parseGitAttributes('x -linguist-generated=true\n')[0]!.states).toEqual([{ name: 'linguist-generated', value: false }]);
  });
});

describe('patterns', () => {
  const m = (pattern: string, path: string) => attributePattern(pattern)?.(path) ?? false;

  it('without a slash: the base name, at any depth', () => {
    expect(m('*.pb.go', 'api/v1/x.pb.go')).toBe(true);
    expect(m('*.pb.go', 'x.pb.go')).toBe(true);
    expect(m('pipeline.yaml', 'kfp/compiled/pipeline.yaml')).toBe(true);
    expect(m('*.yaml', 'a/b.yaml/c')).toBe(false);
    expect(m('.venv*', 'x/.venv-3.11')).toBe(true); // dot files are matched like others
  });

  it('with a slash: anchored to the file\'s folder (a leading slash too)', () => {
    expect(m('gen/*.yaml', 'gen/a.yaml')).toBe(true);
    expect(m('gen/*.yaml', 'src/gen/a.yaml')).toBe(false);
    expect(m('gen/*.yaml', 'gen/sub/a.yaml')).toBe(false); // `*` stops at a slash
    expect(m('/stack.yaml', 'stack.yaml')).toBe(true);
    expect(m('/stack.yaml', 'infra/stack.yaml')).toBe(false);
  });

  it('`**`: leading, trailing, between folders; elsewhere a `*`', () => {
    expect(m('**/gen/*.yaml', 'gen/a.yaml')).toBe(true);
    expect(m('**/gen/*.yaml', 'a/b/gen/a.yaml')).toBe(true);
    expect(m('vendor/**', 'vendor/a/b.tf')).toBe(true);
    expect(m('vendor/**', 'vendor')).toBe(false); // the folder's own name is not inside it
    expect(m('a/**/b.yaml', 'a/b.yaml')).toBe(true);
    expect(m('a/**/b.yaml', 'a/x/y/b.yaml')).toBe(true);
    expect(m('a/x**.yaml', 'a/x1.yaml')).toBe(true);
    expect(m('a/x**.yaml', 'a/x/1.yaml')).toBe(false);
    expect(m('a/***', 'a/b/c')).toBe(true);
  });

  it('a folder\'s pattern matches no file, nor what is inside the folder', () => {
    expect(attributePattern('vendor/')).toBeNull();
    expect(m('vendor', 'vendor/a.tf')).toBe(false);
  });

  it('what gitattributes reads literally: braces, parentheses, a leading `./`, escapes', () => {
    expect(m('{a,b}.yaml', '{a,b}.yaml')).toBe(true);
    expect(m('{a,b}.yaml', 'a.yaml')).toBe(false);
    expect(m('*(x).yaml', 'f(x).yaml')).toBe(true);
    expect(m('./a.yaml', 'a.yaml')).toBe(false);
    expect(m('\\!e.yaml', '!e.yaml')).toBe(true);
    expect(m('[!a]*.yaml', 'b.yaml')).toBe(true);
    expect(m('[!a]*.yaml', 'a.yaml')).toBe(false);
  });

  it('a pattern over the glob limits is ignored, not an error', () => {
    expect(attributePattern(`*${'a'.repeat(400)}`)).toBeNull();
    // Only the part from the first wildcard is a glob: a long folder name before it is no problem.
    expect(attributePattern(`${'a'.repeat(400)}/*`)?.(`${'a'.repeat(400)}/x`)).toBe(true);
  });
});

describe('which line wins', () => {
  it('set, unset, a value, unspecified; a later line over an earlier one, attribute by attribute', () => {
    const text = ['*.yaml linguist-generated linguist-vendored', 'keep.yaml -linguist-generated', 'gen/** linguist-generated=false', 'gen/x.yaml !linguist-vendored'].join('\n');
    expect(attrs(text, 'a.yaml')).toEqual({ 'linguist-generated': true, 'linguist-vendored': true });
    expect(attrs(text, 'd/keep.yaml')).toEqual({ 'linguist-generated': false, 'linguist-vendored': true });
    expect(attrs(text, 'gen/a.yaml')).toEqual({ 'linguist-generated': 'false', 'linguist-vendored': true });
    expect(attrs(text, 'gen/x.yaml')).toEqual({ 'linguist-generated': 'false', 'linguist-vendored': null });
    expect(attrs(text, 'a.tf')).toEqual({});
    // Order matters: the same lines the other way round.
    expect(attrs('keep.yaml -linguist-generated\n*.yaml linguist-generated\n', 'keep.yaml')).toEqual({ 'linguist-generated': true });
  });

  it('a deeper file over the ones above it; its patterns are relative to its folder', () => {
    const files = [
      { path: '.gitattributes', text: '*.yaml linguist-generated\n' },
      { path: 'models/.gitattributes', text: 'own/*.yaml -linguist-generated\n/top.yaml linguist-vendored\n' },
    ];
    expect(attrs(files, 'models/own/a.yaml')).toEqual({ 'linguist-generated': false });
    expect(attrs(files, 'own/a.yaml')).toEqual({ 'linguist-generated': true });
    expect(attrs(files, 'models/top.yaml')).toEqual({ 'linguist-generated': true, 'linguist-vendored': true });
    expect(attrs(files, 'models/x/top.yaml')).toEqual({ 'linguist-generated': true });
  });

  it('macros: defined in the top-level file only, set where they are set, `-macro` does not expand', () => {
    const files = [
      { path: '.gitattributes', text: '[attr]gen linguist-generated -diff\n*.out.yaml gen\nkeep.out.yaml -gen\n' },
      { path: 'sub/.gitattributes', text: '[attr]own -linguist-generated\n*.yaml own\n' },
    ];
    expect(attrs(files, 'a.out.yaml')).toEqual({ gen: true, 'linguist-generated': true, diff: false });
    expect(attrs(files, 'keep.out.yaml')).toEqual({ gen: false });
    // `own` is no macro (defined below the top): set as a plain attribute.
    expect(attrs(files, 'sub/x.out.yaml')).toEqual({ own: true, gen: true, 'linguist-generated': true, diff: false });
    // The built-in `binary`.
    expect(attrs('*.bin binary\n', 'a.bin')).toEqual({ binary: true, diff: false, merge: false, text: false });
  });

  it('asked for some names, reads only the lines that bear on them (a macro that sets one does)', () => {
    const text = '[attr]gen linguist-generated\n*.yaml text eol=lf\nx.yaml gen\n';
    expect(attrs(text, 'x.yaml', ['linguist-generated'])).toEqual({ 'linguist-generated': true });
    expect(attrs(text, 'y.yaml', ['linguist-generated'])).toEqual({});
  });

  it('Linguist\'s reading: set or any value but false marks; unset or false declares not so', () => {
    const marks = linguistAttributes([{ path: '.gitattributes', text: 'a.yaml linguist-generated=1\nb.yaml linguist-generated=false\nc.yaml -linguist-vendored\nd.yaml !linguist-generated\n' }]);
    expect(marks('a.yaml')).toEqual({ generated: { marked: true, file: '.gitattributes' } });
    expect(marks('b.yaml')).toEqual({ generated: { marked: false, file: '.gitattributes' } });
    expect(marks('c.yaml')).toEqual({ vendored: { marked: false, file: '.gitattributes' } });
    expect(marks('d.yaml')).toEqual({});
    // A scan of a subfolder: its paths start below the repository's top.
    expect(linguistAttributes([{ path: '.gitattributes', text: 'infra/gen/* linguist-generated\n' }], 'infra')('gen/a.yaml')).toEqual({ generated: { marked: true, file: '.gitattributes' } });
  });
});

describe('attributesFilesFor', () => {
  it('the top file and those of folders above the paths, shallowest first', () => {
    const tree = ['.gitattributes', 'a/.gitattributes', 'a/b/.gitattributes', 'c/.gitattributes', 'a/b/c.yaml', 'x.gitattributes'];
    expect(attributesFilesFor(tree, ['a/b/c.yaml'])).toEqual(['.gitattributes', 'a/.gitattributes', 'a/b/.gitattributes']);
    expect(attributesFilesFor(tree, ['top.yaml'])).toEqual(['.gitattributes']);
    expect(attributesFilesFor(tree, ['a/b/c.yaml'], 2)).toEqual(['.gitattributes', 'a/.gitattributes']);
  });
});

const NAMES = ['linguist-generated', 'linguist-vendored'];

describe('the same answers as git check-attr', () => {
  const FILES: Record<string, string> = {
    '.gitattributes': [
      '# comments and blank lines',
      '',
      '[attr]gen linguist-generated',
      '*.pb.go linguist-generated',
      '/stack.yaml linguist-generated',
      'gen/*.yaml linguist-generated',
      '**/compiled/** gen',
      'vendor/** linguist-vendored',
      'vendor/own/** -linguist-vendored',
      'docs/ linguist-vendored',
      'keep.pb.go -linguist-generated',
      '"with space/*.yaml" linguist-generated=true',
      'a/**/b.yaml linguist-vendored=false',
      'x**.json linguist-generated',
      '*.out.yaml gen',
      'skip.out.yaml -gen',
      '{a,b}.yaml linguist-generated',
      '!neg.yaml linguist-generated',
      'unset.yaml !linguist-generated',
      '',
    ].join('\n'),
    'models/.gitattributes': ['*.yaml linguist-vendored', '/top.yaml -linguist-vendored linguist-generated', 'x/*.yaml !linguist-vendored', '[attr]nomacro linguist-generated', 'm.yaml nomacro', ''].join('\n'),
  };
  const PATHS = [
    'a.pb.go', 'api/v1/a.pb.go', 'api/keep.pb.go', 'stack.yaml', 'infra/stack.yaml', 'gen/a.yaml', 'gen/sub/a.yaml', 'src/gen/a.yaml',
    'compiled/p.yaml', 'x/compiled/y/p.yaml', 'vendor/m/main.tf', 'vendor/own/main.tf', 'src/vendor/main.tf', 'docs/a.md', 'with space/a.yaml',
    'a/b.yaml', 'a/q/r/b.yaml', 'x1.json', 'x/1.json', 'p.out.yaml', 'd/skip.out.yaml', '{a,b}.yaml', 'a.yaml', 'neg.yaml', 'unset.yaml',
    'models/m.yaml', 'models/top.yaml', 'models/x/y.yaml', 'models/x/top.yaml', 'models/x/z/y.yaml', 'other/m.yaml',
  ];

  it('on every path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-attr-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir, env: testGitEnv() });
      for (const [p, text] of Object.entries(FILES)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), text);
      }
      expect(ours(FILES, PATHS)).toEqual(checkAttr(dir, PATHS));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on random patterns and paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-attr-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir, env: testGitEnv() });
      const segment = fc.array(fc.constantFrom('a', 'b', '.', '*', '**', '?', '[ab]', '[!a]'), { minLength: 1, maxLength: 3 }).map((s) => s.join(''));
      const pattern = fc
        .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 3 }))
        .map(([lead, segs]) => `${lead ? '/' : ''}${segs.join('/')}`);
      const state = fc.constantFrom('linguist-generated', '-linguist-generated', '!linguist-generated', 'linguist-vendored', '-linguist-vendored', 'linguist-generated=false');
      const line = fc.tuple(pattern, fc.array(state, { minLength: 1, maxLength: 2 })).map(([p, st]) => `${p} ${st.join(' ')}`);
      const name = fc.array(fc.constantFrom('a', 'b', '.', 'ab', 'ba'), { minLength: 1, maxLength: 2 }).map((s) => s.join('')).filter((n) => n !== '.' && n !== '..');
      const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.uniqueArray(path, { minLength: 1, maxLength: 20 }), (lines, paths) => {
          const files = { '.gitattributes': `${lines.join('\n')}\n` };
          writeFileSync(join(dir, '.gitattributes'), files['.gitattributes']);
          expect(ours(files, paths)).toEqual(checkAttr(dir, paths));
        }),
        { numRuns: 40 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `git check-attr` of the linguist attributes in `dir`: the values set, by path. */
function checkAttr(dir: string, paths: readonly string[]): Record<string, Record<string, unknown>> {
  const out = execFileSync('git', ['check-attr', '-z', ...NAMES, '--', ...paths], { cwd: dir, env: testGitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const fields = out.split('\0');
  const git: Record<string, Record<string, unknown>> = Object.fromEntries(paths.map((p) => [p, {}]));
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [path, name, info] = [fields[i]!, fields[i + 1]!, fields[i + 2]!];
    const value = info === 'set' ? true : info === 'unset' ? false : info === 'unspecified' ? undefined : info;
    if (value !== undefined) git[path]![name] = value;
  }
  return git;
}

/** The same from compileGitAttributes (git says "unspecified" both for no value and for `!attr`). */
function ours(files: Record<string, string>, paths: readonly string[]): Record<string, Record<string, unknown>> {
  const lookup = compileGitAttributes(Object.entries(files).map(([path, text]) => ({ path, text })), NAMES);
  const out: Record<string, Record<string, unknown>> = {};
  for (const p of paths) {
    out[p] = {};
    for (const [k, v] of lookup(p)) if (v.value !== null) out[p]![k] = v.value;
  }
  return out;
}
