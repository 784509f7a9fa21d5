import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildCatalogue, DUPLICATE_KEY_RULE, pipelineRules, loadCatalogue, PARSE_ERROR_RULE, parseRuleFile, RuleLoadError, rulesFromData } from '../../src/rules/loader.js';
import { practice, practices, resolvePractice } from '../../src/rules/practices.js';

/** A valid rule; tests break one field at a time. */
function base(): Record<string, unknown> {
  return {
    id: 'sagemaker-endpoint-kms',
    title: 'Endpoint storage is encrypted',
    practices: ['MLSEC02-BP01'],
    pillar: 'security',
    phase: 'deployment',
    severity: 'high',
    match: [{ kind: 'terraform', resource: 'aws_sagemaker_endpoint_configuration', require: { present: 'kms_key_arn' } }],
    message: '{{address}} has no key',
    remediation: 'Set kms_key_arn.',
    examples: { pass: [{ path: 'a.tf', content: 'x' }], fail: [{ path: 'b.tf', content: 'y' }] },
  };
}

function with_(patch: (r: Record<string, unknown>) => void): Record<string, unknown> {
  const r = base();
  patch(r);
  return r;
}

const clause = (r: Record<string, unknown>): Record<string, unknown> => (r.match as Record<string, unknown>[])[0]!;

/** The problems of loading one rule, in `rules/security.yaml`. */
function problems(rule: unknown): string[] {
  try {
    parseRuleFile('rules/security.yaml', stringify([rule]));
  } catch (e) {
    if (e instanceof RuleLoadError) return e.problems;
    throw e;
  }
  return [];
}

const P = 'rules/security.yaml: rule sagemaker-endpoint-kms: ';

describe('practices', () => {
  it('has all 105 practices with both IDs', () => {
    expect(practices()).toHaveLength(105);
    expect(practice('MLSEC02-BP01')).toMatchObject({ alias: 'MLSEC-02', pillar: 'security', risk: 'high' });
  });

  it('resolves either edition, case-insensitively, to the 2025 ID', () => {
    expect(resolvePractice('MLSEC02-BP01')).toBe('MLSEC02-BP01');
    expect(resolvePractice('MLSEC-02')).toBe('MLSEC02-BP01');
    expect(resolvePractice('mlsec-02')).toBe('MLSEC02-BP01');
    expect(resolvePractice('MLOE-16')).toBe('MLOPS06-BP01');
    expect(resolvePractice('mlcost-23')).toBe('MLCOST06-BP04');
    expect(resolvePractice('MLSEC-99')).toBeUndefined();
    expect(resolvePractice('')).toBeUndefined();
  });

  it('translates 2023 IDs in rules and drops duplicates', () => {
    const [r] = parseRuleFile('x.yaml', stringify([with_((x) => (x.practices = ['MLSEC-02', 'MLSEC02-BP01', 'mlsec-04']))]));
    expect(r!.practices).toEqual(['MLSEC02-BP01', 'MLSEC03-BP02']);
  });
});

