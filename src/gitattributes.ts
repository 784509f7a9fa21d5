/**
 * `.gitattributes`, read as git reads it (gitattributes(5), git's attr.c), for the attributes a
 * review asks about (`linguist-generated`, `linguist-vendored`: src/generated.ts). Pure.
 *
 * The file is a line format: a line is a pattern (C-quoted when it starts with `"`) and
 * whitespace-separated attribute states: `name` (set), `-name` (unset), `!name` (unspecified),
 * `name=value`. Blank lines and lines starting with `#` are comments; so is a line git refuses
 * (longer than 2048 characters, an invalid attribute name, a negative pattern `!x`), as git
 * ignores it. `[attr]name states` defines a macro, only in the top-level file; a macro set on a
 * path sets its states there (`binary` is built in).
 *
 * Patterns follow gitignore's rules with gitattributes' differences: a pattern without a slash
 * matches the base name at any depth below the file's folder; with a slash (leading or inside) it
 * is anchored to that folder; `**` matches any folders; a pattern ending in `/` names a folder and
 * so matches no file, and a folder's pattern does not reach what is inside it (`dir/**` does).
 * There are no brace alternatives. The globs are translated for src/glob.ts, which runs them in
 * time linear in the path (the file comes from the repository under review).
 *
 * For a path, the deepest file wins over the ones above it and a later line over an earlier one,
 * attribute by attribute.
 */
import { compileGlob, GlobError } from './glob.js';

/** Set (`name`), unset (`-name`), unspecified (`!name`), or a value (`name=value`). */
export type AttributeValue = true | false | null | string;

export interface AttributeState {
  name: string;
  value: AttributeValue;
}

export interface AttributesLine {
  /** 1-based line number in the file. */
  line: number;
  /** The pattern as written (unquoted), or the macro's name. */
  pattern: string;
  macro: boolean;
  states: AttributeState[];
}

/** git's ATTR_MAX_LINE_LENGTH: longer lines are ignored. */
const MAX_LINE_LENGTH = 2048;
const BLANK = /[ \t\r\n]/;
const MACRO_PREFIX = '[attr]';
/** Lines that bear on the attributes asked about, over all files, beyond which lines are not read. */
export const MAX_ATTRIBUTE_RULES = 1000;

/** The macros git defines itself. */
const BUILTIN_MACROS: readonly AttributesLine[] = [
  { line: 0, pattern: 'binary', macro: true, states: [{ name: 'diff', value: false }, { name: 'merge', value: false }, { name: 'text', value: false }] },
];

function validName(name: string): boolean {
  return /^[-._0-9A-Za-z]+$/.test(name) && !name.startsWith('-') && !name.startsWith('builtin_');
}

/** git's unquote_c_style: the quoted text and what follows the closing quote, or undefined when not a valid quoted string. */
function unquote(s: string): { text: string; rest: string } | undefined {
  const bytes: number[] = [];
  const push = (t: string) => bytes.push(...Buffer.from(t, 'utf8'));
  const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"') return { text: Buffer.from(bytes).toString('utf8'), rest: s.slice(i + 1) };
    if (c !== '\\') {
      push(c);
      continue;
    }
    const e = s[++i];
    if (e === undefined) return undefined;
    if (e in ESCAPES) bytes.push(ESCAPES[e]!);
    else if (/[0-3]/.test(e) && /^[0-7]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i, i + 3), 8));
      i += 2;
    } else return undefined;
  }
  return undefined;
}

/** One state token (`name`, `-name`, `!name`, `name=value`), or undefined when git refuses it (then the whole line). */
function parseState(token: string): AttributeState | undefined {
  const equals = token.indexOf('=');
  let name = equals === -1 ? token : token.slice(0, equals);
  let value: AttributeValue = equals === -1 ? true : token.slice(equals + 1);
  if (token.startsWith('-') || token.startsWith('!')) {
    // `-name=value` is unset: the value is dropped, as git drops it.
    value = token.startsWith('-') ? false : null;
    name = name.slice(1);
  }
  return validName(name) ? { name, value } : undefined;
}

/**
 * The lines of a `.gitattributes` file that git would use, in file order: patterns with their
 * states, and macro definitions (`macro: true`; `macros: false` drops them, as git does outside
 * the top-level file).
 */
