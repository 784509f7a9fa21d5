import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/formats/tree.js';
import type { Document, Node, Predicate } from '../../src/model.js';
import {
  and,
  compileGlob,
  compilePattern,
  evaluatePredicate as ev,
  looseEquals,
  negate,
  or,
  PatternError,
  toNumber,
  type PredicateContext,
  type Verdict,
} from '../../src/rules/predicates.js';

const y = (text: string): Node => parseYaml(text)[0]!;

/** Marks the list under the first key as conditional, as the Terraform parser does for `dynamic` blocks. */
function markConditional(d: Node): void {
  const list = d.type === 'map' ? d.entries[0]?.value : undefined;
  if (list?.type !== 'list') throw new Error('expected a list under the first key');
  list.conditional = true;
}
const outcome = (p: Predicate, n: Node, ctx?: PredicateContext): string => ev(p, n, ctx).outcome;

const res = y(`
name: cfg
kms_key_arn: arn:aws:kms:eu-west-1:111122223333:key/abc
direct_internet_access: Enabled
root_access: !Ref RootAccess
count_str: "3"
count_num: 2
flag_str: "true"
nothing:
production_variants:
  - variant_name: a
    initial_instance_count: 2
    instance_type: ml.m5.large
  - variant_name: b
    initial_instance_count: 1
    instance_type: ml.t2.medium
sections:
  - {heading: Intended uses, level: 2}
  - {heading: Limitations, level: 2}
tags: !GetAtt X.Tags
`);

const pass: Verdict = { outcome: 'pass' };
const fail: Verdict = { outcome: 'fail' };
const unk: Verdict = { outcome: 'unknown' };

describe('Kleene logic', () => {
  it('and/or/not over pass, fail, unknown', () => {
    expect(and([pass, unk]).outcome).toBe('unknown');
    expect(and([unk, fail]).outcome).toBe('fail');
    expect(and([pass, pass]).outcome).toBe('pass');
    expect(and([]).outcome).toBe('pass');
    expect(or([fail, unk]).outcome).toBe('unknown');
    expect(or([unk, pass]).outcome).toBe('pass');
    expect(or([fail, fail]).outcome).toBe('fail');
    expect(or([]).outcome).toBe('fail');
    expect(negate(unk).outcome).toBe('unknown');
    expect(negate(pass).outcome).toBe('fail');
  });

  it('all/any/not combine predicates the same way', () => {
    const sym: Predicate = { equals: { path: 'root_access', value: 'Disabled' } };
    expect(outcome({ all: [{ present: 'name' }, sym] }, res)).toBe('unknown');
    expect(outcome({ all: [sym, { present: 'missing' }] }, res)).toBe('fail');
    expect(outcome({ any: [sym, { present: 'missing' }] }, res)).toBe('unknown');
    expect(outcome({ any: [sym, { present: 'name' }] }, res)).toBe('pass');
    expect(outcome({ not: sym }, res)).toBe('unknown');
    expect(outcome({ not: { present: 'missing' } }, res)).toBe('pass');
  });
});

