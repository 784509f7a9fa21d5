import { describe, expect, it } from 'vitest';
import type { ContextDocuments } from '../../src/context-index.js';
import { entry, parseYaml } from '../../src/formats/tree.js';
import type { Document, Kind, MatchClause, Node, Rule, Target } from '../../src/model.js';
import { enclosingTargets, evaluateDocument, evaluateRepository, formatMessage } from '../../src/rules/evaluate.js';

/** A document whose targets are the entries of its top-level `resources` map, typed by `type:`. */
function doc(kind: Kind, path: string, text: string): Document {
  const root = parseYaml(text)[0]!;
  const res = entry(root, 'resources')?.value;
  const targets: Target[] = [];
  if (res?.type === 'map') {
    for (const e of res.entries) {
      const type = entry(e.value, 'type')?.value;
      targets.push({
        type: type?.type === 'scalar' ? String(type.value) : '?',
        name: e.key,
        address: `${kind}.${e.key}`,
        node: e.value,
        startLine: e.keyLine,
        endLine: e.value.endLine,
      });
    }
  }
  return { kind, path, root, targets, lines: text.split('\n').length - 1 };
}

/** Unchanged files' documents, as the review's context index gives them. */
const contextOf = (documents: Document[]): ContextDocuments => ({ holding: () => documents });

function rule(match: MatchClause[], message = '{{address}}: {{attribute}} is {{actual}}'): Rule {
  return {
    id: 'test-rule',
    title: 'Test',
    practices: ['MLSEC02-BP01'],
    pillar: 'security',
    phase: 'deployment',
    severity: 'high',
    match,
    message,
    remediation: 'Fix it.',
    examples: { pass: [], fail: [] },
    source: 'test',
  };
}

const tf = doc(
  'terraform',
  'main.tf',
  `resources:
  good:
    type: aws_x
    kms: arn:key
    size: 3
  bad:
    type: aws_x
    size: 1
  symbolic:
    type: aws_x
    kms: null
    size: !expr var.size
  other:
    type: aws_y
    variants:
      - {n: 1}
      - {m: 2}
`,
);

const outcomes = (evs: { address: string; outcome: string; uncertain?: boolean }[]): string[] =>
  evs.map((e) => `${e.address} ${e.outcome}${e.uncertain ? '?' : ''}`);

