/**
 * Property-based fuzzing of the inline suppression scanner (comments.ts through scanInline): it
 * never throws, stays linear on hostile input, never takes a marker inside a string, heredoc,
 * block scalar or code block for a suppression, and always finds one inside a real comment
 * (documents are built from chunks of both, so the lexers' way back from each context is tested).
 * For Terraform, the comments found agree with the tree-sitter parse the format module runs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Language, Parser, type Node as TsNode } from 'web-tree-sitter';
import { commentSyntaxOf, FORMATS } from '../../src/formats/index.js';
import { KINDS, type Kind } from '../../src/model.js';
import { scanInline } from '../../src/suppress.js';

const RULE = 'sagemaker-endpoint-kms';
const known = new Set([RULE]);
const today = '2026-11-28';
const MARK = `ml-lens:ignore ${RULE}`;

const scan = (kind: Kind, text: string) => scanInline(commentSyntaxOf(kind, 'f'), 'f', text, known, today);
const lineCount = (text: string) => text.split('\n').length;

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const reason = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));

/** Text in which `pick` chooses pieces among `pieces` (a marker is one of them). */
const textOf = (pieces: string[], maxLength = 8) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((p) => p.join(''));

/** A document and the lines where a real comment carries a marker. */
interface Doc {
  text: string;
  lines: number[];
}

/** A chunk of a document: its text and, for a real comment, the marker's line within it (0-based). */
interface Chunk {
  text: string;
  at?: number;
}

const real = (text: string, at = 0): Chunk => ({ text, at });
const hostile = (text: string): Chunk => ({ text });

function assemble(chunks: Chunk[], separator: string, prefix = ''): Doc {
  let text = prefix;
  const lines: number[] = [];
  chunks.forEach((c, i) => {
    if (i > 0) text += separator;
    if (c.at !== undefined) lines.push(lineCount(text) + c.at);
    text += c.text;
  });
  return { text: text + '\n', lines };
}

const doc = (chunk: fc.Arbitrary<Chunk>, separator: string, prefix: fc.Arbitrary<string> = fc.constant('')) =>
  fc.tuple(fc.array(chunk, { minLength: 1, maxLength: 10 }), prefix).map(([cs, p]) => assemble(cs, separator, p));

function expectLines(kind: Kind, d: Doc): void {
  const s = scan(kind, d.text);
  expect(s.problems).toEqual([]);
  expect(s.suppressions.map((x) => x.line)).toEqual(d.lines);
}

// ---------------------------------------------------------------------------------------------
// Terraform
// ---------------------------------------------------------------------------------------------

/** Pieces of a quoted template that keep it open: escapes, literal `$${`, holes nesting strings. */
const QUOTED = [' ', 'a', '#', '//', '/*', '*/', '<<EOF', "'", '\\"', '\\\\', '$${', '%%{', '$$', '${var.a}', '${f("}")}', '${ {a = "#"}["a"] }', '%{ if true }x%{ endif }', '<!--', '{', '}', MARK];
/** Lines of a heredoc body; none holds only the identifier. */
const HEREDOC = [' ', 'x', '#', '// ', '/* ', '"', "'", '<<EOF', 'EOTX', 'x EOT', '$${', '${"}"}', '${ <<-IN\n  # x\n  IN\n}', '{', '}', MARK];

