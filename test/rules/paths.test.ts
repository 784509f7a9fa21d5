import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/formats/tree.js';
import type { Node } from '../../src/model.js';
import { formatPath, parsePath, PathSyntaxError, resolvePath } from '../../src/rules/paths.js';

const y = (text: string): Node => parseYaml(text)[0]!;

/** Marks the list under the first key as conditional, as the Terraform parser does for `dynamic` blocks. */
function markConditional(d: Node): void {
  const list = d.type === 'map' ? d.entries[0]?.value : undefined;
  if (list?.type !== 'list') throw new Error('expected a list under the first key');
  list.conditional = true;
}

describe('parsePath', () => {
  it('reads keys, indexes, wildcards and quoted keys', () => {
    expect(parsePath('a.b[*].c')).toEqual([{ key: 'a' }, { key: 'b' }, { all: true }, { key: 'c' }]);
    expect(parsePath('steps[0].with.aws-access-key-id')).toEqual([{ key: 'steps' }, { index: 0 }, { key: 'with' }, { key: 'aws-access-key-id' }]);
    expect(parsePath('metadata.annotations["pipelines.kubeflow.org/spec"]')).toEqual([
      { key: 'metadata' },
      { key: 'annotations' },
      { key: 'pipelines.kubeflow.org/spec' },
    ]);
    expect(parsePath("a['x y'][2]")).toEqual([{ key: 'a' }, { key: 'x y' }, { index: 2 }]);
    expect(parsePath('Fn::If')).toEqual([{ key: 'Fn::If' }]);
    expect(parsePath('.')).toEqual([]);
  });

  it('rejects malformed paths with the reason', () => {
    const bad: [string, RegExp][] = [
      ['', /empty path/],
      ['a..b', /empty key/],
      ['a.', /ends with a dot/],
      ['a[x]', /bad index \[x\]/],
      ['a[', /unclosed/],
      ['a b', /unexpected " "/],
      ['a]', /unexpected "\]"/],
      ['a[0]b', /expected "\." or "\["/],
    ];
    for (const [p, re] of bad) {
      expect(() => parsePath(p), p).toThrow(PathSyntaxError);
      expect(() => parsePath(p), p).toThrow(re);
    }
  });

  it('formats segments back', () => {
    expect(formatPath(parsePath('a.b[*].c[2]["x.y"]'))).toBe('a.b[*].c[2]["x.y"]');
    expect(formatPath(parsePath('$document.Steps.**.Type'))).toBe('$document.Steps.**.Type');
  });

  it('reads roots and the descendant segment', () => {
    expect(parsePath('$document.on.push')).toEqual([{ root: 'document' }, { key: 'on' }, { key: 'push' }]);
    expect(parsePath('$parent.Type')).toEqual([{ root: 'parent' }, { key: 'Type' }]);
    expect(parsePath('$name')).toEqual([{ root: 'name' }]);
    expect(parsePath('Steps.**.Type')).toEqual([{ key: 'Steps' }, { descend: true }, { key: 'Type' }]);
    expect(parsePath('**[*]')).toEqual([{ descend: true }, { all: true }]);
    // Quoted, they are ordinary keys; other `$` keys are ordinary keys.
    expect(parsePath('a["$parent"]["**"]')).toEqual([{ key: 'a' }, { key: '$parent' }, { key: '**' }]);
    expect(parsePath('$schema')).toEqual([{ key: '$schema' }]);
  });

  it('rejects misplaced roots and descendant segments', () => {
    const bad: [string, RegExp][] = [
      ['a.$document.b', /may only start a path/],
      ['$name.x', /takes no further segment/],
      ['**.a.**.b', /once in a path/],
    ];
    for (const [p, re] of bad) expect(() => parsePath(p), p).toThrow(re);
  });
});

