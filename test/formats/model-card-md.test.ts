import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document, Node, ParseError } from '../../src/model.js';
import { markdownModelCard } from '../../src/formats/model-card-md.js';
import { dig, entry, get, items, keys, toPlain, value } from '../../src/formats/tree.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url), 'utf8');
const HF = fixture('hf-README.md');
const MITCHELL = fixture('whisper-like-model-card.md');
const PLAIN = fixture('plain-README.md');

function parse(path: string, text: string): Document {
  const r = markdownModelCard.parse(path, text);
  if (!('root' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`);
  return r;
}

/** [heading, level, heading line, text start, text end] of every section. */
function outline(doc: Document): [unknown, unknown, number, number, number][] {
  return items(get(doc.root, 'sections')).map((s: Node) => {
    const text = get(s, 'text')!;
    return [value(get(s, 'heading')), value(get(s, 'level')), get(s, 'heading')!.startLine, text.startLine, text.endLine];
  });
}

function sectionText(doc: Document, heading: string): unknown {
  const s = items(get(doc.root, 'sections')).find((n) => value(get(n, 'heading')) === heading);
  return value(get(s, 'text'));
}

describe('model-card detect', () => {
  it('accepts card file names in any case and folder', () => {
    for (const p of ['MODEL_CARD.md', 'docs/model_card.md', 'model-card.md', 'models/x/ModelCard.md']) {
      expect(markdownModelCard.detect(p, '# anything\n'), p).toBe(true);
    }
  });

  it('accepts a README with front matter or a mention of a model card', () => {
    expect(markdownModelCard.detect('models/router/README.md', HF)).toBe(true);
    expect(markdownModelCard.detect('readme.md', '# X\nThis model card describes...\n')).toBe(true);
  });

  it('rejects a plain README and other Markdown files', () => {
    expect(markdownModelCard.detect('README.md', PLAIN)).toBe(false);
    expect(markdownModelCard.detect('docs/card.md', HF)).toBe(false);
    expect(markdownModelCard.detect('README.rst', HF)).toBe(false);
  });
});

describe('model-card parse: Hugging Face card', () => {
  const doc = parse('models/router/README.md', HF);

  it('has one model-card target on the whole root', () => {
    expect(doc.kind).toBe('model-card');
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0]).toMatchObject({ type: 'model-card', name: 'model-card', address: 'model-card', startLine: 1, endLine: 48 });
    expect(doc.targets[0]!.node).toBe(doc.root);
    expect(keys(doc.root)).toEqual(['metadata', 'sections', 'title']);
    expect(doc.meta).toEqual({ frontMatter: true });
  });

  it('positions front matter keys at their lines in the file', () => {
    const metadata = get(doc.root, 'metadata');
    expect(metadata?.startLine).toBe(2);
    expect(entry(metadata, 'language')?.keyLine).toBe(2);
    expect(entry(metadata, 'license')?.keyLine).toBe(3);
    expect(entry(metadata, 'model-index')?.keyLine).toBe(8);
    expect(dig(metadata, 'datasets')?.startLine).toBe(7);
    const result = items(get(items(get(metadata, 'model-index'))[0], 'results'))[0];
    expect(value(dig(result, 'dataset', 'split'))).toBe('test');
    expect(dig(result, 'dataset', 'split')?.startLine).toBe(12);
  });

  it('has one section per heading, with real heading and text lines', () => {
    expect(outline(doc)).toEqual([
      ['Ticket router', 1, 17, 21, 21],
      ['Intended uses & limitations', 2, 23, 25, 25],
      ['Bias, risks and limitations', 2, 27, 29, 30],
      ['Recommendations', 3, 32, 34, 34],
      ['Training data', 2, 36, 38, 41],
      ['Evaluation', 2, 43, 45, 48],
    ]);
    expect(toPlain(get(doc.root, 'title'))).toBe('Ticket router');
    expect(get(doc.root, 'title')?.startLine).toBe(17);
  });

  it('keeps plain text: no HTML comments, tables as rows, code as written', () => {
    expect(sectionText(doc, 'Ticket router')).toBe('Routes helpdesk tickets to one of twelve queues.');
    expect(sectionText(doc, 'Bias, risks and limitations')).toBe('Accuracy drops on tickets written in French\n(about 6 points of F1).');
    expect(sectionText(doc, 'Training data')).toBe('split | rows\ntrain | 48000\ntest | 6000');
    expect(sectionText(doc, 'Evaluation')).toMatch(/^from transformers import pipeline\n.*revision="3f2a9c1"\)$/);
  });
});

describe('model-card parse: cards without front matter', () => {
  it('reads setext headings and a body that says "model card"', () => {
    const doc = parse('docs/model-card.md', MITCHELL);
    expect(toPlain(get(doc.root, 'metadata'))).toEqual({});
    expect(doc.meta).toEqual({ frontMatter: false });
    expect(outline(doc)).toEqual([
      ['Speech tagger', 1, 1, 4, 4],
      ['Model details', 2, 6, 9, 9],
      ['Out-of-scope use', 2, 11, 13, 13],
      ['Performance and limitations', 2, 15, 17, 17],
    ]);
    expect(get(items(get(doc.root, 'sections'))[0], 'heading')).toMatchObject({ startLine: 1, endLine: 2 });
  });

  it('accepts a README that names itself a model card and has two card headings', () => {
    const doc = parse('README.md', MITCHELL);
    expect(toPlain(get(doc.root, 'title'))).toBe('Speech tagger');
  });

  it('lets a card file name stand in for the words "model card"', () => {
    const text = '# Fraud scorer\n\n## Intended use\n\nBatch scoring.\n\n## Limitations\n\nNone known.\n';
    expect(parse('MODEL_CARD.md', text).kind).toBe('model-card');
    expect(markdownModelCard.parse('README.md', text)).toEqual({ notArtifact: 'a README that is not a model card' });
  });

  it('has a null title and no sections when the card has no heading', () => {
    const doc = parse('README.md', '---\nlicense: mit\n---\nJust a paragraph.\n');
    expect(get(doc.root, 'title')).toMatchObject({ type: 'scalar', value: null });
    expect(items(get(doc.root, 'sections'))).toEqual([]);
  });
});

describe('model-card: not a model card', () => {
  it('a plain README, even with Limitations and Evaluation headings', () => {
    expect(markdownModelCard.parse('README.md', PLAIN)).toEqual({ notArtifact: 'a README that is not a model card' });
  });

  it('a README that mentions a model card with one card heading only', () => {
    const text = '# Tools\n\nGenerates a model card from a template.\n\n## Evaluation\n\nRun `make eval`.\n';
    expect(markdownModelCard.parse('README.md', text)).toHaveProperty('notArtifact');
  });

  it('a README with site front matter (Jekyll) and no card content', () => {
    expect(markdownModelCard.parse('README.md', '---\nlayout: page\ntitle: Home\n---\n# Welcome\n')).toHaveProperty('notArtifact');
  });

  it('a README whose leading `---` block is not YAML and that is no card', () => {
    const text = '---\nWelcome: to: the project\n---\n# Project\n\nUsage notes.\n';
    expect(markdownModelCard.parse('README.md', text)).toHaveProperty('notArtifact');
  });
});

describe('model-card: front matter errors and edge cases', () => {
  it('reports front matter that does not parse as a ParseError at the line in the file', () => {
    const text = '---\nlicense: mit\ntags:\n  - nlp\n datasets: [x]\n---\n# Card\n';
    const r = markdownModelCard.parse('README.md', text) as ParseError;
    expect(r).toMatchObject({ kind: 'model-card', path: 'README.md', line: 5 });
    expect(r.message.length).toBeGreaterThan(0);
  });

  it('reports a duplicated front matter key at its line', () => {
    const text = '---\nlicense: mit\nlanguage: en\nlicense: apache-2.0\n---\n# Card\n';
    expect(markdownModelCard.parse('MODEL_CARD.md', text)).toMatchObject({ kind: 'model-card', meta: { parseNotes: [{ note: 'duplicate-key', line: 4 }] } });
  });

  it('handles CRLF line endings and a byte order mark', () => {
    const doc = parse('README.md', '\ufeff---\r\nlicense: mit\r\n---\r\n# Card\r\n\r\nText.\r\n');
    expect(entry(get(doc.root, 'metadata'), 'license')?.keyLine).toBe(2);
    expect(outline(doc)).toEqual([['Card', 1, 4, 6, 6]]);
  });

  it('treats an unterminated front matter as body text', () => {
    const text = '---\nlicense: mit\n\nThis model card is short.\n\n## Intended use\nx\n## Limitations\ny';
    const doc = parse('README.md', text);
    expect(toPlain(get(doc.root, 'metadata'))).toEqual({});
    expect(outline(doc).map((s) => s[0])).toEqual(['Intended use', 'Limitations']);
  });

  it('treats a `---` block that is text, not a mapping, as Markdown', () => {
    const text = '---\nA model card, in short\n---\n\n## Intended use\n\nx\n\n## Limitations\n\ny\n';
    const doc = parse('README.md', text);
    expect(doc.meta).toEqual({ frontMatter: false });
    // A setext heading spans its text and underline; its empty text sits on the heading.
    expect(outline(doc)[0]).toEqual(['A model card, in short', 2, 2, 2, 3]);
  });

  it('accepts empty front matter as an empty metadata map', () => {
    const doc = parse('model_card.md', '---\n---\n## Intended use\nx\n## Limitations\ny\n');
    expect(toPlain(get(doc.root, 'metadata'))).toEqual({});
    expect(outline(doc)[0]).toEqual(['Intended use', 2, 3, 4, 4]);
  });
});

describe('model-card: hostile Markdown never throws', () => {
  const cards: [string, string][] = [
    ['raw HTML', '<div align="center"><h1>Model card</h1></div>\n\n<details><summary>Limitations</summary><p>Many.</p></details>\n\n## Intended use\n<script>alert(1)</script>\n## Limitations\n<img src=x onerror=alert(1)>\n'],
    ['a huge heading', `# ${'model card '.repeat(50_000)}\n## Limitations\n## Evaluation\n`],
    ['no trailing newline', 'model card\n## Intended use\n## Limitations'],
    ['unterminated tags', `model card\n\n<div>${'<'.repeat(200_000)}\n\n## Bias\n## Risks\n`],
    ['unterminated comments', `model card\n\n<!--${'<!--'.repeat(50_000)}\n\n## Bias\n## Risks\n`],
    ['deep nesting', `${'> '.repeat(5_000)}model card\n## Bias\n## Risks\n`],
    ['deep lists', `model card\n${Array.from({ length: 2_000 }, (_, i) => `${'  '.repeat(i)}- x`).join('\n')}\n## Bias\n## Risks\n`],
    ['control characters', 'model card\u0000\n## Bias\u0000\n## Risks\u0007\n\u0000'],
    ['only front matter delimiters', '---'],
    ['empty', ''],
  ];
  for (const [name, text] of cards) {
    it(name, () => {
      const started = Date.now();
      const r = markdownModelCard.parse('MODEL_CARD.md', text);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(r).toBeTypeOf('object');
      if ('root' in r) {
        for (const s of items(get(r.root, 'sections'))) {
          expect(s.startLine).toBeGreaterThanOrEqual(1);
          expect(s.endLine).toBeLessThanOrEqual(Math.max(1, r.lines));
        }
      }
    });
  }

  it('keeps a huge heading whole and at line 1', () => {
    const doc = parse('MODEL_CARD.md', `# ${'x'.repeat(100_000)}\n## Limitations\n## Evaluation`);
    expect(outline(doc)[0]).toEqual(['x'.repeat(100_000), 1, 1, 1, 1]);
    expect(outline(doc)[2]).toEqual(['Evaluation', 2, 3, 3, 3]);
  });
});