const hclChunk: fc.Arbitrary<Chunk> = fc.oneof(
  textOf(QUOTED).map((s) => hostile(`a = "${s}"`)),
  fc.tuple(fc.array(textOf(HEREDOC), { maxLength: 4 }), fc.constantFrom('<<EOT', '<<-EOT'), fc.constantFrom('', '  ')).map(([lines, op, indent]) =>
    hostile(`b = ${op}\n${[...lines, `# ${MARK} x`].join('\n')}\n${indent}EOT`),
  ),
  reason.map((r) => real(`# ${MARK} ${r}`)),
  reason.map((r) => real(`c = "x" // ${MARK} ${r}`)),
  fc.tuple(textOf(QUOTED), reason).map(([s, r]) => real(`d = "${s}" # ${MARK} ${r}`)),
  reason.map((r) => real(`/* one\n  ${MARK} ${r} */`, 1)),
  fc.tuple(textOf(QUOTED), reason).map(([s, r]) => real(`e "x" {\n  f = "${s}" /* ${MARK} ${r} */\n}`, 1)),
);

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

const DQ = [' ', 'a', '#', ' #', ':', "'", '\\"', '\\\\', '|', '>', '- ', '[', '{', MARK];
const SQ = [' ', 'a', '#', ' #', ':', '"', "''", '\\', '|', '- ', '[', MARK];
const BLOCK = [' ', '  ', '\t', 'a', '#', ' #', ':', '"', "'", '- ', '---', '...', '|', '>', '[', '}', MARK];

const yamlChunk: fc.Arbitrary<Chunk> = fc.oneof(
  textOf(DQ).map((s) => hostile(`k: "${s}"`)),
  fc.tuple(textOf(DQ), textOf(DQ)).map(([a, b]) => hostile(`k: "${a}\n  # ${MARK} ${b}"`)),
  textOf(SQ).map((s) => hostile(`k: '${s} # ${MARK}'`)),
  fc.tuple(fc.array(textOf(BLOCK), { maxLength: 4 }), fc.constantFrom('|2', '>2-', '|2+')).map(([lines, h]) =>
    hostile(`k: ${h}\n${[...lines, `# ${MARK} x`].map((l) => `  ${l}`).join('\n')}`),
  ),
  fc.constant(hostile(`k: |\n  x\n  # ${MARK} y\n\n  # ${MARK} z`)),
  fc.constant(hostile(`k: a#b ${MARK} x`)),
  fc.constant(hostile(`k: ["# ${MARK} x", '# ${MARK} y']`)),
  fc.constant(hostile(`k: "x"# ${MARK} y`)),
  fc.constant(hostile(`--- |\n# ${MARK} x\n...`)),
  reason.map((r) => real(`# ${MARK} ${r}`)),
  reason.map((r) => real(`k: v # ${MARK} ${r}`)),
  fc.tuple(textOf(DQ), reason).map(([s, r]) => real(`k: "${s}" # ${MARK} ${r}`)),
  reason.map((r) => real(`k: | # ${MARK} ${r}\n  body`)),
  reason.map((r) => real(`k:\n  - a # ${MARK} ${r}`, 1)),
);

/** The kinds whose suppressions are YAML comments, as their modules say. */
const YAML_KINDS: Kind[] = FORMATS.filter((f) => f.comments === 'yaml').map((f) => f.kind);

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

const CODE = [' ', 'a', '<', '>', '<!--', '-->', '"', '#', '- ', '> ', MARK];

const mdChunk: fc.Arbitrary<Chunk> = fc.oneof(
  fc.tuple(fc.array(textOf(CODE), { maxLength: 3 }), fc.constantFrom('```', '~~~')).map(([lines, f]) =>
    hostile(`${f}\n${[...lines, `<!-- ${MARK} x -->`].join('\n')}\n${f}`),
  ),
  fc.constant(hostile(`Code:\n\n    <!-- ${MARK} x -->`)),
  fc.constant(hostile(`Text \`<!-- ${MARK} x -->\` and \`\`<!-- ${MARK} y -->\`\`.`)),
  fc.constant(hostile(`<div title="<!-- ${MARK} x -->" data-a='<!-- ${MARK} y -->'>\n</div>`)),
  fc.constant(hostile(`<script>\n<!-- ${MARK} x -->\n</script>`)),
  fc.constant(hostile(`![<!-- ${MARK} x -->](a.png) \\<!-- ${MARK} y -->`)),
  reason.map((r) => real(`Text <!-- ${MARK} ${r} --> more.`)),
  reason.map((r) => real(`<!-- ${MARK} ${r} -->`)),
  reason.map((r) => real(`<!--\n${MARK} ${r}\n-->`, 1)),
  reason.map((r) => real(`Line one\nline two <!-- ${MARK} ${r} -->`, 1)),
  reason.map((r) => real(`- item <!-- ${MARK} ${r} -->`)),
  reason.map((r) => real(`> quote <!-- ${MARK} ${r} -->`)),
  reason.map((r) => real(`<div>\n<!-- ${MARK} ${r} -->\n</div>`, 1)),
  reason.map((r) => real(`| a | b |\n|---|---|\n| x | <!-- ${MARK} ${r} --> |`, 2)),
);

const frontMatter = fc.constantFrom('', `---\nlicense: mit\nnote: <!-- ${MARK} x -->\n---\n`);

// ---------------------------------------------------------------------------------------------
// Tree-sitter, to check the Terraform lexer against the parser
// ---------------------------------------------------------------------------------------------

let tsParser: Parser;

beforeAll(async () => {
  await Parser.init();
  const pkg = createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json');
  const language = await Language.load(join(dirname(pkg), 'tree-sitter-terraform.wasm'));
  tsParser = new Parser();
  tsParser.setLanguage(language);
});

/** Lines holding a marker inside a comment node, or undefined when the text does not parse. */
function treeSitterMarkerLines(text: string): number[] | undefined {
  const tree = tsParser.parse(text);
  if (!tree) return undefined;
  try {
    if (tree.rootNode.hasError) return undefined;
    const lines: number[] = [];
    const visit = (n: TsNode) => {
      if (n.type === 'comment') {
        n.text.split('\n').forEach((l, i) => {
          if (l.includes(MARK)) lines.push(n.startPosition.row + 1 + i);
        });
        return;
      }
      for (const c of n.children) if (c) visit(c);
    };
    visit(tree.rootNode);
    return lines;
  } finally {
    tree.delete();
  }
}

// ---------------------------------------------------------------------------------------------

const NOISE = ['"', "'", '`', '```\n', '\\', '#', '//', '/*', '*/', '${', '%{', '}', '{', '$${', '<<EOF\n', '<<-EOF\n', 'EOF\n', '  EOF\n', '|\n', '>-\n', '--- |\n', '<!--', '-->', '<div a="', '\n', '\r', '\r\n', '\t', '\uFEFF', '\u0000', '\u001f', '\u0002', '\u0018', '😀', `${MARK} why`, ` ${MARK} why until=2027-01-01`];

describe('the inline suppression scanner', () => {
  it('never throws on arbitrary text, whatever the kind, and reports lines inside the file', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.array(fc.oneof(fc.constantFrom(...NOISE), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 40 }),
        (kind, parts) => {
          const text = parts.join('') + MARK;
          const s = scan(kind, text);
          const max = lineCount(text);
          for (const x of [...s.suppressions, ...s.problems]) {
            expect(x.line).toBeGreaterThanOrEqual(1);
            expect(x.line).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 3000, seed: 20261128 },
    );
  });

  it('finds exactly the markers of real Terraform comments', () => {
    fc.assert(
      fc.property(doc(hclChunk, '\n'), (d) => expectLines('terraform', d)),
      { numRuns: 500, seed: 1 },
    );
  });

  it('agrees with the tree-sitter parse on which Terraform markers are in comments', () => {
    let parsed = 0;
    fc.assert(
      fc.property(doc(hclChunk, '\n'), (d) => {
        const expected = treeSitterMarkerLines(d.text);
        if (!expected) return;
        parsed++;
        expect(scan('terraform', d.text).suppressions.map((x) => x.line)).toEqual(expected);
      }),
      { numRuns: 300, seed: 2 },
    );
    // The generated documents are valid HCL, so the comparison did take place.
    expect(parsed).toBeGreaterThan(250);
  });

  it('finds exactly the markers of real YAML comments', () => {
    fc.assert(
      fc.property(fc.constantFrom(...YAML_KINDS), doc(yamlChunk, '\n'), (kind, d) => expectLines(kind, d)),
      { numRuns: 500, seed: 3 },
    );
  });

  it('finds exactly the markers of HTML comments in a Markdown card', () => {
    fc.assert(
      fc.property(doc(mdChunk, '\n\n', frontMatter), (d) => expectLines('model-card', d)),
      { numRuns: 500, seed: 4 },
    );
  });

  it('finds no suppression in a marker placed in arbitrary string, heredoc, block scalar or code content', () => {
    const content = fc.string({ unit: fc.constantFrom(' ', 'a', '#', '/', '*', '<', '!', '-', '>', ':', "'", '`', '|', '\t'), maxLength: 30 });
    fc.assert(
      fc.property(content, content, (a, b) => {
        const m = `${a}# ${MARK} x ${b}`.replace(/\*\/|-->/g, '');
        const cases: [Kind, string][] = [
          ['terraform', `a = "${m}"\n`],
          ['terraform', `a = <<EOF\n${m}\n${m}\nEOF\n`],
          ['terraform', `a = "\${ "${m}" }"\n`],
          ['github-workflow', `run: |2\n  ${m}\n  ${m}\n`],
          ['kubernetes', `a: "${m.replace(/[\\"]/g, '')}"\n`],
          ['cloudformation', `a: '${m.replace(/'/g, "''")}'\n`],
          ['model-card', `\`\`\`\n${m.replace(/`/g, '')}\n<!--${m}-->\n\`\`\`\n`],
          ['model-card', `Code:\n\n    ${m}\n    <!--${m}-->\n`],
        ];
        for (const [kind, text] of cases) expect(scan(kind, text).suppressions, text).toEqual([]);
      }),
      { numRuns: 1000, seed: 5 },
    );
  });
});

