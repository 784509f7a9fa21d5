import { describe, expect, it } from 'vitest';
import { isValidDate } from '../../src/dates.js';
import { commentSyntaxOf } from '../../src/formats/index.js';
import type { Kind } from '../../src/model.js';
import { compileIgnores, inlineFor, scanInline } from '../../src/suppress.js';

const known = new Set(['sagemaker-endpoint-kms', 'notebook-root-access']);
const today = '2026-11-28';
/** The comment syntax of a kind's files, as the review picks it. */
const syntax = (kind: Kind) => commentSyntaxOf(kind, 'f');
const M = 'ml-lens:ignore sagemaker-endpoint-kms hostile';

/** A marker a contributor could place in a value: none is in a comment. */
const HOSTILE: [string, Kind, string][] = [
  ['a # in a Terraform string', 'terraform', `name = "a#b ${M}"`],
  ['a // in a Terraform string', 'terraform', `url = "https://h/ ${M}"`],
  ['a /* in a Terraform string', 'terraform', `x = "/* ${M} */"`],
  ['a string nested in an interpolation', 'terraform', `n = "\${f("}")} # ${M}"`],
  ['an escaped quote', 'terraform', `n = "\\" # ${M}"`],
  ['a Terraform heredoc', 'terraform', `p = <<EOF\n# ${M}\nEOF\n`],
  ['an indented Terraform heredoc', 'terraform', `p = <<-EOF\n  // ${M}\n  EOF\n`],
  ['a Terraform JSON string', 'terraform', `{"locals": {"a": "# ${M}"}}`],
  ['a YAML literal block scalar', 'github-workflow', `run: |\n  # ${M}\n`],
  ['a YAML folded block scalar', 'gitlab-ci', `script: >-\n  echo\n  # ${M}\n`],
  ['a YAML double-quoted scalar', 'kubernetes', `a: "x # ${M}"\n`],
  ['a YAML single-quoted scalar', 'argo-workflow', `a: 'x # ${M}'\n`],
  ['a multi-line YAML quoted scalar', 'buildspec', `a: "x\n  # ${M}"\n`],
  ['a YAML plain scalar', 'dvc', `cmd: a#b ${M}\n`],
  ['a # glued to a YAML scalar', 'mlflow-project', `a: "x"# ${M}\n`],
  ['a CloudFormation JSON string', 'cloudformation', `{"Description": "# ${M}"}`],
  ['a Markdown fenced code block', 'model-card', `\`\`\`\n<!-- ${M} -->\n\`\`\`\n`],
  ['a Markdown indented code block', 'model-card', `    <!-- ${M} -->\n`],
  ['a Markdown code span', 'model-card', `\`<!-- ${M} -->\`\n`],
  ['Markdown front matter', 'model-card', `---\na: <!-- ${M} -->\n---\n`],
  ['an HTML attribute value', 'model-card', `<div title="<!-- ${M} -->">\n</div>\n`],
  ['an escaped <', 'model-card', `\\<!-- ${M} -->\n`],
];

