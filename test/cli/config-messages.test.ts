/**
 * A repository can point the configuration at any file, a secret included (a token,
 * `/proc/self/environ`): no message about it may quote more than the offending key and a short,
 * printable value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, quotable, quoteScalar, validateConfig } from '../../src/config/load.js';
import { yamlMessage } from '../../src/config/yaml-data.js';

const TOKEN = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
/** Any of these in a message is a part of the secret. */
const LEAKS = [/A1b2/, /wJalrX/, /EXAMPLEKEY/, /AKIAIOSF/, /2345678901/];

/** Files that are not configurations, and YAML that provokes each message quoting the source. */
const HOSTILE: Record<string, string> = {
  'a bare token': `${TOKEN}\n`,
  'an environment file': `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nPATH=/usr/bin\n`,
  '/proc/self/environ': `HOME=/root\0AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\0GITHUB_TOKEN=${TOKEN}\0`,
  'binary junk': `\x00\x01\x02\xff\xfe${TOKEN}\x07\x1b[31m\n`,
  'a NUL byte': `gate: \0${TOKEN}\n`,
  'a long number': `${'1234567890'.repeat(4)}\n`,
  'a block scalar header': `|${TOKEN}\n  x\n`,
  'an unresolved alias': `*${TOKEN}\n`,
  'an unresolved alias ending in a colon': `gate: *${TOKEN}:\n`,
  'an unexpected token': `gate: ]${TOKEN}\n`,
  'an unresolvable tag': `!x!${TOKEN} a\n`,
  'a tag without suffix': `gate: !${TOKEN}! x\n`,
  'a YAML version': `%YAML ${TOKEN}\n---\na: 1\n`,
  'an escape sequence': `gate: "\\U${TOKEN}"\n`,
  'a duplicate !!omap key': `!!omap [ {${TOKEN}: 1}, {${TOKEN}: 2} ]\n`,
};

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

function expectNoLeak(text: string): void {
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  // One problem a line, and nothing for a terminal to interpret.
  expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
}

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('configuration messages never quote a secret', () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`a file holding ${name}`, () => {
      expectNoLeak(message(() => parseConfig(text, '.github/ml-lens.yml')));
      const d = mkdtempSync(join(tmpdir(), 'ml-lens-config-'));
      dirs.push(d);
      writeFileSync(join(d, 'ml-lens.yml'), text);
      expectNoLeak(message(() => loadConfig(join(d, 'ml-lens.yml'), '.github/ml-lens.yml')));
    });
  }

  it('a document that is not a mapping is named by its type only', () => {
    expect(message(() => parseConfig(`${TOKEN}\n`, 'c.yml'))).toBe('invalid configuration in c.yml:\n  the top level must be a mapping of settings, not a string');
    expect(message(() => parseConfig(`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`))).toBe('invalid configuration:\n  the top level must be a mapping of settings, not a string');
    expect(message(() => validateConfig(TOKEN))).toContain('not a string');
    expect(message(() => validateConfig('short'))).toContain('not a string');
    expect(message(() => validateConfig(42))).toContain('not a number');
    expect(message(() => validateConfig(true))).toContain('not a boolean');
    expect(message(() => validateConfig([TOKEN]))).toContain('not a list');
  });

  it('a value under an offending key is quoted only when short and printable', () => {
    const m = message(() =>
      parseConfig(
        [
          'gate:',
          `  fail_on: ${TOKEN}`,
          `  min_score: ${'1234567890'.repeat(4)}`,
          '  only_new: "yes\\e[2J"',
          'paths:',
          `  include: "${AWS_SECRET}"`,
          'issues:',
          `  labels: ${TOKEN}`,
          `  create: [${TOKEN}]`,
          'rules:',
          `  custom: { ${'a'.repeat(3)}: ${TOKEN} }`,
          'ignore:',
          `  - { rule: x, reason: y, until: "${TOKEN}" }`,
        ].join('\n'),
        'c.yml',
      ),
    );
    expectNoLeak(m);
    expect(m.split('\n').slice(1)).toEqual(
      expect.arrayContaining([
        '  gate.fail_on: expected one of critical|high|medium|low|info, got a string of 40 characters',
        '  gate.min_score: expected a number <= 100, got a number',
        '  gate.only_new: expected boolean, got a string of 7 characters',
        '  paths.include: expected array, got a string of 40 characters',
        '  issues.labels: expected array, got a string of 40 characters',
        '  issues.create: expected one of never|on-merge|on-pr, got a list',
        '  rules.custom: expected string, got a mapping',
        '  ignore[0].until: expected a date as YYYY-MM-DD, got a string of 40 characters',
      ]),
    );
    // Short values still help the author.
    expect(message(() => parseConfig('gate: { fail_on: urgent, min_score: 120 }\n'))).toContain('got "urgent"');
    expect(message(() => parseConfig('gate: { min_score: 120 }\n'))).toContain('got 120');
    expect(message(() => parseConfig('paths: { include: "**/*.tf" }\n'))).toContain('got a string ("**/*.tf")');
  });

  it('validateConfig of parsed data quotes no secret either', () => {
    expectNoLeak(message(() => validateConfig({ gate: { fail_on: TOKEN }, rules: { severity: { x: AWS_SECRET } }, paths: { include: [TOKEN, 1] } })));
  });

  it('an offending key is kept on one line', () => {
    const m = message(() => parseConfig('rules:\n  severity: { "a\\nb\\e[2J": urgent }\n"x\\ny": 1\n'));
    expect(m).toContain('  rules.severity.a\\u000ab\\u001b[2J: expected one of critical|high|medium|low|info, got "urgent"');
    expect(m).toContain('  x\\u000ay: unknown key');
    expect(m.split('\n')).toHaveLength(3);
  });
});