describe('evaluateDocument', () => {
  it('evaluates each target of the listed types, of the clause kind only', () => {
    const r = rule([
      { kind: 'terraform', resource: ['aws_x'], require: { present: 'kms' } },
      { kind: 'cloudformation', resource: ['aws_y'], require: { present: 'kms' } },
    ]);
    expect(outcomes(evaluateDocument([r], tf))).toEqual(['terraform.good pass', 'terraform.bad fail', 'terraform.symbolic fail']);
  });

  it('treats a Terraform null as absent', () => {
    const [, , sym] = evaluateDocument([rule([{ kind: 'terraform', resource: ['aws_x'], require: { present: 'kms' } }])], tf);
    expect(sym).toMatchObject({ outcome: 'fail', attribute: 'kms', actual: 'absent' });
  });

  it('anchors a missing attribute on the target first line and says it is missing', () => {
    const [, bad] = evaluateDocument([rule([{ kind: 'terraform', resource: ['aws_x'], require: { present: 'kms' } }])], tf);
    expect(bad).toMatchObject({
      path: 'main.tf',
      address: 'terraform.bad',
      outcome: 'fail',
      startLine: 6,
      endLine: 6,
      attribute: 'kms',
      actual: 'absent',
      missing: true,
      targetSpan: { startLine: 6, endLine: 8 },
      targetType: 'aws_x',
      targetName: 'bad',
    });
  });

  it('anchors a failing value on its lines, and a missing attribute of a list item on the item', () => {
    const r = rule([{ kind: 'terraform', resource: ['aws_x'], require: { greater_than: { path: 'size', value: 2 } } }]);
    const bad = evaluateDocument([r], tf)[1]!;
    expect(bad).toMatchObject({ outcome: 'fail', startLine: 8, endLine: 8, attribute: 'size', actual: '1' });
    expect(bad.missing).toBeUndefined();
    const each = rule([{ kind: 'terraform', resource: ['aws_y'], require: { each: { path: 'variants', require: { present: 'n' } } } }]);
    const [other] = evaluateDocument([each], tf);
    expect(other).toMatchObject({ outcome: 'fail', attribute: 'variants[1].n', startLine: 17, endLine: 17 });
    expect(other!.missing).toBeUndefined();
  });

  it('maps unknown to pass by default, or to fail when the clause says so, and flags it', () => {
    const clause: MatchClause = { kind: 'terraform', resource: ['aws_x'], require: { greater_than: { path: 'size', value: 2 } } };
    expect(outcomes(evaluateDocument([rule([clause])], tf))).toEqual(['terraform.good pass', 'terraform.bad fail', 'terraform.symbolic pass?']);
    const strict = evaluateDocument([rule([{ ...clause, unknown: 'fail' }])], tf)[2]!;
    expect(strict).toMatchObject({ outcome: 'fail', uncertain: true, startLine: 12, endLine: 12, actual: '!expr var.size' });
    expect(strict.missing).toBeUndefined();
  });

  it('only evaluates targets for which `where` definitely holds', () => {
    const r = rule([{ kind: 'terraform', resource: ['aws_x'], where: { greater_than: { path: 'size', value: 2 } }, require: { present: 'kms' } }]);
    expect(outcomes(evaluateDocument([r], tf))).toEqual(['terraform.good pass']);
  });

  it('evaluates a clause without resource on the whole document, with the document-level address', () => {
    const r = rule([{ kind: 'terraform', require: { present: 'resources.good' } }]);
    expect(evaluateDocument([r], tf)).toMatchObject([{ address: 'terraform', outcome: 'pass', startLine: 1, endLine: 17, targetType: 'terraform' }]);
    const wf = doc('github-workflow', '.github/workflows/x.yml', 'on: push\njobs: {}\n');
    expect(evaluateDocument([rule([{ kind: 'github-workflow', require: { present: 'permissions' } }])], wf)).toMatchObject([
      { address: 'workflow', outcome: 'fail', startLine: 1, endLine: 1, missing: true },
    ]);
  });

  it('makes one evaluation of several clauses reaching the same target', () => {
    const r = rule([
      { kind: 'terraform', resource: ['aws_x'], require: { present: 'size' } },
      { kind: 'terraform', resource: ['aws_x'], require: { present: 'kms' } },
    ]);
    expect(outcomes(evaluateDocument([r], tf))).toEqual(['terraform.good pass', 'terraform.bad fail', 'terraform.symbolic fail']);
  });

  it('ignores repository clauses', () => {
    expect(evaluateDocument([rule([{ kind: 'repository', resource: ['aws_x'], require: { present: 'kms' } }])], tf)).toEqual([]);
  });
});