describe('present / absent', () => {
  it('sees keys, symbolic values and fanned-out paths', () => {
    expect(outcome({ present: 'kms_key_arn' }, res)).toBe('pass');
    expect(outcome({ present: 'root_access' }, res)).toBe('pass'); // present, value unknown
    expect(outcome({ present: 'production_variants.instance_type' }, res)).toBe('pass');
    expect(outcome({ present: 'missing' }, res)).toBe('fail');
    expect(outcome({ absent: 'missing' }, res)).toBe('pass');
    expect(outcome({ absent: 'kms_key_arn' }, res)).toBe('fail');
  });

  it('is unknown beyond a symbolic node, not a failure', () => {
    expect(outcome({ present: 'tags.Team' }, res)).toBe('unknown');
    expect(outcome({ absent: 'tags.Team' }, res)).toBe('unknown');
  });

  it('reports the missing attribute without a node, and the offending one with its node', () => {
    expect(ev({ present: 'missing.key' }, res)).toEqual({ outcome: 'fail', attribute: 'missing.key', actual: 'absent' });
    const v = ev({ absent: 'direct_internet_access' }, res);
    expect(v).toMatchObject({ outcome: 'fail', attribute: 'direct_internet_access', actual: 'Enabled', line: 4 });
    expect(v.node?.startLine).toBe(4);
  });

  it('counts a null as absent only for Terraform', () => {
    expect(outcome({ present: 'nothing' }, res)).toBe('pass');
    expect(outcome({ present: 'nothing' }, res, { nullIsAbsent: true })).toBe('fail');
  });

  it('is unknown for nodes that exist only conditionally', () => {
    const d = y('dcc:\n  - enable_capture: true\n');
    markConditional(d);
    expect(outcome({ present: 'dcc' }, d)).toBe('unknown');
    expect(outcome({ present: 'dcc.enable_capture' }, d)).toBe('unknown');
    expect(outcome({ present: 'dcc.other' }, d)).toBe('fail');
  });
});

describe('value predicates', () => {
  it('equals compares loosely across spellings of the same value', () => {
    expect(outcome({ equals: { path: 'direct_internet_access', value: 'Enabled' } }, res)).toBe('pass');
    expect(outcome({ equals: { path: 'direct_internet_access', value: 'enabled' } }, res)).toBe('fail');
    expect(outcome({ equals: { path: 'count_str', value: 3 } }, res)).toBe('pass');
    expect(outcome({ equals: { path: 'flag_str', value: true } }, res)).toBe('pass');
    expect(outcome({ equals: { path: 'root_access', value: 'Disabled' } }, res)).toBe('unknown');
    expect(looseEquals('True', true)).toBe(true);
    expect(looseEquals(1, true)).toBe(false);
    expect(looseEquals(null, 'null')).toBe(false);
  });

  it('default decides when the attribute is absent (the API default)', () => {
    const p = (d?: string): Predicate => ({ equals: d === undefined ? { path: 'x', value: 'Disabled' } : { path: 'x', value: 'Disabled', default: d } });
    expect(ev(p('Enabled'), res)).toEqual({ outcome: 'fail', attribute: 'x', actual: 'absent (default "Enabled")' });
    expect(outcome(p('Disabled'), res)).toBe('pass');
    expect(ev(p(), res)).toEqual({ outcome: 'fail', attribute: 'x', actual: 'absent' });
    expect(outcome({ greater_than: { path: 'x', value: 1, default: 1 } }, res)).toBe('fail');
    expect(outcome({ less_than: { path: 'x', value: 10, default: 1 } }, res)).toBe('pass');
    expect(outcome({ matches: { path: 'x', pattern: '^ml\\.', default: 'ml.m5.large' } }, res)).toBe('pass');
    expect(outcome({ one_of: { path: 'x', values: ['a', 'b'], default: 'b' } }, res)).toBe('pass');
  });

  it('one_of', () => {
    expect(outcome({ one_of: { path: 'direct_internet_access', values: ['Disabled', 'Enabled'] } }, res)).toBe('pass');
    expect(outcome({ one_of: { path: 'direct_internet_access', values: ['Disabled'] } }, res)).toBe('fail');
    expect(outcome({ one_of: { path: 'root_access', values: ['Disabled'] } }, res)).toBe('unknown');
  });

  it('greater_than / less_than take numbers and numeric strings', () => {
    expect(outcome({ greater_than: { path: 'count_str', value: 2 } }, res)).toBe('pass');
    expect(outcome({ greater_than: { path: 'count_num', value: 2 } }, res)).toBe('fail');
    expect(outcome({ less_than: { path: 'count_num', value: 3 } }, res)).toBe('pass');
    expect(outcome({ less_than: { path: 'name', value: 3 } }, res)).toBe('fail'); // not a number
    expect(outcome({ greater_than: { path: 'root_access', value: 3 } }, res)).toBe('unknown');
    expect(toNumber(' 3600 ')).toBe(3600);
    expect(toNumber('1e3')).toBe(1000);
    expect(toNumber('0x10')).toBeUndefined();
    expect(toNumber('')).toBeUndefined();
  });

  it('is universal over fanned-out nodes and anchors on the first failing one', () => {
    const v = ev({ greater_than: { path: 'production_variants.initial_instance_count', value: 1 } }, res);
    expect(v).toMatchObject({ outcome: 'fail', attribute: 'production_variants[1].initial_instance_count', actual: '1', line: 15 });
  });

  it('fails a map or list where a scalar is expected', () => {
    expect(outcome({ equals: { path: 'production_variants', value: 'x' } }, res)).toBe('fail');
  });

  it('is unknown on a conditional node unless the verdict holds either way', () => {
    const d = y('dcc:\n  - enable_capture: true\n');
    markConditional(d);
    expect(outcome({ equals: { path: 'dcc.enable_capture', value: true } }, d)).toBe('unknown');
    expect(outcome({ equals: { path: 'dcc.enable_capture', value: true, default: true } }, d)).toBe('pass');
    expect(outcome({ equals: { path: 'dcc.enable_capture', value: false } }, d)).toBe('fail');
  });
});