describe('inline suppressions', () => {
  it('reads rule, reason and expiry from a comment of the file kind', () => {
    const text = [
      'resource "aws_sagemaker_endpoint_configuration" "ec" { # ml-lens:ignore sagemaker-endpoint-kms dev only until=2027-01-31',
      '  name = "x"',
      '}',
      '// ml-lens:ignore notebook-root-access needed for GPU drivers',
    ].join('\n');
    const scan = scanInline(syntax('terraform'), 'main.tf', text, known, today);
    expect(scan.problems).toEqual([]);
    expect(scan.suppressions).toEqual([
      { line: 1, rule: 'sagemaker-endpoint-kms', reason: 'dev only', until: '2027-01-31' },
      { line: 4, rule: 'notebook-root-access', reason: 'needed for GPU drivers' },
    ]);
  });

  it('reports a missing reason, an unknown rule, a bad date and an expired entry instead of applying them', () => {
    const text = [
      '# ml-lens:ignore sagemaker-endpoint-kms',
      '# ml-lens:ignore no-such-rule because',
      '# ml-lens:ignore sagemaker-endpoint-kms why until=2027-02-30',
      '# ml-lens:ignore sagemaker-endpoint-kms old reason until=2026-01-01',
      '# ml-lens:ignore',
    ].join('\n');
    const scan = scanInline(syntax('cloudformation'), 't.yaml', text, known, today);
    expect(scan.suppressions).toEqual([]);
    expect(scan.problems.map((p) => [p.line, p.problem])).toEqual([
      [1, 'no-reason'],
      [2, 'unknown-rule'],
      [3, 'bad-date'],
      [4, 'expired'],
      [5, 'unknown-rule'],
    ]);
    expect(scan.problems[3]!.message).toContain('expired on 2026-01-01');
  });

  it('ignores the marker outside a comment, and in kinds without comments', () => {
    const yaml = 'Description: "ml-lens:ignore sagemaker-endpoint-kms text in a value"\n';
    expect(scanInline(syntax('cloudformation'), 't.yaml', yaml, known, today).suppressions).toEqual([]);
    const md = '<!-- ml-lens:ignore sagemaker-endpoint-kms card reviewed by legal -->\n';
    expect(scanInline(syntax('model-card'), 'README.md', md, known, today).suppressions).toEqual([
      { line: 1, rule: 'sagemaker-endpoint-kms', reason: 'card reviewed by legal' },
    ]);
    expect(scanInline(syntax('sagemaker-pipeline'), 'p.json', '{"a": "# ml-lens:ignore sagemaker-endpoint-kms x"}', known, today).suppressions).toEqual([]);
  });

  it.each(HOSTILE)('ignores a marker in %s', (_, kind, text) => {
    expect(scanInline(syntax(kind), 'f', text, known, today)).toEqual({ suppressions: [], problems: [] });
  });

  it('ignores markers in Terraform strings, templates and heredocs, not in the comments around them', () => {
    const text = [
      'resource "aws_sagemaker_endpoint_configuration" "ec" {',
      '  name = "a#b ml-lens:ignore sagemaker-endpoint-kms in a string"',
      '  url  = "https://x/ ml-lens:ignore sagemaker-endpoint-kms after //"',
      '  tags = { n = "${lookup(var.m, "}")} # ml-lens:ignore sagemaker-endpoint-kms after a brace in a string" }',
      '  esc  = "\\"# ml-lens:ignore sagemaker-endpoint-kms after an escaped quote\\""',
      '  lit  = "$${ # ml-lens:ignore sagemaker-endpoint-kms in a literal $${ }"',
      '  dir  = "%{ if true }# ml-lens:ignore sagemaker-endpoint-kms in a directive%{ endif }"',
      '  policy = <<EOF',
      '# ml-lens:ignore sagemaker-endpoint-kms in a heredoc',
      '  EOF is not the end here',
      '${jsonencode({ a = "}" })} // ml-lens:ignore sagemaker-endpoint-kms after an interpolation',
      '  EOF',
      '  script = <<-SH',
      '    # ml-lens:ignore sagemaker-endpoint-kms in an indented heredoc',
      '    SH',
      '  # ml-lens:ignore notebook-root-access after the heredocs',
      '  /* multi-line',
      '     ml-lens:ignore sagemaker-endpoint-kms in a block comment */ kms_key_arn = "k"',
      '}',
    ].join('\n');
    const scan = scanInline(syntax('terraform'), 'main.tf', text, known, today);
    expect(scan.problems).toEqual([]);
    expect(scan.suppressions).toEqual([
      { line: 16, rule: 'notebook-root-access', reason: 'after the heredocs' },
      { line: 18, rule: 'sagemaker-endpoint-kms', reason: 'in a block comment' },
    ]);
  });

  it('ignores markers in YAML block and quoted scalars, counts the comments of the YAML', () => {
    const text = [
      'jobs:',
      '  train:',
      '    steps:',
      '      - run: |',
      '          # ml-lens:ignore sagemaker-endpoint-kms in a literal block',
      '          python train.py',
      '      - run: >-',
      '          # ml-lens:ignore sagemaker-endpoint-kms in a folded block',
      '      - name: "a # ml-lens:ignore sagemaker-endpoint-kms in a double-quoted scalar"',
      "      - name: 'a # ml-lens:ignore sagemaker-endpoint-kms in a single-quoted scalar'",
      '      - name: "over two lines',
      '          # ml-lens:ignore sagemaker-endpoint-kms in a multi-line quoted scalar"',
      '      - name: a#b ml-lens:ignore sagemaker-endpoint-kms in a plain scalar',
      '      - name: "x"# ml-lens:ignore sagemaker-endpoint-kms glued to a scalar',
      '      - run: | # ml-lens:ignore notebook-root-access header comment of a block scalar',
      '          make',
      '    # ml-lens:ignore sagemaker-endpoint-kms own line',
      '--- |',
      '# ml-lens:ignore sagemaker-endpoint-kms block scalar at indentation 0',
    ].join('\n');
    const scan = scanInline(syntax('github-workflow'), '.github/workflows/t.yml', text, known, today);
    expect(scan.problems).toEqual([]);
    expect(scan.suppressions).toEqual([
      { line: 15, rule: 'notebook-root-access', reason: 'header comment of a block scalar' },
      { line: 17, rule: 'sagemaker-endpoint-kms', reason: 'own line' },
    ]);
    const json = '{\n  "Description": "# ml-lens:ignore sagemaker-endpoint-kms in a JSON string"\n}\n';
    expect(scanInline(syntax('cloudformation'), 't.json', json, known, today)).toEqual({ suppressions: [], problems: [] });
  });

  it('counts only HTML comments of a Markdown card, on the line of the marker', () => {
    const text = [
      '---',
      'description: <!-- ml-lens:ignore sagemaker-endpoint-kms in front matter -->',
      '---',
      '# Model card',
      '',
      '```',
      '<!-- ml-lens:ignore sagemaker-endpoint-kms in a fenced block -->',
      '```',
      '',
      '    <!-- ml-lens:ignore sagemaker-endpoint-kms in an indented block -->',
      '',
      'Text `<!-- ml-lens:ignore sagemaker-endpoint-kms in a code span -->` and',
      '<!-- ml-lens:ignore notebook-root-access inline comment -->',
      '',
      '<div title="<!-- ml-lens:ignore sagemaker-endpoint-kms in an attribute -->">',
      '<!--',
      '  ml-lens:ignore sagemaker-endpoint-kms second line of a comment',
      '-->',
      '</div>',
      '',
      '![<!-- ml-lens:ignore sagemaker-endpoint-kms in an image description -->](x.png)',
    ].join('\n');
    const scan = scanInline(syntax('model-card'), 'README.md', text, known, today);
    expect(scan.problems).toEqual([]);
    expect(scan.suppressions).toEqual([
      { line: 13, rule: 'notebook-root-access', reason: 'inline comment' },
      { line: 17, rule: 'sagemaker-endpoint-kms', reason: 'second line of a comment' },
    ]);
  });

  it('covers the line above the anchor, the anchor and the target block', () => {
    const s = [{ line: 9, rule: 'r', reason: 'x' }];
    expect(inlineFor(s, 'r', { startLine: 10, endLine: 10 })).toMatchObject({ source: 'inline', line: 9 });
    expect(inlineFor(s, 'r', { startLine: 12, endLine: 12 })).toBeUndefined();
    expect(inlineFor(s, 'r', { startLine: 12, endLine: 12 }, { startLine: 8, endLine: 20 })).toBeDefined();
    expect(inlineFor(s, 'other', { startLine: 10, endLine: 10 })).toBeUndefined();
  });
});