describe('parseRuleFile', () => {
  it('loads a valid rule, normalising resource to a list', () => {
    const [r] = parseRuleFile('rules/security.yaml', stringify([base()]));
    expect(r).toMatchObject({ id: 'sagemaker-endpoint-kms', source: 'rules/security.yaml', severity: 'high' });
    expect(r!.match[0]!.resource).toEqual(['aws_sagemaker_endpoint_configuration']);
  });

  it('reports each kind of malformed rule with the exact problem', () => {
    const cases: [Record<string, unknown> | unknown, string][] = [
      [with_((r) => (clause(r).require = { presnt: 'kms_key_arn' })), `${P}match[0].require: unknown predicate "presnt"`],
      [with_((r) => (clause(r).where = { present: 'a', absent: 'b' })), `${P}match[0].where: expected exactly one predicate, found "present", "absent"`],
      [with_((r) => (clause(r).require = {})), `${P}match[0].require: expected exactly one predicate, found none`],
      [with_((r) => (clause(r).require = 'kms_key_arn')), `${P}match[0].require: expected a predicate (a map with one key such as present, equals or all)`],
      [with_((r) => delete clause(r).require), `${P}match[0].require: is required`],
      [with_((r) => (clause(r).kind = 'helm')), `${P}match[0].kind: expected one of terraform, cloudformation, kubernetes, kubeflow-pipeline, argo-workflow, sagemaker-pipeline, step-functions, github-workflow, gitlab-ci, buildspec, dvc, dvc-params, mlflow-project, model-card, sagemaker-model-card, mct-model-card, sagemaker-python, cdk-python, cdk-typescript, kfp-vertex-python, airflow-dag, repository, got "helm"`],
      [with_((r) => (clause(r).resource = [])), `${P}match[0].resource: must not be empty`],
      [with_((r) => (clause(r).resource = 3)), `${P}match[0].resource: expected a string or a non-empty list of strings`],
      [with_((r) => (clause(r).unknown = 'maybe')), `${P}match[0].unknown: expected one of pass, fail, got "maybe"`],
      [with_((r) => (clause(r).colour = 'red')), `${P}match[0]: unknown key "colour"`],
      [with_((r) => (clause(r).anchor = ['aws_sagemaker_endpoint'])), `${P}match[0].anchor: only a repository clause without \`resource\` is anchored (a resource clause is anchored on its resource)`],
      [with_((r) => (clause(r).require = { equals: { path: 'a' } })), `${P}match[0].require.equals.value: is required`],
      [with_((r) => (clause(r).require = { equals: { path: 'a', value: [1] } })), `${P}match[0].require.equals.value: expected a string, number, boolean or null`],
      [with_((r) => (clause(r).require = { greater_than: { path: 'a', value: '2' } })), `${P}match[0].require.greater_than.value: expected number, got "2"`],
      [with_((r) => (clause(r).require = { equals: { path: 'a..b', value: 1 } })), `${P}match[0].require.equals.path: empty key in "a..b"`],
      [with_((r) => (clause(r).require = { present: 'a[x]' })), `${P}match[0].require.present: bad index [x] in "a[x]" (expected [*], [n] or ["key"])`],
      [with_((r) => (clause(r).require = { credential: { path: 'value', key: 'a..b' } })), `${P}match[0].require.credential.key: empty key in "a..b"`],
      [with_((r) => (clause(r).require = { credential: { path: 'value', name: 'x' } })), `${P}match[0].require.credential: unknown key "name"`],
      [with_((r) => (clause(r).require = { present: 'a.$parent.b' })), `${P}match[0].require.present: $parent may only start a path, in "a.$parent.b" (write ["$parent"] for a key of that name)`],
      [with_((r) => (clause(r).require = { count: { path: 'a.**.b.**', min: 1 } })), `${P}match[0].require.count.path: "**" may appear once in a path, found 2 in "a.**.b.**"`],
      [with_((r) => (clause(r).require = { all: [] })), `${P}match[0].require.all: expected a non-empty list of predicates`],
      [with_((r) => (clause(r).require = { any: [{ present: 'a' }, { nope: 1 }] })), `${P}match[0].require.any[1]: unknown predicate "nope"`],
      [with_((r) => (clause(r).require = { not: { each: { path: 'l' } } })), `${P}match[0].require.not.each.require: is required`],
      [with_((r) => (clause(r).require = { count: { path: 'l' } })), `${P}match[0].require.count: needs min, max or both`],
      [with_((r) => (clause(r).require = { count: { path: 'l', min: 3, max: 1 } })), `${P}match[0].require.count: min (3) is greater than max (1)`],
      [with_((r) => (clause(r).require = { count: { path: 'l', min: -1 } })), `${P}match[0].require.count.min: must be at least 0`],
      [with_((r) => (clause(r).require = { matches: { path: 'a', pattern: '(?<=x)y' } })), `${P}match[0].require.matches.pattern: invalid RE2 pattern: error parsing regexp: invalid named capture: \`(?<=x)y\``],
      [with_((r) => (clause(r).require = { matches: { path: 'a', pattern: 'x'.repeat(1001) } })), `${P}match[0].require.matches.pattern: pattern is 1001 characters long (limit 1000)`],
      [with_((r) => (clause(r).require = { tree_has: 'CODEOWNERS' })), `${P}match[0].require.tree_has: only available in kind: repository clauses`],
      [with_((r) => (clause(r).require = { all: [{ resource_exists: 'x' }] })), `${P}match[0].require.all[0].resource_exists: only available in kind: repository clauses`],
      [with_((r) => (r.practices = ['MLSEC02-BP01', 'MLSEC99-BP01'])), `${P}practices[1]: unknown practice "MLSEC99-BP01" (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)`],
      [with_((r) => (r.practices = [])), `${P}practices: must not be empty`],
      [with_((r) => (r.pillar = 'speed')), `${P}pillar: expected one of operational-excellence, security, reliability, performance-efficiency, cost-optimization, sustainability, got "speed"`],
      [with_((r) => (r.severity = 'urgent')), `${P}severity: expected one of critical, high, medium, low, info, got "urgent"`],
      [with_((r) => delete r.title), `${P}title: is required`],
      [with_((r) => (r.owner = 'me')), `${P}unknown key "owner"`],
      [with_((r) => (r.message = '{{adress}} has no key')), `${P}message: unknown placeholder {{adress}} (available: {{address}} {{attribute}} {{actual}} {{path}} {{type}} {{name}})`],
      [with_((r) => (r.examples = { pass: [{ path: 'a.tf', content: 'x' }] })), `${P}examples.fail: is required`],
      [with_((r) => (r.examples = { pass: [], fail: [{ path: 'a.tf', content: 'x' }] })), `${P}examples.pass: must not be empty`],
      [with_((r) => (r.examples = { pass: [{ path: 'a.tf' }], fail: [{ path: 'a.tf', content: 'x' }] })), `${P}examples.pass[0].content: is required`],
      [with_((r) => (r.fix = { cloudformation: { insert_property: 'KmsKeyId: <k>' } })), `${P}fix.cloudformation: no match clause of kind cloudformation`],
      [with_((r) => (r.fix = { terraform: {} })), `${P}fix.terraform: needs insert_attribute, insert_property or insert_argument`],
      [with_((r) => (r.fix = { helm: { insert_attribute: 'x' } })), `${P}fix: unknown key "helm"`],
      [with_((r) => (r.id = 'SageMaker_KMS')), `rules/security.yaml: rule #1: id: must be kebab-case (lower-case letters and digits joined by single hyphens), got "SageMaker_KMS"`],
      ['just a string', 'rules/security.yaml: rule #1: expected object, got "just a string"'],
    ];
    for (const [rule, expected] of cases) expect(problems(rule)).toEqual([expected]);
  });

  it('collects the problems of every rule of a file, and duplicate ids', () => {
    const text = stringify([
      with_((r) => (r.severity = 'urgent')),
      with_((r) => (r.id = 'other-rule')),
      with_((r) => (r.id = 'other-rule')),
    ]);
    expect(() => parseRuleFile('rules/x.yaml', text)).toThrow(RuleLoadError);
    try {
      parseRuleFile('rules/x.yaml', text);
    } catch (e) {
      expect((e as RuleLoadError).problems).toEqual([
        'rules/x.yaml: rule sagemaker-endpoint-kms: severity: expected one of critical, high, medium, low, info, got "urgent"',
        'rules/x.yaml: rule other-rule: id: duplicate id (also rule #2 of this file)',
      ]);
    }
  });

  it('reports YAML that does not parse, and a file that is not a list', () => {
    expect(() => parseRuleFile('rules/x.yaml', '- id: a\n  id: b\n')).toThrow(/^rules\/x\.yaml: YAML: .*\(line 2\)$/);
    expect(() => parseRuleFile('rules/x.yaml', 'id: a\n')).toThrow('rules/x.yaml: expected a list of rules, got a map');
    expect(parseRuleFile('rules/x.yaml', '# nothing yet\n')).toEqual([]);
  });

  it('reports every problem of a rule at once', () => {
    // Three independent mistakes, three lines.
    expect(
      problems(
        with_((r) => {
          r.severity = 'urgent';
          clause(r).require = { presnt: 'kms_key_arn' };
          r.message = '{{adress}} has no key';
        }),
      ),
    ).toEqual([
      `${P}severity: expected one of critical, high, medium, low, info, got "urgent"`,
      `${P}match[0].require: unknown predicate "presnt"`,
      `${P}message: unknown placeholder {{adress}} (available: {{address}} {{attribute}} {{actual}} {{path}} {{type}} {{name}})`,
    ]);
    // Every issue of the schema.
    expect(
      problems(
        with_((r) => {
          r.pillar = 'speed';
          r.remediation = '';
          delete r.title;
          r.examples = { pass: [], fail: [{ path: 'a.tf' }] };
        }),
      ),
    ).toEqual([
      `${P}pillar: expected one of operational-excellence, security, reliability, performance-efficiency, cost-optimization, sustainability, got "speed"`,
      `${P}remediation: must not be empty`,
      `${P}examples.pass: must not be empty`,
      `${P}examples.fail[0].content: is required`,
      `${P}title: is required`,
    ]);
  });

  it('reports every bad predicate of every clause, however deep', () => {
    const r = with_((x) => {
      x.match = [
        { kind: 'terraform', require: { presnt: 'a' }, where: { all: [{ present: 'a..b' }, { nope: 1 }, { equals: { path: 'x[y]', value: [1] } }] } },
        { kind: 'terraform', where: { any: [] }, require: { count: { path: 'l', min: 3, max: 1, where: { tree_has: 'CODEOWNERS' } } } },
        { kind: 'repository', require: { not: { each: { path: 'a.$parent' } } }, where: { matches: { path: 'a', pattern: '(?<=x)y', flags: 'i' } } },
      ];
    });
    expect(problems(r)).toEqual([
      `${P}match[0].require: unknown predicate "presnt"`,
      `${P}match[0].where.all[0].present: empty key in "a..b"`,
      `${P}match[0].where.all[1]: unknown predicate "nope"`,
      `${P}match[0].where.all[2].equals.path: bad index [y] in "x[y]" (expected [*], [n] or ["key"])`,
      `${P}match[0].where.all[2].equals.value: expected a string, number, boolean or null`,
      `${P}match[1].where.any: expected a non-empty list of predicates`,
      `${P}match[1].require.count: min (3) is greater than max (1)`,
      `${P}match[1].require.count.where.tree_has: only available in kind: repository clauses`,
      `${P}match[2].require.not.each.path: $parent may only start a path, in "a.$parent" (write ["$parent"] for a key of that name)`,
      `${P}match[2].require.not.each.require: is required`,
      `${P}match[2].where.matches.pattern: invalid RE2 pattern: error parsing regexp: invalid named capture: \`(?<=x)y\``,
      `${P}match[2].where.matches: unknown key "flags"`,
    ]);
  });

  it('reports every bad practice, placeholder and fix', () => {
    const r = with_((x) => {
      x.practices = ['MLSEC99-BP01', 'MLSEC02-BP01', 'MLOPS-99'];
      x.message = '{{adress}} in {{pth}}';
      x.fix = { cloudformation: {}, terraform: { insert_attribute: 'kms_key_arn = x' }, kubernetes: { insert_property: 'x' } };
    });
    const expected = '(expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)';
    const available = '(available: {{address}} {{attribute}} {{actual}} {{path}} {{type}} {{name}})';
    expect(problems(r)).toEqual([
      `${P}practices[0]: unknown practice "MLSEC99-BP01" ${expected}`,
      `${P}practices[2]: unknown practice "MLOPS-99" ${expected}`,
      `${P}message: unknown placeholder {{adress}} ${available}`,
      `${P}message: unknown placeholder {{pth}} ${available}`,
      `${P}fix.cloudformation: no match clause of kind cloudformation`,
      `${P}fix.cloudformation: needs insert_attribute, insert_property or insert_argument`,
      `${P}fix.kubernetes: no match clause of kind kubernetes`,
    ]);
  });

  it('lists the problems of a rule in the order of the file, each once', () => {
    const r: Record<string, unknown> = { owner: 'me', ...with_((x) => ((x.severity = 'urgent'), (x.message = '{{adress}} {{adress}}'))) };
    r.practices = ['MLSEC99-BP01'];
    expect(problems(r)).toEqual([
      `${P}unknown key "owner"`,
      `${P}practices[0]: unknown practice "MLSEC99-BP01" (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)`,
      `${P}severity: expected one of critical, high, medium, low, info, got "urgent"`,
      `${P}message: unknown placeholder {{adress}} (available: {{address}} {{attribute}} {{actual}} {{path}} {{type}} {{name}})`,
    ]);
  });

  it('does not report what follows from a problem already reported', () => {
    // `match` is not a list: no clause, and no fix kind, is checked against it.
    expect(problems(with_((r) => ((r.match = 'terraform'), (r.fix = { terraform: { insert_attribute: 'x' } }))))).toEqual([
      `${P}match: expected array, got "terraform"`,
    ]);
    // A clause that is not a map.
    expect(problems(with_((r) => (r.match = ['terraform'])))).toEqual([`${P}match[0]: expected object, got "terraform"`]);
    // A misspelt kind: its repository predicate, its anchor and the fix for its kind are not blamed on it.
    const misspelt = with_((r) => {
      r.match = [{ kind: 'repositry', require: { tree_has: 'CODEOWNERS' }, anchor: 'aws_sagemaker_endpoint' }];
      r.fix = { terraform: { insert_attribute: 'x' } };
    });
    expect(problems(misspelt)).toEqual([expect.stringMatching(new RegExp(`^${P}match\\[0\\]\\.kind: expected one of .*, got "repositry"$`))]);
    // Arguments that are not a map.
    expect(problems(with_((r) => (clause(r).require = { count: 'x' })))).toEqual([`${P}match[0].require.count: expected object, got "x"`]);
  });

  it('reports a duplicate id even when the first rule has problems of its own', () => {
    try {
      parseRuleFile('rules/x.yaml', stringify([with_((r) => (r.severity = 'urgent')), base()]));
      expect.unreachable();
    } catch (e) {
      expect((e as RuleLoadError).problems).toEqual([
        'rules/x.yaml: rule sagemaker-endpoint-kms: severity: expected one of critical, high, medium, low, info, got "urgent"',
        'rules/x.yaml: rule sagemaker-endpoint-kms: id: duplicate id (also rule #1 of this file)',
      ]);
    }
  });

  it('accepts repository predicates in repository clauses, and regexes are compiled at load', () => {
    const r = with_((x) => {
      x.match = [
        { kind: 'repository', resource: ['aws_sagemaker_endpoint'], require: { resource_exists: ['aws_sagemaker_monitoring_schedule'] } },
        { kind: 'repository', require: { tree_has: ['.github/CODEOWNERS', 'CODEOWNERS'] } },
        { kind: 'terraform', require: { matches: { path: 'a', pattern: '^ml\\.' } } },
      ];
    });
    expect(problems(r)).toEqual([]);
  });
});