describe('matches', () => {
  it('searches with RE2 syntax (anchor with ^ and $)', () => {
    expect(outcome({ matches: { path: 'production_variants[1].instance_type', pattern: '^ml\\.(t2|m4|c4|p2)\\.' } }, res)).toBe('pass');
    expect(outcome({ matches: { path: 'production_variants[0].instance_type', pattern: '^ml\\.(t2|m4|c4|p2)\\.' } }, res)).toBe('fail');
    expect(outcome({ matches: { path: 'kms_key_arn', pattern: 'key/' } }, res)).toBe('pass');
    expect(outcome({ matches: { path: 'count_num', pattern: '^2$' } }, res)).toBe('pass');
    expect(outcome({ matches: { path: 'name', pattern: '(?i)^CFG$' } }, res)).toBe('pass');
    expect(outcome({ matches: { path: 'root_access', pattern: '.' } }, res)).toBe('unknown');
  });

  it('finishes a catastrophic pattern on a long input in linear time', () => {
    const long = y(`v: "${'a'.repeat(200_000)}!"`);
    const t0 = performance.now();
    expect(outcome({ matches: { path: 'v', pattern: '(a+)+$' } }, long)).toBe('fail');
    expect(outcome({ matches: { path: 'v', pattern: '^(a|aa)+$' } }, long)).toBe('fail');
    expect(outcome({ matches: { path: 'v', pattern: '(a|a?)+!' } }, long)).toBe('pass');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('rejects patterns RE2 does not accept, and oversized ones', () => {
    expect(() => compilePattern('(?<=a)b')).toThrow(PatternError);
    expect(() => compilePattern('(a)\\1')).toThrow(/invalid RE2 pattern/);
    expect(() => compilePattern('(')).toThrow(/missing closing \)/);
    expect(() => compilePattern('a'.repeat(1001))).toThrow(/limit 1000/);
    expect(() => compilePattern('[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}x')).toThrow(/instructions/);
  });
});

describe('each', () => {
  const p = (min: number): Predicate => ({
    each: { path: 'production_variants', require: { greater_than: { path: 'initial_instance_count', value: min } } },
  });

  it('requires the predicate of every item and anchors on the failing item', () => {
    expect(outcome(p(0), res)).toBe('pass');
    expect(ev(p(1), res)).toMatchObject({ outcome: 'fail', attribute: 'production_variants[1].initial_instance_count', actual: '1' });
  });

  it('passes over an empty or absent list', () => {
    expect(outcome({ each: { path: 'missing', require: { present: 'x' } } }, res)).toBe('pass');
    expect(outcome({ each: { path: 'l', require: { present: 'x' } } }, y('l: []'))).toBe('pass');
  });

  it('anchors a missing attribute on its item', () => {
    const v = ev({ each: { path: 'production_variants[*]', require: { present: 'serverless_config' } } }, res);
    expect(v).toMatchObject({ outcome: 'fail', attribute: 'production_variants[0].serverless_config', line: 11 });
    expect(v.node).toBeUndefined();
  });

  it('iterates scalars with the "." path', () => {
    const d = y('images: [python:3.11, "busybox:latest"]');
    const v = ev({ each: { path: 'images', require: { not: { matches: { path: '.', pattern: ':latest$' } } } } }, d);
    expect(v).toMatchObject({ outcome: 'fail', attribute: 'images[1]', actual: 'busybox:latest' });
  });

  it('is unknown over a symbolic list and when a conditional item fails', () => {
    expect(outcome({ each: { path: 'tags', require: { present: 'x' } } }, res)).toBe('unknown');
    const d = y('v:\n  - {n: 1}\n');
    markConditional(d);
    expect(outcome({ each: { path: 'v', require: { greater_than: { path: 'n', value: 5 } } } }, d)).toBe('unknown');
    expect(outcome({ each: { path: 'v', require: { greater_than: { path: 'n', value: 0 } } } }, d)).toBe('pass');
  });
});

describe('count', () => {
  const heading = (re: string): Predicate => ({ matches: { path: 'heading', pattern: re } });

  it('counts items, optionally filtered by where', () => {
    expect(outcome({ count: { path: 'sections', where: heading('(?i)limitation'), min: 1 } }, res)).toBe('pass');
    expect(ev({ count: { path: 'sections', where: heading('(?i)license'), min: 1 } }, res)).toEqual({
      outcome: 'fail',
      attribute: 'sections',
      actual: '0',
    });
    expect(outcome({ count: { path: 'sections', max: 1 } }, res)).toBe('fail');
    expect(outcome({ count: { path: 'sections', min: 2, max: 2 } }, res)).toBe('pass');
    expect(outcome({ count: { path: 'missing', max: 0 } }, res)).toBe('pass');
  });

  it('is unknown when the items cannot all be known', () => {
    expect(outcome({ count: { path: 'tags', min: 1 } }, res)).toBe('unknown');
    expect(outcome({ count: { path: 'tags', max: 1 } }, res)).toBe('unknown');
    const d = y('s:\n  - {h: !Sub "${X}"}\n  - {h: a}\n');
    expect(outcome({ count: { path: 's', where: { equals: { path: 'h', value: 'b' } }, min: 1 } }, d)).toBe('unknown');
    expect(outcome({ count: { path: 's', where: { equals: { path: 'h', value: 'a' } }, min: 1 } }, d)).toBe('pass');
    expect(outcome({ count: { path: 's', where: { equals: { path: 'h', value: 'a' } }, max: 0 } }, d)).toBe('fail');
  });
});

describe('roots and descendants', () => {
  const wf = y(`
on:
  push:
    branches: [main]
jobs:
  train:
    env: {HF_TOKEN: hf_abc, LOG_LEVEL: debug, API_KEY: !Ref Key}
    steps:
      - run: python train.py
`);
  const job = (wf.type === 'map' && wf.entries[1]!.value.type === 'map' && wf.entries[1]!.value.entries[0]!.value) as Node;
  const ctx: PredicateContext = { roots: { document: wf, name: { value: 'train', line: 6 } } };

  it('looks at the document from a target, three-valued as anywhere else', () => {
    expect(outcome({ present: '$document.on.push' }, job, ctx)).toBe('pass');
    expect(ev({ present: '$document.on.push.paths' }, job, ctx)).toEqual({ outcome: 'fail', attribute: 'on.push.paths', actual: 'absent', outside: true });
    expect(ev({ equals: { path: '$document.on.push.branches[0]', value: 'dev' } }, job, ctx)).toMatchObject({
      outcome: 'fail',
      attribute: 'on.push.branches[0]',
      actual: 'main',
      line: 4,
      outside: true,
    });
    expect(outcome({ present: '$document.jobs.train.env.API_KEY.Arn' }, job, ctx)).toBe('unknown');
    expect(outcome({ present: '$parent.Type' }, job, ctx)).toBe('fail'); // no enclosing target
  });

  it('$name is the target name, and the map key of each item inside each/count', () => {
    expect(outcome({ matches: { path: '$name', pattern: '^train$' } }, job, ctx)).toBe('pass');
    const secretish: Predicate = {
      each: {
        path: 'env[*]',
        require: { not: { all: [{ matches: { path: '$name', pattern: '(^|_)(TOKEN|API_KEY)$' } }, { matches: { path: '.', pattern: '\\S' } }] } },
      },
    };
    // The evidence of a passing `$name` test names the item, with its key as the actual value.
    expect(ev(secretish, job, ctx)).toMatchObject({ outcome: 'fail', attribute: 'env.HF_TOKEN', actual: 'HF_TOKEN' });
    const valueFirst: Predicate = { each: { path: 'env[*]', require: { not: { all: [{ matches: { path: '.', pattern: 'hf_' } }, { matches: { path: '$name', pattern: 'TOKEN' } }] } } } };
    expect(ev(valueFirst, job, ctx)).toMatchObject({ outcome: 'fail', attribute: 'env.HF_TOKEN', actual: 'hf_abc', line: 7 });
    // The symbolic value of API_KEY alone would be unknown.
    const onlyApi: Predicate = { each: { path: 'env[*]', require: { not: { all: [{ equals: { path: '$name', value: 'API_KEY' } }, { matches: { path: '.', pattern: '\\S' } }] } } } };
    expect(outcome(onlyApi, job, ctx)).toBe('unknown');
    // List items have no name.
    expect(outcome({ each: { path: 'steps', require: { present: '$name' } } }, job, ctx)).toBe('fail');
    // $document stays the target's inside each.
    expect(outcome({ each: { path: 'steps', require: { present: '$document.on.push' } } }, job, ctx)).toBe('pass');
  });

  it('counts over the document and over ** with written attributes', () => {
    expect(ev({ count: { path: '$document.on', where: { equals: { path: '.', value: 'pull_request_target' } }, min: 1 } }, job, ctx)).toEqual({
      outcome: 'fail',
      attribute: 'on',
      actual: '0',
      outside: true,
    });
    expect(outcome({ count: { path: '$document.**.run', where: { matches: { path: '.', pattern: 'train' } }, min: 1 } }, job, ctx)).toBe('pass');
    // ** does not stop at a symbol: a value is not a container of objects.
    expect(outcome({ count: { path: '$document.**.paths', min: 1 } }, job, ctx)).toBe('fail');
  });
});

describe('repository predicates', () => {
  const doc = (path: string, types: string[]): Document => ({
    kind: 'terraform',
    path,
    root: y('{}'),
    lines: 1,
    targets: types.map((t, i) => ({ type: t, name: `r${i}`, address: `${t}.r${i}`, node: y('{}'), startLine: 1, endLine: 1 })),
  });
  const repo = (complete: boolean): PredicateContext => ({
    repo: {
      tree: ['README.md', '.github/CODEOWNERS', 'infra/main.tf'],
      documents: [doc('infra/main.tf', ['aws_sagemaker_endpoint']), doc('infra/mon.tf', ['aws_sagemaker_monitoring_schedule'])],
      contextComplete: complete,
    },
  });

  it('tree_has matches globs against the tree', () => {
    expect(outcome({ tree_has: '.github/CODEOWNERS' }, res, repo(true))).toBe('pass');
    expect(outcome({ tree_has: ['CODEOWNERS', 'docs/CODEOWNERS'] }, res, repo(true))).toBe('fail');
    expect(ev({ tree_has: '**/*.tf' }, res, repo(true))).toMatchObject({ outcome: 'pass', actual: 'infra/main.tf' });
    expect(outcome({ tree_has: '**/*.tf' }, res)).toBe('unknown'); // no repository context
  });

  it('tree_has matches in linear time and refuses extglobs', () => {
    const ctx: PredicateContext = { repo: { tree: ['a'.repeat(105), 'x/aaaaaac'], documents: [], contextComplete: true } };
    const t = performance.now();
    expect(ev({ tree_has: '**/*a*a*a*a*a*a*c' }, res, ctx)).toMatchObject({ outcome: 'pass', actual: 'x/aaaaaac' });
    expect(performance.now() - t).toBeLessThan(1000); // picomatch: 13-23 s on the first path
    expect(() => compileGlob('@(a|b)/*.tf')).toThrow(PatternError);
    expect(() => compileGlob('@(a|b)/*.tf')).toThrow(/extglobs are not supported/);
  });

  it('resource_exists looks in every document; finding nothing is unknown unless the context is complete', () => {
    expect(outcome({ resource_exists: ['aws_sagemaker_monitoring_schedule', 'AWS::SageMaker::MonitoringSchedule'] }, res, repo(false))).toBe('pass');
    expect(outcome({ resource_exists: 'aws_s3_bucket_versioning' }, res, repo(true))).toBe('fail');
    expect(outcome({ resource_exists: 'aws_s3_bucket_versioning' }, res, repo(false))).toBe('unknown');
    expect(outcome({ resource_exists: 'aws_s3_bucket_versioning' }, res)).toBe('unknown');
  });
});

describe('credential', () => {
  const env = y(`
WANDB_API_KEY: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2
TOKENIZER_REVISION: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2
SECRET_NAMES: prod/warehouse-password,prod/hf-token,prod/wandb-api-key
HF_TOKEN: \${{ secrets.HF_TOKEN }}
DB_PASSWORD: postgres
SLACK: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx
`);
  const cred = (key: string) => outcome({ credential: { path: key } }, env);

  it('reads a value as assigned to the key it sits under', () => {
    // A hex key is a credential under a secret's name, a revision under any other.
    expect(cred('WANDB_API_KEY')).toBe('pass');
    expect(cred('TOKENIZER_REVISION')).toBe('fail');
    // Names of secrets, an expression, a word: no credential.
    expect(cred('SECRET_NAMES')).toBe('fail');
    expect(cred('HF_TOKEN')).toBe('fail');
    expect(cred('DB_PASSWORD')).toBe('fail');
    // A known format needs no name.
    expect(cred('SLACK')).toBe('pass');
    expect(cred('missing')).toBe('fail');
  });

  it('takes the key from a path: the item name of each, or a sibling', () => {
    const each = (require: Predicate) => ev({ each: { path: '.', require } }, y('WANDB_API_KEY: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2\nREVISION: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2\n')).outcome;
    expect(ev({ each: { path: '[*]', require: { not: { credential: { path: '.' } } } } }, y('WANDB_API_KEY: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2\nREVISION: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2\n')).attribute).toBe('WANDB_API_KEY');
    expect(each({ not: { credential: { path: 'REVISION' } } })).toBe('pass');
    const items = y(`
- name: WANDB_API_KEY
  value: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2
- name: MODEL_REVISION
  value: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2
- name: !Ref KeyName
  value: 3f9c1b2e7d4a5f60718293a4b5c6d7e8f9a0b1c2
`);
    const list = items.type === 'list' ? items.items : [];
    expect(list.map((i) => outcome({ credential: { path: 'value', key: 'name' } }, i))).toEqual(['pass', 'fail', 'unknown']);
  });
});