describe('config ignores', () => {
  it('match by rule and glob, and report expired entries', () => {
    const ig = compileIgnores(
      [
        { rule: 'sagemaker-endpoint-kms', paths: ['infra/dev/**'], reason: 'dev only', until: '2027-01-31' },
        { rule: '*', paths: ['legacy/**'], reason: 'frozen' },
        { rule: 'notebook-root-access', paths: ['**'], reason: 'old', until: '2025-01-01' },
      ],
      known,
      today,
    );
    expect(ig.match('sagemaker-endpoint-kms', 'infra/dev/main.tf')).toMatchObject({ source: 'config', reason: 'dev only' });
    expect(ig.match('sagemaker-endpoint-kms', 'infra/prod/main.tf')).toBeUndefined();
    expect(ig.match('anything', 'legacy/a.tf')).toMatchObject({ reason: 'frozen' });
    expect(ig.match('notebook-root-access', 'x.tf')).toBeUndefined();
    expect(ig.problems).toHaveLength(1);
    expect(ig.problems[0]).toMatchObject({ problem: 'expired', rule: 'notebook-root-access' });
  });

  it('report an entry naming an unknown rule, with the closest known id, and do not apply it', () => {
    const ig = compileIgnores(
      [
        { rule: 'sagemaker-endpoint-kms', paths: ['a/**'], reason: 'ok' },
        { rule: 'notebook-root-access', paths: ['**'], reason: 'ok' },
        { rule: 'sagemaker-endpoint-kmss', paths: ['**'], reason: 'typo' },
        { rule: 'no-such-rule-at-all', paths: ['**'], reason: 'gone' },
      ],
      known,
      today,
      '.github/ml-lens.yaml',
    );
    expect(ig.problems).toEqual([
      {
        path: '.github/ml-lens.yaml',
        line: 0,
        rule: 'sagemaker-endpoint-kmss',
        problem: 'unknown-rule',
        message: 'ignore[2] names unknown rule "sagemaker-endpoint-kmss"; did you mean "sagemaker-endpoint-kms"?',
      },
      {
        path: '.github/ml-lens.yaml',
        line: 0,
        rule: 'no-such-rule-at-all',
        problem: 'unknown-rule',
        message: 'ignore[3] names unknown rule "no-such-rule-at-all"',
      },
    ]);
    expect(ig.match('sagemaker-endpoint-kms', 'b/main.tf')).toBeUndefined();
    expect(ig.match('sagemaker-endpoint-kmss', 'b/main.tf')).toBeUndefined();
    expect(ig.match('no-such-rule-at-all', 'b/main.tf')).toBeUndefined();
    expect(ig.match('notebook-root-access', 'b/main.tf')).toMatchObject({ reason: 'ok' });
  });

  it('validates dates strictly', () => {
    expect(isValidDate('2027-01-31')).toBe(true);
    expect(isValidDate('2027-02-30')).toBe(false);
    expect(isValidDate('27-1-1')).toBe(false);
  });
});