describe('resolvePath', () => {
  const doc = y(`
name: cfg
production_variants:
  - variant_name: a
    instance_type: ml.m5.large
  - variant_name: b
    instance_type: ml.t2.medium
tags:
  team: ml
  env: prod
kms: !Ref KmsKey
empty:
`);

  it('fans a key out over the items of a list, with concrete paths and key lines', () => {
    const r = resolvePath(doc, 'production_variants.instance_type');
    expect(r.blocked).toEqual([]);
    expect(r.hits.map((h) => [h.path, h.line, h.conditional])).toEqual([
      ['production_variants[0].instance_type', 5, false],
      ['production_variants[1].instance_type', 7, false],
    ]);
  });

  it('takes indexes and wildcards over lists and maps', () => {
    expect(resolvePath(doc, 'production_variants[1].variant_name').hits.map((h) => h.path)).toEqual(['production_variants[1].variant_name']);
    expect(resolvePath(doc, 'production_variants[5].variant_name').hits).toEqual([]);
    expect(resolvePath(doc, 'production_variants[*]').hits).toHaveLength(2);
    expect(resolvePath(doc, 'tags[*]').hits.map((h) => h.path)).toEqual(['tags.team', 'tags.env']);
    expect(resolvePath(doc, '.').hits[0]!.node).toBe(doc);
  });

  it('finds nothing (and is not blocked) when a key is missing or a scalar is walked into', () => {
    expect(resolvePath(doc, 'missing.x')).toEqual({ hits: [], blocked: [] });
    expect(resolvePath(doc, 'name.x')).toEqual({ hits: [], blocked: [] });
  });

  it('stops at a symbolic node: present at its own path, blocked beyond it', () => {
    const at = resolvePath(doc, 'kms');
    expect(at.hits.map((h) => h.node.type)).toEqual(['symbolic']);
    const beyond = resolvePath(doc, 'kms.Arn');
    expect(beyond.hits).toEqual([]);
    expect(beyond.blocked.map((b) => [b.path, b.reason])).toEqual([['kms', 'symbolic']]);
  });

  it('blocks on symbolic list items during fan-out', () => {
    const d = y('items:\n  - {a: 1}\n  - !If [c, {a: 2}, {a: 3}]\n');
    const r = resolvePath(d, 'items.a');
    expect(r.hits.map((h) => h.path)).toEqual(['items[0].a']);
    expect(r.blocked.map((b) => b.path)).toEqual(['items[1]']);
  });

  it('marks nodes reached through a conditional list, and blocks indexes beyond it', () => {
    const d = y('data_capture_config:\n  - enable_capture: true\n');
    markConditional(d);
    expect(resolvePath(d, 'data_capture_config.enable_capture').hits.map((h) => h.conditional)).toEqual([true]);
    expect(resolvePath(d, 'data_capture_config').hits.map((h) => h.conditional)).toEqual([true]);
    const beyond = resolvePath(d, 'data_capture_config[3].enable_capture');
    expect(beyond.hits).toEqual([]);
    expect(beyond.blocked.map((b) => b.reason)).toEqual(['conditional']);
  });

  it('treats a null value as absent only when asked (Terraform)', () => {
    expect(resolvePath(doc, 'empty').hits).toHaveLength(1);
    expect(resolvePath(doc, 'empty', { nullIsAbsent: true }).hits).toHaveLength(0);
  });

  it('** yields every map at or below, in document order, through lists, once', () => {
    const d = y(`
Steps:
  - Name: Train
    Type: Training
  - Name: Gate
    Type: Condition
    Arguments:
      IfSteps:
        - {Name: Register, Type: RegisterModel}
      ElseSteps: !Ref Hidden
`);
    const r = resolvePath(d, 'Steps.**.Name');
    expect(r.hits.map((h) => [h.path, String((h.node as { value: unknown }).value)])).toEqual([
      ['Steps[0].Name', 'Train'],
      ['Steps[1].Name', 'Gate'],
      ['Steps[1].Arguments.IfSteps[0].Name', 'Register'],
    ]);
    // Symbolic values are not containers: not entered, not reported.
    expect(r.blocked).toEqual([]);
    expect(resolvePath(d, '**.Type').hits).toHaveLength(3);
    // Last, it yields the maps themselves: the root, the steps, the Arguments map, the nested step.
    expect(resolvePath(d, '**').hits.map((h) => h.path)).toEqual(['', 'Steps[0]', 'Steps[1]', 'Steps[1].Arguments', 'Steps[1].Arguments.IfSteps[0]']);
    // [*] after ** gives every value of every map, each once.
    expect(resolvePath(d, '**[*]').hits.filter((h) => h.path.endsWith('.Name'))).toHaveLength(3);
  });

  it('** keeps conditional marks and does not enter scalars', () => {
    const d = y('blocks:\n  - {inner: {k: 1}}\nscalar: text\n');
    markConditional(d);
    expect(resolvePath(d, '**.k').hits.map((h) => [h.path, h.conditional])).toEqual([['blocks[0].inner.k', true]]);
    expect(resolvePath(d, 'scalar.**.k')).toEqual({ hits: [], blocked: [] });
  });

  it('starts at the roots it is given', () => {
    const root = y('on: {push: {branches: [main]}}\njobs: {train: {steps: []}}\n');
    const job = resolvePath(root, 'jobs.train').hits[0]!.node;
    const parent = y('Type: Condition\n');
    const roots = { document: root, parent: () => parent, name: { value: 'train', line: 2 } };
    const doc = resolvePath(job, '$document.on.push.branches', { base: 'ignored', roots });
    expect(doc.hits.map((h) => [h.path, h.outside])).toEqual([['on.push.branches', true]]);
    expect(resolvePath(job, '$parent.Type', { roots }).hits.map((h) => [h.path, h.outside])).toEqual([['$parent.Type', true]]);
    const name = resolvePath(job, '$name', { roots }).hits[0]!;
    expect([name.path, name.node, name.line]).toEqual(['$name', { type: 'scalar', value: 'train', startLine: 2, endLine: 2 }, 2]);
    // Not given: $document falls back to the start node, $parent and $name find nothing.
    expect(resolvePath(root, '$document.on').hits).toHaveLength(1);
    expect(resolvePath(job, '$parent.Type')).toEqual({ hits: [], blocked: [] });
    expect(resolvePath(job, '$name')).toEqual({ hits: [], blocked: [] });
  });

  it('tells the map key a node was reached by', () => {
    const d = y('variables: {A: 1, B: 2}\nlist: [{k: 1}]\n');
    expect(resolvePath(d, 'variables[*]').hits.map((h) => h.key)).toEqual(['A', 'B']);
    expect(resolvePath(d, 'list[*]').hits.map((h) => h.key)).toEqual([undefined]);
  });

  it('prefixes the base path', () => {
    const item = resolvePath(doc, 'production_variants[0]').hits[0]!.node;
    expect(resolvePath(item, 'instance_type', { base: 'production_variants[0]' }).hits[0]!.path).toBe('production_variants[0].instance_type');
  });
});
