import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { repoSettings } from '../../src/repo-settings.js';
import { readWorkingFiles } from '../../src/sources/repo-files.js';
import { defaultConfig } from '../../src/config/schema.js';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ml-lens-config-'));
  dirs.push(d);
  return d;
}

function problems(text: string): string[] {
  try {
    parseConfig(text, 'ml-lens.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('no file, an empty file or a comment-only file gives the defaults', () => {
    expect(loadConfig()).toEqual(defaultConfig());
    expect(parseConfig('')).toEqual(defaultConfig());
    expect(parseConfig('# nothing here\n')).toEqual(defaultConfig());
  });

  it('fills defaults around what is set', () => {
    const c = parseConfig('gate:\n  fail_on: critical\nrules:\n  severity: { model-card-limitations: low }\n');
    expect(c.gate).toEqual({ fail_on: 'critical', min_score: 0, only_new: true, fail_on_unreviewed: true });
    expect(c.rules.severity).toEqual({ 'model-card-limitations': 'low' });
    expect(c.paths).toEqual(defaultConfig().paths);
  });

  it('accepts and ignores _extends (resolved by the GitHub App only)', () => {
    expect(parseConfig('_extends: .github\ngate: { fail_on: medium }\n').gate.fail_on).toBe('medium');
  });

  it('reads unquoted dates in ignore entries', () => {
    const c = parseConfig('ignore:\n  - rule: sagemaker-endpoint-kms\n    paths: ["infra/dev/**"]\n    reason: dev only\n    until: 2027-01-31\n');
    expect(c.ignore[0]).toEqual({ rule: 'sagemaker-endpoint-kms', paths: ['infra/dev/**'], reason: 'dev only', until: '2027-01-31' });
  });

  it('lists every wrong key on its own line', () => {
    const p = problems(
      [
        'gate:',
        '  fail_on: urgent',
        '  min_score: 120',
        'pillars:',
        '  securty: { weight: 2 }',
        'paths:',
        '  include: "**/*.tf"',
        'ignore:',
        '  - rule: x',
        '    until: 2027-13-45',
        'colour: true',
      ].join('\n'),
    );
    expect(p).toContain('gate.fail_on: expected one of critical|high|medium|low|info, got "urgent"');
    expect(p).toContain('gate.min_score: expected a number <= 100, got 120');
    expect(p).toContainEqual(expect.stringMatching(/^pillars\.securty: unknown key \(expected one of operational-excellence, security, /));
    expect(p).toContain('paths.include: expected array, got a string ("**/*.tf")');
    expect(p).toContain('ignore[0].reason: required (string)');
    expect(p).toContain('ignore[0].until: not a calendar date');
    expect(p).toContainEqual(expect.stringMatching(/^colour: unknown key \(expected one of paths, pillars, gate, /));
  });

  it('the message is the list, one problem a line, naming the file', () => {
    try {
      parseConfig('gate: { fail_on: urgent, foo: 1 }\n', '.github/ml-lens.yml');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        'invalid configuration in .github/ml-lens.yml:\n' +
          '  gate.fail_on: expected one of critical|high|medium|low|info, got "urgent"\n' +
          '  gate.foo: unknown key (expected one of fail_on, min_score, only_new, fail_on_unreviewed)',
      );
    }
  });

  it('reports YAML syntax errors with their line, and a top level that is not a mapping', () => {
    expect(problems('gate:\n  fail_on: [high\n')[0]).toMatch(/^line \d+: /);
    expect(problems('- a\n- b\n')).toEqual(['the top level must be a mapping of settings, not a list']);
    expect(problems('gate: {}\ngate: {}\n')[0]).toMatch(/^line 2: .*[Mm]ap keys must be unique/);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(() => parseConfig(bomb)).toThrow(ConfigError);
  });

  it('a missing file is a ConfigError', () => {
    expect(() => loadConfig(join(tmp(), 'nope.yml'))).toThrow('the file does not exist');
  });
});

describe('the repository\'s configuration file', () => {
  it('is .github/ml-lens.yml, else .github/ml-lens.yaml', async () => {
    const d = tmp();
    const found = async () => (await repoSettings((r) => readWorkingFiles(d, r), '')).configPath;
    expect(await found()).toBeUndefined();
    mkdirSync(join(d, '.github'));
    writeFileSync(join(d, '.github/ml-lens.yaml'), 'gate: {}\n');
    expect(await found()).toBe('.github/ml-lens.yaml');
    writeFileSync(join(d, '.github/ml-lens.yml'), 'gate: {}\n');
    expect(await found()).toBe('.github/ml-lens.yml');
  });
});