describe('catalogue', () => {
  function dir(files: Record<string, unknown[]>): string {
    const d = mkdtempSync(join(tmpdir(), 'ml-lens-rules-'));
    for (const [name, rules] of Object.entries(files)) writeFileSync(join(d, name), stringify(rules));
    return d;
  }

  it('always contains the built-in parse-error rule, with examples', () => {
    expect(pipelineRules()).toEqual([PARSE_ERROR_RULE, DUPLICATE_KEY_RULE]);
    const c = buildCatalogue([]);
    expect(c.byId.get('parse-error')).toMatchObject({ pillar: 'operational-excellence', phase: 'deployment', severity: 'medium', message: '{{path}} does not parse: {{actual}}' });
    expect(PARSE_ERROR_RULE.examples.pass.length).toBeGreaterThan(0);
    expect(PARSE_ERROR_RULE.examples.fail.length).toBeGreaterThan(0);
    expect(buildCatalogue([], { disable: ['parse-error'] }).byId.has('parse-error')).toBe(true);
  });

  it('loads built-in and extra folders, applies disable and severity, skips missing folders', () => {
    const builtin = dir({ 'a.yaml': [base()], 'practices.yaml': [{ id: 'not-a-rule' }] });
    const extra = dir({ 'custom.yml': [with_((r) => (r.id = 'team-rule'))] });
    const c = loadCatalogue({ builtinDir: builtin, extraDirs: [extra, join(extra, 'missing')], severity: { 'team-rule': 'low' } });
    expect(c.rules.map((r) => r.id)).toEqual(['parse-error', 'duplicate-key', 'sagemaker-endpoint-kms', 'team-rule']);
    expect(c.byId.get('team-rule')!.severity).toBe('low');
    expect(c.byId.get('team-rule')!.source).toBe(`${extra}/custom.yml`);
    expect(loadCatalogue({ builtinDir: builtin, disable: ['sagemaker-endpoint-kms'] }).rules.map((r) => r.id)).toEqual(['parse-error', 'duplicate-key']);
    // The duplicate-key finding may be turned off; parse-error may not.
    expect(loadCatalogue({ builtinDir: builtin, disable: ['duplicate-key', 'sagemaker-endpoint-kms', 'parse-error'] }).rules.map((r) => r.id)).toEqual(['parse-error']);
  });

  it('rejects a rule id defined twice across files, naming both', () => {
    const builtin = dir({ 'a.yaml': [base()] });
    const extra = dir({ 'b.yaml': [base(), with_((r) => (r.id = 'parse-error'))] });
    expect(() => loadCatalogue({ builtinDir: builtin, extraDirs: [extra] })).toThrow(
      [
        `${extra}/b.yaml: rule sagemaker-endpoint-kms: id: duplicate id (also defined in ${builtin}/a.yaml)`,
        `${extra}/b.yaml: rule parse-error: id: duplicate id (a built-in rule)`,
      ].join('\n'),
    );
  });

  it('collects problems across files', () => {
    const builtin = dir({ 'a.yaml': [with_((r) => (r.severity = 'x'))], 'b.yaml': [with_((r) => ((r.id = 'b-rule'), (r.pillar = 'y')))] });
    mkdirSync(join(builtin, 'sub'));
    try {
      loadCatalogue({ builtinDir: builtin });
      expect.unreachable();
    } catch (e) {
      expect((e as RuleLoadError).problems.map((p) => p.replace(builtin, 'B'))).toEqual([
        'B/a.yaml: rule sagemaker-endpoint-kms: severity: expected one of critical, high, medium, low, info, got "x"',
        'B/b.yaml: rule b-rule: pillar: expected one of operational-excellence, security, reliability, performance-efficiency, cost-optimization, sustainability, got "y"',
      ]);
    }
  });

  it('loads the real catalogue', () => {
    const c = loadCatalogue();
    expect(c.rules.length).toBeGreaterThanOrEqual(17);
    for (const r of c.rules) expect(r.source).toMatch(/^(rules\/[a-z-]+\.yaml|<built-in>)$/);
  });
});