describe('evaluateRepository', () => {
  const schedule = doc('terraform', 'monitoring.tf', 'resources:\n  s:\n    type: aws_sagemaker_monitoring_schedule\n');
  const endpoint = doc('terraform', 'endpoint.tf', 'resources:\n  e:\n    type: aws_sagemaker_endpoint\n  f:\n    type: aws_sagemaker_endpoint\n');
  const monitored = rule([
    { kind: 'repository', resource: ['aws_sagemaker_endpoint'], require: { resource_exists: 'aws_sagemaker_monitoring_schedule' } },
  ]);

  it('evaluates each target of the changed documents only, anchored on it', () => {
    const evs = evaluateRepository([monitored], { tree: [], context: contextOf([schedule]), changed: [endpoint], contextComplete: true });
    expect(evs).toMatchObject([
      { address: 'terraform.e', outcome: 'pass', path: 'endpoint.tf', startLine: 2, endLine: 3 },
      { address: 'terraform.f', outcome: 'pass', startLine: 4 },
    ]);
    const old = doc('terraform', 'old.tf', 'resources:\n  old:\n    type: aws_sagemaker_endpoint\n');
    expect(evaluateRepository([monitored], { tree: [], context: contextOf([old]), changed: [schedule], contextComplete: true })).toEqual([]);
  });

  it('counts the changed documents as part of the repository', () => {
    const both = doc('terraform', 'x.tf', 'resources:\n  e:\n    type: aws_sagemaker_endpoint\n  s:\n    type: aws_sagemaker_monitoring_schedule\n');
    expect(outcomes(evaluateRepository([monitored], { tree: [], changed: [both], contextComplete: true }))).toEqual(['terraform.e pass']);
  });

  it('is unknown (pass, flagged) when nothing is found in an incomplete context, a failure in a complete one', () => {
    const input = { tree: [], changed: [endpoint] };
    expect(outcomes(evaluateRepository([monitored], { ...input, contextComplete: false }))).toEqual(['terraform.e pass?', 'terraform.f pass?']);
    const evs = evaluateRepository([monitored], { ...input, contextComplete: true });
    expect(evs[0]).toMatchObject({ outcome: 'fail', startLine: 2, endLine: 2, actual: 'no aws_sagemaker_monitoring_schedule found' });
  });

  it('without resource: one evaluation at line 1 of the first changed document, none without a change', () => {
    const owners = rule([{ kind: 'repository', require: { tree_has: ['CODEOWNERS', '.github/CODEOWNERS'] } }], '{{path}} {{address}} {{actual}}');
    const input = { tree: ['src/a.py', 'infra/x.tf'], contextComplete: true };
    const evs = evaluateRepository([owners], { ...input, changed: [endpoint, schedule] });
    expect(evs).toMatchObject([{ address: 'repository', path: 'endpoint.tf', outcome: 'fail', startLine: 1, endLine: 1 }]);
    expect(formatMessage(owners, evs[0]!)).toBe('endpoint.tf repository no file matches CODEOWNERS, .github/CODEOWNERS');
    expect(evaluateRepository([owners], { ...input, tree: ['.github/CODEOWNERS'], changed: [endpoint] })).toMatchObject([{ outcome: 'pass' }]);
    expect(evaluateRepository([owners], { ...input, changed: [] })).toEqual([]);
  });

  it('with anchor: one evaluation on the first changed target of those types, none when the change has none', () => {
    const budget = rule([{ kind: 'repository', anchor: ['aws_sagemaker_endpoint'], require: { resource_exists: 'aws_budgets_budget' } }]);
    const input = { tree: [], contextComplete: true };
    const evs = evaluateRepository([budget], { ...input, changed: [schedule, endpoint] });
    expect(evs).toMatchObject([{ address: 'repository', path: 'endpoint.tf', outcome: 'fail', startLine: 2, endLine: 2 }]);
    expect(evaluateRepository([budget], { ...input, changed: [schedule] })).toEqual([]);
  });
});

describe('formatMessage', () => {
  it('fills every placeholder, with overrides, and leaves unknown ones', () => {
    const r = rule([], '{{ address }} | {{attribute}} | {{actual}} | {{path}} | {{type}} | {{name}} | {{other}} | {{extra}}');
    const ev = {
      rule: r,
      path: 'main.tf',
      address: 'aws_x.a',
      outcome: 'fail' as const,
      startLine: 1,
      endLine: 1,
      attribute: 'kms',
      actual: 'absent',
      targetType: 'aws_x',
      targetName: 'a',
    };
    expect(formatMessage(r, ev, { extra: 'E' })).toBe('aws_x.a | kms | absent | main.tf | aws_x | a | {{other}} | E');
    expect(formatMessage(rule([], '{{attribute}}{{actual}}!'), { ...ev, attribute: undefined, actual: undefined } as never)).toBe('!');
  });

  it('does not interpret values as templates', () => {
    const r = rule([], '{{actual}}');
    expect(formatMessage(r, { rule: r, path: 'p', address: 'A', outcome: 'fail', startLine: 1, endLine: 1, actual: '{{address}} $& $1' })).toBe('{{address}} $& $1');
  });
});