export function parseGitAttributes(text: string, options: { macros?: boolean } = {}): AttributesLine[] {
  const out: AttributesLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const parsed = parseLine(raw, options.macros !== false);
    if (parsed) out.push({ line: i + 1, ...parsed });
  });
  return out;
}

function parseLine(raw: string, macrosAllowed: boolean): Omit<AttributesLine, 'line'> | undefined {
  if (raw.length >= MAX_LINE_LENGTH) return undefined;
  let at = 0;
  while (at < raw.length && BLANK.test(raw[at]!)) at++;
  if (at >= raw.length || raw[at] === '#') return undefined;
  const from = raw.slice(at);
  let pattern: string;
  let rest: string;
  const quoted = from.startsWith('"') ? unquote(from) : undefined;
  if (quoted) {
    pattern = quoted.text;
    rest = quoted.rest;
  } else {
    const end = from.search(BLANK);
    pattern = end === -1 ? from : from.slice(0, end);
    rest = end === -1 ? '' : from.slice(end);
  }
  let macro = false;
  if (pattern.length > MACRO_PREFIX.length && pattern.startsWith(MACRO_PREFIX)) {
    if (!macrosAllowed) return undefined;
    macro = true;
    pattern = pattern.slice(MACRO_PREFIX.length);
    if (!validName(pattern)) return undefined;
  } else if (pattern.startsWith('!')) {
    // "Negative patterns are ignored in git attributes" (a literal `!` is written `\!`).
    return undefined;
  }
  const states: AttributeState[] = [];
  for (const token of rest.split(/[ \t\r\n]+/)) {
    if (token === '') continue;
    const state = parseState(token);
    if (!state) return undefined;
    states.push(state);
  }
  return { pattern, macro, states };
}

/**
 * A gitattributes pattern as a matcher of paths relative to the file's folder, or null when it
 * matches no file (a folder's pattern, ending in `/`) or cannot be compiled (over src/glob.ts's
 * limits: the line is then ignored).
 */