describe('messages never quote a secret', () => {
  // `rules.custom` can point at any folder of the repository, and its files may hold anything.
  const TOKEN = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const HOSTILE: Record<string, string> = {
    'a bare token': `${TOKEN}\n`,
    'an environment file': `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n`,
    '/proc/self/environ': `HOME=/root\0AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\0GITHUB_TOKEN=${TOKEN}\0`,
    'binary junk': `\x00\x01\x02\xff\xfe${TOKEN}\x07\x1b[31m\n`,
    'a NUL byte': `- \0${TOKEN}\n`,
    'a list of tokens': `- ${TOKEN}\n- ${AWS_SECRET}\n`,
    'a block scalar header': `|${TOKEN}\n  x\n`,
    'an unresolved alias': `- *${TOKEN}\n`,
    'an unexpected token': `- ]${TOKEN}\n`,
    'an unresolvable tag': `- !x!${TOKEN} a\n`,
    'a YAML version': `%YAML ${TOKEN}\n---\n- a\n`,
    'an escape sequence': `- "\\U${TOKEN}"\n`,
    'a duplicate !!omap key': `- !!omap [ {${TOKEN}: 1}, {${TOKEN}: 2} ]\n`,
  };

  function loadProblems(f: () => unknown): string[] {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleLoadError);
      return (e as RuleLoadError).problems;
    }
    throw new Error('expected a RuleLoadError');
  }

  function expectNoLeak(lines: string[]): void {
    for (const line of lines) {
      expect(line).not.toMatch(/A1b2|wJalrX|EXAMPLEKEY|AKIAIOSF/);
      expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    }
  }

  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`a rule file holding ${name}`, () => {
      expectNoLeak(loadProblems(() => parseRuleFile('.github/ml-lens/rules/x.yaml', text)));
      const d = mkdtempSync(join(tmpdir(), 'ml-lens-rules-'));
      writeFileSync(join(d, 'x.yaml'), text);
      expectNoLeak(loadProblems(() => loadCatalogue({ extraDirs: [d] })));
    });
  }

  it('a document that is not a list of rules is named by its type only', () => {
    expect(loadProblems(() => parseRuleFile('r.yaml', `${TOKEN}\n`))).toEqual(['r.yaml: expected a list of rules, got a string']);
    expect(loadProblems(() => parseRuleFile('r.yaml', `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`))).toEqual(['r.yaml: expected a list of rules, got a string']);
    expect(loadProblems(() => rulesFromData('r.yaml', 'short'))).toEqual(['r.yaml: expected a list of rules, got a string']);
    expect(loadProblems(() => rulesFromData('r.yaml', 42))).toEqual(['r.yaml: expected a list of rules, got a number']);
    expect(loadProblems(() => rulesFromData('r.yaml', true))).toEqual(['r.yaml: expected a list of rules, got a boolean']);
    expect(loadProblems(() => rulesFromData('r.yaml', { id: TOKEN }))).toEqual(['r.yaml: expected a list of rules, got a map']);
  });

  it('a value under an offending key is quoted only when short and printable', () => {
    const lines = loadProblems(() =>
      rulesFromData('r.yaml', [
        TOKEN,
        with_((r) => {
          r.severity = TOKEN;
          r.practices = [AWS_SECRET];
          r.pillar = 'sec\u001b[2J';
          clause(r).kind = TOKEN;
          clause(r).require = { greater_than: { path: 'a', value: AWS_SECRET } };
        }),
        with_((r) => (r.id = `${TOKEN}_x`)),
      ]),
    );
    expectNoLeak(lines);
    expect(lines).toEqual([
      'r.yaml: rule #1: expected object, got a string of 40 characters',
      'r.yaml: rule sagemaker-endpoint-kms: practices[0]: unknown practice a string of 40 characters (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)',
      expect.stringMatching(/^r\.yaml: rule sagemaker-endpoint-kms: pillar: expected one of .*, got a string of 7 characters$/),
      expect.stringMatching(/^r\.yaml: rule sagemaker-endpoint-kms: severity: expected one of .*, got a string of 40 characters$/),
      expect.stringMatching(/^r\.yaml: rule sagemaker-endpoint-kms: match\[0\]\.kind: expected one of .*, got a string of 40 characters$/),
      'r.yaml: rule sagemaker-endpoint-kms: match[0].require.greater_than.value: expected number, got a string of 40 characters',
      'r.yaml: rule #3: id: must be kebab-case (lower-case letters and digits joined by single hyphens), got a string of 42 characters',
    ]);
  });

  it('an offending key is kept on one line', () => {
    expect(problems(with_((r) => (r['own\ner\u001b[2J'] = 'me')))).toEqual([`${P}unknown key "own\\u000aer\\u001b[2J"`]);
    expect(problems(with_((r) => (clause(r).require = { 'pres\nent': 'a' })))).toEqual([`${P}match[0].require: unknown predicate "pres\\u000aent"`]);
  });

  it('a YAML syntax error keeps the parser\'s words and its line', () => {
    expect(loadProblems(() => parseRuleFile('r.yaml', `- a\n- |${TOKEN}\n  x\n`))).toEqual(['r.yaml: YAML: Block scalar header includes extra characters (line 2)']);
    expect(loadProblems(() => parseRuleFile('r.yaml', `- ]${TOKEN}\n`))).toEqual(['r.yaml: YAML: Unexpected flow-seq-end token in YAML stream (line 1)']);
    expect(loadProblems(() => parseRuleFile('r.yaml', `- *${TOKEN}\n`))).toEqual(['r.yaml: YAML: Unresolved alias (the anchor must be set before the alias)']);
  });
});
