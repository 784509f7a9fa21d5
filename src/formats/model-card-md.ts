/**
 * Markdown model cards: a Hugging Face style README / MODEL_CARD.md with optional YAML front matter
 * and a body of sections. The root is
 *
 *   { metadata: <front matter map, or an empty map>,
 *     sections: [{ heading, level, text }, ...],   one per heading, in file order
 *     title: <text of the first heading, or null> }
 *
 * A section's `text` is the plain text of the blocks between its heading and the next heading of
 * ANY level, so `## Evaluation` followed directly by `### Results` has an empty text: a rule reads
 * the section it names, not its subsections. Every node sits at the file's real lines.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import type { Document, FormatModule, ListNode, MapEntry, MapNode, Node, NotAnArtifact } from '../model.js';
import { baseName, guard, makeDocument, stripBom, target } from './common.js';
import { countLines, emptyMap, keys, parseYaml, scalar, SyntaxProblem } from './tree.js';

const KIND = 'model-card';

/** File names that may hold a model card (compared lower-cased); the card names say so themselves. */
const README = 'readme.md';
const CARD_NAMES: ReadonlySet<string> = new Set(['model_card.md', 'model-card.md', 'modelcard.md']);

/** Front matter keys only a model card carries (the Hub validates some of them on push). */
const CARD_METADATA_KEYS: ReadonlySet<string> = new Set([
  'license',
  'datasets',
  'metrics',
  'model-index',
  'base_model',
  'pipeline_tag',
  'library_name',
  'co2_eq_emissions',
]);

/** Headings of the Hugging Face template, the Trainer card and Mitchell et al.'s model cards. */
const CARD_HEADING =
  /intended use|out[- ]of[- ]scope|limitation|bias|risk|training data|training details|training procedure|evaluation|ethical|environmental impact|caveat|model details|model use|factors|recommendation/i;

const SAYS_MODEL_CARD = /model[\s_-]?card/i;

/** Front matter: the YAML between a first line `---` and the next line `---`. */
interface FrontMatter {
  /** The YAML text, preceded by one empty line so that its first line is line 2, as in the file. */
  yaml: string;
  /** Number of file lines before the body (the front matter and its two delimiters). */
  bodyLine: number;
  body: string;
}

export const markdownModelCard: FormatModule = {
  kind: KIND,
  phrase: 'a model card',
  address: '`model-card`, the card as a whole',
  documentAddress: 'model-card',
  comments: 'markdown',
  holds: (type) => type === KIND,
  fix: null,
  answers: [],
  code: [],
  accepts: (path) => CARD_NAMES.has(baseName(path)) || baseName(path) === README,
  // A README may or may not be a card; a file named a model card is one, however thin.
  claims: isCardName,
  detect(path, text) {
    const name = baseName(path);
    if (CARD_NAMES.has(name)) return true;
    if (name !== README) return false;
    // A README is a candidate when it has front matter or mentions a model card at all.
    return text.startsWith('---') || text.startsWith('\ufeff---') || SAYS_MODEL_CARD.test(text);
  },
  parse(path, text, options) {
    return guard(KIND, path, () => parseCard(path, stripBom(text), options?.expected === true));
  },
};

function isCardName(path: string): boolean {
  return CARD_NAMES.has(baseName(path));
}