export function attributePattern(pattern: string): ((relativePath: string) => boolean) | null {
  if (pattern === '' || pattern.endsWith('/')) return null;
  const basename = !pattern.includes('/');
  const anchored = basename ? pattern : pattern.replace(/^\//, '');
  // Git compares the part before the first wildcard as a string, and matches only the rest as a
  // glob: so a `**` right after it counts as at the start of a segment (`.**/a` matches `.a`).
  const wildcard = anchored.search(/[*?[\\]/);
  const prefix = basename || wildcard === -1 ? '' : anchored.slice(0, wildcard);
  const rest = anchored.slice(prefix.length);
  if (!basename && wildcard === -1) return (path) => path === anchored;
  let match: (path: string) => boolean;
  try {
    match = compileGlob(toGlob(rest));
  } catch (e) {
    if (e instanceof GlobError) return null;
    throw e;
  }
  if (basename) return (path) => match(path.slice(path.lastIndexOf('/') + 1));
  return (path) => path.startsWith(prefix) && match(path.slice(prefix.length));
}

/**
 * A pattern (a base name, or what follows an anchored pattern's literal start: never a leading `!`
 * or `./`) in src/glob.ts's syntax: what git reads literally is escaped (braces, parentheses that
 * would read as an extglob), runs of stars are `**`, and a trailing `/**` matches what is inside
 * the folder, never the folder's own name.
 */
function toGlob(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (c === '{' || c === '}' || c === '(') out += `\\${c}`;
    else if (c === '*') {
      let j = i;
      while (pattern[j + 1] === '*') j++;
      out += j > i ? '**' : '*';
      i = j;
    } else out += c;
  }
  return out === '**' || !out.endsWith('/**') ? out : `${out}/*`;
}

/** A `.gitattributes` file of the repository, by its path (`.gitattributes`, `models/.gitattributes`). */
export interface AttributesFile {
  path: string;
  text: string;
}

/** The value an attribute has on a path, and the file that gave it. */
export interface ResolvedAttribute {
  value: AttributeValue;
  file: string;
}

interface CompiledLine {
  match: (relativePath: string) => boolean;
  states: AttributeState[];
}

interface CompiledFile {
  path: string;
  /** The folder, with a trailing `/` ('' at the top). */
  folder: string;
  lines: CompiledLine[];
}

/**
 * The attributes of paths under the given files. `names`: the only attributes asked about (lines
 * that cannot bear on them, directly or through a macro, are not compiled); default all.
 * Returns, for a repository path, the attributes that have a value there (unspecified included, as
 * `null`); an attribute no line gives is absent.
 */
export function compileGitAttributes(files: readonly AttributesFile[], names?: readonly string[]): (path: string) => Map<string, ResolvedAttribute> {
  const parsed = files
    .map((f) => {
      const folder = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/') + 1) : '';
      return { path: f.path, folder, lines: parseGitAttributes(f.text, { macros: folder === '' }) };
    })
    // Deepest first: a deeper file overrides the ones above it.
    .sort((a, b) => b.folder.split('/').length - a.folder.split('/').length || (a.path < b.path ? -1 : 1));

  // Macros: the top-level file's, the last definition winning, then the built-in ones.
  const macros = new Map<string, AttributeState[]>();
  for (const f of parsed) {
    for (const l of [...f.lines].reverse()) if (l.macro && !macros.has(l.pattern)) macros.set(l.pattern, l.states);
  }
  for (const m of BUILTIN_MACROS) if (!macros.has(m.pattern)) macros.set(m.pattern, m.states);

  // The names that matter: those asked about, and the macros that set one of them, however deep.
  let relevant: Set<string> | undefined;
  if (names) {
    relevant = new Set(names);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [macro, states] of macros) {
        if (!relevant.has(macro) && states.some((s) => relevant!.has(s.name))) {
          relevant.add(macro);
          grew = true;
        }
      }
    }
  }

  let budget = MAX_ATTRIBUTE_RULES;
  const compiled: CompiledFile[] = [];
  for (const f of [...parsed].reverse()) {
    // Read from the top down, so that a cap drops the deepest files' last lines.
    const lines: CompiledLine[] = [];
    for (const l of f.lines) {
      if (l.macro || (relevant && !l.states.some((s) => relevant!.has(s.name)))) continue;
      if (budget <= 0) break;
      const match = attributePattern(l.pattern);
      if (!match) continue;
      budget--;
      lines.push({ match, states: l.states });
    }
    compiled.unshift({ path: f.path, folder: f.folder, lines });
  }

  const wanted = names ? new Set(names) : undefined;
  return (path) => {
    const out = new Map<string, ResolvedAttribute>();
    const fill = (states: readonly AttributeState[], file: string): void => {
      for (let i = states.length - 1; i >= 0; i--) {
        const s = states[i]!;
        if (out.has(s.name)) continue;
        out.set(s.name, { value: s.value, file });
        const macro = s.value === true ? macros.get(s.name) : undefined;
        if (macro) fill(macro, file);
      }
    };
    const done = () => wanted !== undefined && [...wanted].every((n) => out.has(n));
    for (const f of compiled) {
      if (f.folder !== '' && !path.startsWith(f.folder)) continue;
      const relative = path.slice(f.folder.length);
      for (let i = f.lines.length - 1; i >= 0 && !done(); i--) {
        const l = f.lines[i]!;
        if (l.match(relative)) fill(l.states, f.path);
      }
      if (done()) break;
    }
    if (wanted) for (const n of out.keys()) if (!wanted.has(n)) out.delete(n);
    return out;
  };
}

/**
 * The `.gitattributes` files of a tree that bear on `paths`: the top one and those of the folders
 * above any of them, shallowest first, at most `max`.
 */
export function attributesFilesFor(tree: Iterable<string>, paths: Iterable<string>, max = 20): string[] {
  const folders = new Set<string>(['']);
  for (const p of paths) {
    let at = p.indexOf('/');
    while (at !== -1) {
      folders.add(p.slice(0, at + 1));
      at = p.indexOf('/', at + 1);
    }
  }
  const out: string[] = [];
  for (const t of tree) {
    if (t !== '.gitattributes' && !t.endsWith('/.gitattributes')) continue;
    if (folders.has(t.slice(0, t.length - '.gitattributes'.length))) out.push(t);
  }
  return out.sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1)).slice(0, max);
}
