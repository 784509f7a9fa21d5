/**
 * The private Handlebars instance that renders every Markdown surface.
 *
 * - One instance (`Handlebars.create()`), so nothing registered here leaks into, or is changed by,
 *   any other user of the `handlebars` package.
 * - Templates are compiled with `noEscape: true` (the output is Markdown, and Handlebars' HTML
 *   escaping breaks code spans and `=`); every repository value must go through the `esc` or `code`
 *   helper. Templates only see the view models built in `markdown.ts` (and, for the
 *   publishers' own sentences, `publish/github/texts.ts`).
 * - Compiled with `knownHelpersOnly: true`: a template may call only the helpers below and the
 *   Handlebars built-ins (`if`, `unless`, `each`, `with`, `lookup`). Overrides get the same rules.
 * - Templates live in `templates/*.hbs` in the package. Names starting with `_` are partials, used
 *   as `{{> name}}` without the underscore. A repository may override any of them but those in
 *   `BUILT_IN_ONLY` by passing `{ name: text }` (the caller reads
 *   `.github/ml-lens/templates/<name>.hbs` from the default branch; this module never reads a
 *   repository). Overrides are compiled per call (cached by text) and passed as runtime partials,
 *   so one repository's override never affects another's.
 * - A template that does not compile, an unknown override name, or a template that throws while
 *   rendering is a `TemplateError` naming the template.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { code, codeCell, esc, safeUrl } from './escape.js';
import {
  deltaText,
  phaseName,
  pillarName,
  plural,
  practiceLink,
  scoreText,
  severityIcon,
  severityLabel,
} from './labels.js';

/** `templates/` of the package: two levels above this file both in `src/render/` and `dist/render/`. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly origin: 'built-in' | 'override',
    detail: string,
  ) {
    super(`ML Lens template "${template}" (${origin === 'override' ? 'repository override' : 'built-in'}): ${detail}`);
    this.name = 'TemplateError';
  }
}

export type TemplateOverrides = Record<string, string>;

const hb = Handlebars.create();

/** Handlebars calls helpers with the options object last; drop it. */
function args(a: unknown[]): unknown[] {
  return a.slice(0, -1);
}
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const HELPERS: Record<string, (...a: unknown[]) => unknown> = {
  /** `{{esc value [max]}}`: a repository value as inline Markdown text. */
  esc: (...a) => {
    const [v, max] = args(a);
    return esc(v, num(max));
  },
  /** `{{code value [max]}}`: a repository value as an inline code span. */
  code: (...a) => {
    const [v, max] = args(a);
    return code(v, num(max));
  },
  /** `{{codeCell value [max]}}`: like `code`, safe inside a table cell. */
  codeCell: (...a) => {
    const [v, max] = args(a);
    return codeCell(v, num(max));
  },
  pillarName: (...a) => pillarName(args(a)[0]),
  phaseName: (...a) => phaseName(args(a)[0]),
  severityIcon: (...a) => severityIcon(args(a)[0]),
  severityLabel: (...a) => severityLabel(args(a)[0]),
  /** `{{score n}}`: the number, or "not assessed" for null. */
  score: (...a) => scoreText(args(a)[0] as number | null),
  /** `{{delta n}}`: `+3`, `−2`, `±0`, or `n/a`. */
  delta: (...a) => deltaText(args(a)[0] as number | null),
  /** `{{practiceLink "MLSEC02-BP01"}}`: a link to the practice's page. */
  practiceLink: (...a) => practiceLink(args(a)[0]),
  /** `{{practiceLinks list [separator]}}`: every practice of a list, linked and joined. */
  practiceLinks: (...a) => {
    const [list, sep] = args(a);
    return Array.isArray(list) ? list.map((p) => practiceLink(p)).join(typeof sep === 'string' ? sep : ', ') : '';
  },
  /** `{{plural n "finding" ["findings"]}}` → `1 finding`, `2 findings`. */
  plural: (...a) => {
    const [n, one, many] = args(a);
    return plural(Number(n) || 0, String(one ?? ''), typeof many === 'string' ? many : undefined);
  },
  /** `(eq a b)`: strict equality, for `{{#if (eq status "new")}}`. */
  eq: (...a) => {
    const [x, y] = args(a);
    return x === y;
  },
  /** `(gt a b)`: a > b for numbers. */
  gt: (...a) => {
    const [x, y] = args(a);
    return Number(x) > Number(y);
  },
  /**
   * `{{link text url}}`: `[text](url)` when url is a safe http(s) URL, else the text alone. The
   * text is inserted as given: pass it through `esc`/`code` first, e.g. `{{link (code loc) url}}`.
   */
  link: (...a) => {
    const [text, url] = args(a);
    const u = safeUrl(url);
    return u ? `[${String(text ?? '')}](${u})` : String(text ?? '');
  },
};

for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);