/** `expected`: the file is known to be a card (named one, or one on the other side of the change). */
function parseCard(path: string, text: string, expected: boolean): Document | NotAnArtifact {
  const fm = splitFrontMatter(text);
  const parsed = fm ? parseFrontMatter(fm) : undefined;
  if (parsed instanceof SyntaxProblem) {
    // A README whose leading `---` block is not YAML is only an error if it was meant as a card.
    const meant = expected || isCardName(path) || mentionsCardKeys(fm!.yaml) || qualifies(readSections(fm!.body, 0), fm!.body, false);
    if (!meant) return { notArtifact: NOT_A_CARD };
    throw parsed;
  }
  // A `---` block that is YAML but not a mapping is a thematic break and text, not front matter.
  const front = fm && parsed !== 'not-a-map' ? { fm, map: parsed ?? emptyMap(1) } : undefined;
  const metadata = front?.map ?? emptyMap(1);
  const body = front ? front.fm.body : text;
  const sections = readSections(body, front ? front.fm.bodyLine : 0);

  // A card cut down to a stub is still the card, to be told what it lacks.
  const isCard = expected || keys(metadata).some((k) => CARD_METADATA_KEYS.has(k)) || qualifies(sections, body, isCardName(path));
  if (!isCard) return { notArtifact: NOT_A_CARD };
  const root = rootNode(metadata, sections, countLines(text));
  return makeDocument(KIND, path, text, root, [target(KIND, 'model-card', 'model-card', root)], { frontMatter: front !== undefined });
}

const NOT_A_CARD = 'a README that is not a model card';

/** The body says "model card" (or the file name does) and has two model-card headings. */
function qualifies(sections: Section[], body: string, namedCard: boolean): boolean {
  if (!namedCard && !SAYS_MODEL_CARD.test(body)) return false;
  return sections.filter((s) => CARD_HEADING.test(s.heading)).length >= 2;
}

// ---------------------------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------------------------

function splitFrontMatter(text: string): FrontMatter | undefined {
  const firstEnd = text.indexOf('\n');
  if (firstEnd === -1 || text.slice(0, firstEnd).trimEnd() !== '---') return undefined;
  let line = 2;
  for (let start = firstEnd + 1; start < text.length; line++) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (text.slice(start, end).trimEnd() === '---') {
      return { yaml: '\n' + text.slice(firstEnd + 1, start), bodyLine: line, body: nl === -1 ? '' : text.slice(nl + 1) };
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return undefined;
}

/** The front matter map; null when it is empty; 'not-a-map' for a list or text; the error. */
function parseFrontMatter(fm: FrontMatter): MapNode | null | 'not-a-map' | SyntaxProblem {
  let docs: Node[];
  try {
    docs = parseYaml(fm.yaml);
  } catch (e) {
    if (e instanceof SyntaxProblem) return e;
    throw e;
  }
  const doc = docs[0];
  if (!doc || (doc.type === 'scalar' && doc.value === null)) return null;
  return doc.type === 'map' ? doc : 'not-a-map';
}

/** A card key at the start of a line of front matter that does not parse. */
const CARD_KEY_LINE = new RegExp(`^(?:${[...CARD_METADATA_KEYS].join('|')})\\s*:`, 'm');

function mentionsCardKeys(yaml: string): boolean {
  return CARD_KEY_LINE.test(yaml);
}

// ---------------------------------------------------------------------------------------------
// Body
// ---------------------------------------------------------------------------------------------

/**
 * HTML on so that comments (`<!-- fill this in -->`, frequent in templates) are HTML tokens that the
 * plain text leaves out rather than paragraphs. Nothing is rendered, so raw HTML is harmless here.
 */
const md = new MarkdownIt({ html: true });

interface Section {
  heading: string;
  level: number;
  headingStart: number;
  headingEnd: number;
  parts: string[];
  textStart?: number;
  textEnd?: number;
}

/** One section per heading; `lineOffset` is the number of file lines before `body`. */
function readSections(body: string, lineOffset: number): Section[] {
  const tokens = md.parse(body, {});
  const sections: Section[] = [];
  let current: Section | undefined;
  let blockMap: [number, number] | null = null;
  // Cells of the table row being read: a row becomes one line `a | b | c` of the section text.
  let row: string[] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'heading_open') {
      current = headingSection(t, tokens[i + 1], lineOffset);
      sections.push(current);
      i += 2; // the heading's inline token and heading_close
      continue;
    }
    if (t.nesting === 1 && t.map) blockMap = t.map;
    if (t.type === 'tr_open') row = [];
    if (t.type === 'tr_close' && row && current) {
      addText(current, row.join(' | '), t.map ?? blockMap, lineOffset);
      row = undefined;
    }
    const text = blockText(t);
    if (!current || text === undefined) continue;
    if (row) row.push(text);
    else addText(current, text, t.map ?? blockMap, lineOffset);
  }
  return sections;
}