describe('roots: $document, $parent, $name', () => {
  /** Targets nested in targets, as a SageMaker pipeline's steps in Condition branches. */
  const pipeline = ((): Document => {
    const text = `Steps:
  - Name: Train
    Type: Training
  - Name: Gate
    Type: Condition
    Arguments:
      IfSteps:
        - Name: Register
          Type: RegisterModel
  - Name: RegisterUngated
    Type: RegisterModel
PipelineExperimentConfig: {ExperimentName: x}
`;
    const root = parseYaml(text)[0]!;
    const targets: Target[] = [];
    const walk = (steps: Node | undefined): void => {
      if (steps?.type !== 'list') return;
      for (const s of steps.items) {
        const name = entry(s, 'Name')!.value as { value: string };
        const type = entry(s, 'Type')!.value as { value: string };
        targets.push({ type: type.value, name: name.value, address: name.value, node: s, startLine: s.startLine, endLine: s.endLine });
        walk(entry(entry(s, 'Arguments')?.value, 'IfSteps')?.value);
      }
    };
    walk(entry(root, 'Steps')!.value);
    return { kind: 'sagemaker-pipeline', path: 'p.yaml', root, targets, lines: 12 };
  })();

  it('finds the enclosing target of nested targets, once per document', () => {
    const parents = enclosingTargets(pipeline);
    const byName = new Map(pipeline.targets.map((t) => [t.name, t.node]));
    expect(parents.get(byName.get('Register')!)).toBe(byName.get('Gate'));
    expect(parents.has(byName.get('RegisterUngated')!)).toBe(false);
    expect(parents.size).toBe(1);
  });

  it('evaluates $parent per target, and never marks an attribute found missing outside the target as insertable', () => {
    const gated = rule([{ kind: 'sagemaker-pipeline', resource: ['RegisterModel'], require: { equals: { path: '$parent.Type', value: 'Condition' } } }]);
    const evs = evaluateDocument([gated], pipeline);
    expect(outcomes(evs)).toEqual(['Register pass', 'RegisterUngated fail']);
    expect(evs[1]).toMatchObject({ attribute: '$parent.Type', actual: 'absent', startLine: 10 });
    expect(evs[1]!.missing).toBeUndefined();
    const lineage = rule([{ kind: 'sagemaker-pipeline', resource: ['Training'], require: { present: '$document.PipelineExperimentConfig.TrialName' } }]);
    const [train] = evaluateDocument([lineage], pipeline);
    expect(train).toMatchObject({ outcome: 'fail', attribute: 'PipelineExperimentConfig.TrialName', startLine: 2 });
    expect(train!.missing).toBeUndefined();
  });

  it('shares document-rooted verdicts between targets, except those that read $parent', () => {
    const counted = rule([{ kind: 'sagemaker-pipeline', resource: ['RegisterModel'], require: { count: { path: '$document.Steps.**', where: { equals: { path: 'Type', value: 'Training' } }, min: 1 } } }]);
    expect(outcomes(evaluateDocument([counted], pipeline))).toEqual(['Register pass', 'RegisterUngated pass']);
    // Reads the target's parent inside: evaluated per target.
    const perTarget = rule([
      { kind: 'sagemaker-pipeline', resource: ['RegisterModel'], require: { each: { path: '$document.PipelineExperimentConfig', require: { present: '$parent.Type' } } } },
    ]);
    expect(outcomes(evaluateDocument([perTarget], pipeline))).toEqual(['Register pass', 'RegisterUngated fail']);
  });

  it('gives $name the target name, and none to a document-level clause', () => {
    const named = rule([{ kind: 'sagemaker-pipeline', resource: ['RegisterModel'], require: { matches: { path: '$name', pattern: 'Ungated' } } }]);
    expect(outcomes(evaluateDocument([named], pipeline))).toEqual(['Register fail', 'RegisterUngated pass']);
    const whole = rule([{ kind: 'sagemaker-pipeline', require: { absent: '$name' } }]);
    expect(outcomes(evaluateDocument([whole], pipeline))).toEqual(['pipeline pass']);
  });
});