describe('quoting', () => {
  it('quotes at most 16 printable characters', () => {
    expect(quoteScalar('x'.repeat(16))).toBe(`"${'x'.repeat(16)}"`);
    expect(quoteScalar('x'.repeat(17))).toBe('a string of 17 characters');
    expect(quoteScalar('é'.repeat(16))).toBe(`"${'é'.repeat(16)}"`);
    expect(quoteScalar('😀'.repeat(16))).toBe(`"${'😀'.repeat(16)}"`);
    expect(quoteScalar('😀'.repeat(17))).toBe('a string of 17 characters');
    expect(quoteScalar('a\tb')).toBe('a string of 3 characters');
    expect(quoteScalar('a\u202eb')).toBe('a string of 3 characters');
    expect(quoteScalar('x')).toBe('"x"');
    expect(quoteScalar('\n')).toBe('a string of 1 character');
    expect(quoteScalar(120)).toBe('120');
    expect(quoteScalar(1.2345678901234568e39)).toBe('a number');
    expect(quoteScalar(false)).toBe('false');
    expect(quotable('')).toBe(true);
  });
});

describe('YAML messages', () => {
  it('keep the parser\'s words and drop what it quotes of the file', () => {
    const cases: [string, string][] = [
      [`Not a YAML token: ${TOKEN}: "${TOKEN}"`, 'Not a YAML token'],
      [`Block scalar header includes extra characters: |${TOKEN}`, 'Block scalar header includes extra characters'],
      [`Unresolved tag: !${TOKEN}`, 'Unresolved tag'],
      [`Could not resolve tag: !x!${TOKEN}`, 'Could not resolve tag'],
      [`Not a valid tag: ${TOKEN}`, 'Not a valid tag'],
      [`Ordered maps must not include duplicate keys: ${TOKEN}`, 'Ordered maps must not include duplicate keys'],
      [`Unresolved alias (the anchor must be set before the alias): ${TOKEN}`, 'Unresolved alias (the anchor must be set before the alias)'],
      [`Invalid escape sequence \\U${TOKEN.slice(0, 8)}`, 'Invalid escape sequence'],
      [`Unsupported YAML version ${TOKEN}`, 'Unsupported YAML version'],
      [`Unknown directive %${TOKEN}`, 'Unknown directive'],
      [`The !${TOKEN}! tag has no suffix`, 'A tag has no suffix'],
      ["Verbatim tags aren't resolved, so !<!> is invalid.", "Verbatim tags aren't resolved"],
      [`Unexpected scalar token in YAML stream: "${TOKEN}"`, 'Unexpected scalar token in YAML stream'],
      [`Unexpected flow-seq-end token in YAML document: "]"`, 'Unexpected flow-seq-end token in YAML document'],
      ['Map keys must be unique', 'Map keys must be unique'],
      ['Missing closing "quote', 'Missing closing "quote'],
      [`Implicit keys need to be on a single line\n\n${TOKEN}\n^^^`, 'Implicit keys need to be on a single line'],
    ];
    for (const [raw, kept] of cases) expect(yamlMessage(raw), raw).toBe(kept);
  });

  it('a syntax error still names its line and its cause', () => {
    expect(message(() => parseConfig(`gate: ]${TOKEN}\n`))).toBe(
      'invalid configuration:\n  line 1: Unexpected flow-seq-end token in YAML stream\n  line 1: Unexpected scalar token in YAML stream',
    );
    expect(message(() => parseConfig(`|${TOKEN}\n  x\n`))).toBe('invalid configuration:\n  line 1: Block scalar header includes extra characters');
    expect(message(() => parseConfig(`gate: *${TOKEN}\n`))).toBe('invalid configuration:\n  Unresolved alias (the anchor must be set before the alias)');
  });
});