const KNOWN_HELPERS = Object.fromEntries(Object.keys(HELPERS).map((n) => [n, true])) as Record<string, true>;
const COMPILE_OPTIONS: CompileOptions = { noEscape: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
type CompileOptions = Parameters<typeof Handlebars.compile>[1] & object;
type Compiled = Handlebars.TemplateDelegate;

function compileChecked(name: string, origin: 'built-in' | 'override', text: string): Compiled {
  try {
    // precompile runs the whole compiler eagerly (compile() alone defers it to the first call).
    hb.precompile(text, COMPILE_OPTIONS);
    return hb.compile(text, COMPILE_OPTIONS);
  } catch (e) {
    throw new TemplateError(name, origin, `does not compile: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Templates a repository cannot override: the check run texts written before its templates are
 * read (or instead of using them, when they are broken, so an override can never hide why a review
 * failed). An override of one is refused like an unknown name.
 */
export const BUILT_IN_ONLY: ReadonlySet<string> = new Set(['check-started', 'check-failed', 'check-superseded', 'check-interrupted']);

const BUILT_IN_ONLY_DETAIL = 'cannot be overridden: it is written before the repository\'s templates are read';

let builtIns: Map<string, { text: string; fn: Compiled }> | null = null;

function loadBuiltIns(): Map<string, { text: string; fn: Compiled }> {
  if (builtIns) return builtIns;
  const map = new Map<string, { text: string; fn: Compiled }>();
  for (const file of readdirSync(TEMPLATES_DIR).sort()) {
    if (!file.endsWith('.hbs')) continue;
    const name = file.slice(0, -4);
    const text = readFileSync(TEMPLATES_DIR + file, 'utf8');
    map.set(name, { text, fn: compileChecked(name, 'built-in', text) });
  }
  builtIns = map;
  return map;
}

/** Names of every template and partial (`_name`) that can be overridden. */
export function templateNames(): string[] {
  return [...loadBuiltIns().keys()];
}

/** The built-in text of a template, e.g. to show a repository what it is overriding. */
export function builtInTemplate(name: string): string {
  const t = loadBuiltIns().get(name);
  if (!t) throw new TemplateError(name, 'built-in', 'no such template');
  return t.text;
}

/** `summary.hbs`, `templates/summary.hbs` and `summary` all name the template `summary`. */
export function normaliseTemplateName(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1);
  return base.endsWith('.hbs') ? base.slice(0, -4) : base;
}

const overrideCache = new Map<string, Compiled>();
const OVERRIDE_CACHE_MAX = 64;

function compileOverride(name: string, text: string): Compiled {
  const key = name + '\u0000' + text;
  const hit = overrideCache.get(key);
  if (hit) return hit;
  const fn = compileChecked(name, 'override', text);
  if (overrideCache.size >= OVERRIDE_CACHE_MAX) overrideCache.delete(overrideCache.keys().next().value as string);
  overrideCache.set(key, fn);
  return fn;
}

/**
 * Checks a set of overrides without rendering anything: returns the problems (unknown names,
 * templates that do not compile) as TemplateErrors, empty when all is well.
 */
export function checkOverrides(overrides: TemplateOverrides | undefined): TemplateError[] {
  const problems: TemplateError[] = [];
  if (!overrides) return problems;
  const names = new Set(templateNames());
  for (const [key, text] of Object.entries(overrides)) {
    const name = normaliseTemplateName(key);
    if (!names.has(name)) {
      problems.push(new TemplateError(name, 'override', `no such template (known: ${[...names].join(', ')})`));
      continue;
    }
    if (BUILT_IN_ONLY.has(name)) {
      problems.push(new TemplateError(name, 'override', BUILT_IN_ONLY_DETAIL));
      continue;
    }
    try {
      compileOverride(name, text);
    } catch (e) {
      problems.push(e as TemplateError);
    }
  }
  return problems;
}

/** Renders template `name` with `context`, using the repository's overrides where given. */
export function renderTemplate(name: string, context: unknown, overrides?: TemplateOverrides): string {
  const all = loadBuiltIns();
  const chosen = new Map<string, { fn: Compiled; origin: 'built-in' | 'override' }>();
  for (const [n, t] of all) chosen.set(n, { fn: t.fn, origin: 'built-in' });
  for (const [key, text] of Object.entries(overrides ?? {})) {
    const n = normaliseTemplateName(key);
    if (!all.has(n)) throw new TemplateError(n, 'override', `no such template (known: ${[...all.keys()].join(', ')})`);
    if (BUILT_IN_ONLY.has(n)) throw new TemplateError(n, 'override', BUILT_IN_ONLY_DETAIL);
    chosen.set(n, { fn: compileOverride(n, text), origin: 'override' });
  }
  const main = chosen.get(name);
  if (!main || name.startsWith('_')) throw new TemplateError(name, 'built-in', 'no such template');
  const partials: Record<string, Compiled> = {};
  for (const [n, t] of chosen) if (n.startsWith('_')) partials[n.slice(1)] = t.fn;
  try {
    return tidy(main.fn(context, { partials }));
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(name, main.origin, `failed while rendering: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Normalises template output so templates can be written readably: outside fenced code blocks,
 * trailing white space is removed and runs of blank lines become one; inside fences nothing
 * changes. The result ends with exactly one newline.
 */
/** Drops trailing spaces and tabs; a loop, since `/[ \t]+$/` backtracks on every run of blanks. */
function trimTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}

export function tidy(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of lines) {
    if (fence !== null) {
      out.push(line);
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) fence = null;
      continue;
    }
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) fence = open[1]!;
    const trimmed = trimTrailingBlanks(line);
    if (trimmed === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(trimmed);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}