function headingSection(open: Token, inline: Token | undefined, lineOffset: number): Section {
  const [start, end] = open.map ?? [0, 1];
  return {
    heading: inlineText(inline),
    level: Number(open.tag.slice(1)) || 1,
    headingStart: start + 1 + lineOffset,
    headingEnd: Math.max(start + 1, end) + lineOffset,
    parts: [],
  };
}

/**
 * Appends a block's text and widens the text span to the block's lines (map: 0-based, end
 * exclusive). Blocks without text (an HTML comment) do not count, so an empty section's text stays
 * at its heading.
 */
function addText(section: Section, text: string, map: [number, number] | null, lineOffset: number): void {
  if (text.trim() === '') return;
  const [start, end] = map ?? [0, 1];
  section.parts.push(text);
  section.textStart ??= start + 1 + lineOffset;
  section.textEnd = Math.max(section.textEnd ?? 0, Math.max(start + 1, end) + lineOffset);
}

/** Plain text of a content-bearing block token; undefined for structural tokens. */
function blockText(t: Token): string | undefined {
  switch (t.type) {
    case 'inline':
      return inlineText(t);
    case 'fence':
    case 'code_block':
      return t.content.replace(/\n$/, '');
    case 'html_block':
      return stripHtml(t.content).trim();
    default:
      return undefined;
  }
}

function inlineText(t: Token | undefined): string {
  if (!t) return '';
  if (!t.children) return t.content;
  let out = '';
  for (const c of t.children) {
    if (c.type === 'text' || c.type === 'code_inline') out += c.content;
    else if (c.type === 'softbreak' || c.type === 'hardbreak') out += '\n';
    else if (c.type === 'image') out += inlineText(c);
  }
  return out.trim();
}

/**
 * Drops comments and tags, keeps the text between them. Written as a scan, not a regex, so that a
 * hostile run of `<` without `>` stays linear.
 */
function stripHtml(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) return out + html.slice(i);
    out += html.slice(i, lt);
    const closer = html.startsWith('<!--', lt) ? '-->' : '>';
    const end = html.indexOf(closer, lt + 1);
    if (end === -1) return out; // an unterminated tag or comment runs to the end of the block
    i = end + closer.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tree
// ---------------------------------------------------------------------------------------------

function sectionNode(s: Section): MapNode {
  const textStart = s.textStart ?? s.headingStart;
  const textEnd = s.textEnd ?? s.headingEnd;
  const entries: MapEntry[] = [
    { key: 'heading', keyLine: s.headingStart, value: scalar(s.heading, s.headingStart, s.headingEnd) },
    { key: 'level', keyLine: s.headingStart, value: scalar(s.level, s.headingStart) },
    { key: 'text', keyLine: textStart, value: scalar(s.parts.join('\n'), textStart, textEnd) },
  ];
  return { type: 'map', entries, startLine: s.headingStart, endLine: Math.max(s.headingEnd, textEnd) };
}

function rootNode(metadata: MapNode, sections: Section[], lines: number): MapNode {
  const items = sections.map(sectionNode);
  const list: ListNode = {
    type: 'list',
    items,
    startLine: items[0]?.startLine ?? 1,
    endLine: items.length ? items[items.length - 1]!.endLine : 1,
  };
  const first = items[0];
  const title = first ? { ...(first.entries[0]!.value as Node) } : scalar(null, 1);
  const entries: MapEntry[] = [
    { key: 'metadata', keyLine: metadata.startLine, value: metadata },
    { key: 'sections', keyLine: list.startLine, value: list },
    { key: 'title', keyLine: title.startLine, value: title },
  ];
  return { type: 'map', entries, startLine: 1, endLine: Math.max(1, lines) };
}