describe('the inline suppression scanner on 1 MB of hostile input', () => {
  const MB = 1 << 20;
  const repeat = (unit: string) => unit.repeat(Math.ceil(MB / unit.length));
  const INPUTS: [string, Kind, string][] = [
    ['nested Terraform holes', 'terraform', repeat(`"\${"\${ # ${MARK} x\n`)],
    ['Terraform heredoc openers', 'terraform', repeat(`<<EOF\n# ${MARK} x\n`)],
    ['a Terraform heredoc with a long identifier', 'terraform', `<<${'A'.repeat(MB / 2)}\n${repeat(`${'A'.repeat(1000)}B\n`).slice(0, MB / 2)}`],
    ['Terraform comments on one line', 'terraform', repeat(`/* ${MARK} x */`)],
    ['Terraform comments on many lines', 'terraform', repeat(`# ${MARK} x\n`)],
    ['short Terraform comments', 'terraform', repeat('#\n//\n') + MARK],
    ['unterminated Terraform strings and comments', 'terraform', repeat(`"\\"/*#${MARK}`)],
    ['YAML quotes', 'kubernetes', repeat(`- "a # ${MARK} x\n`)],
    ['YAML block scalars', 'github-workflow', `run: |\n${repeat(`  # ${MARK} x\n`)}`],
    ['YAML comments', 'cloudformation', repeat(`# ${MARK} x\n`)],
    ['short YAML comments', 'dvc', repeat('#\n') + MARK],
    ['YAML flow collections', 'gitlab-ci', repeat(`[{"# ${MARK}`)],
    ['Markdown comments', 'model-card', repeat(`<!-- ${MARK} x -->\n`)],
    ['short Markdown comments', 'model-card', repeat('<!--\n-->\n') + MARK],
    ['Markdown comments in one paragraph', 'model-card', repeat(`a <!-- ${MARK} x --> `)],
    ['Markdown code spans and fences', 'model-card', repeat(`\`<!-- ${MARK} x\n\`\`\`\n`)],
    ['Markdown HTML blocks', 'model-card', repeat(`<div title="<!-- ${MARK}">\n<!-- ${MARK} x -->\n`)],
  ];

  it.each(INPUTS)('%s', (_, kind, text) => {
    const start = performance.now();
    scan(kind, text);
    const ms = performance.now() - start;
    // Generous: a quadratic scan of 1 MB takes minutes, a linear one tens of milliseconds.
    expect(ms).toBeLessThan(2000);
  });
});
