/**
 * The one glob compiler of the project. Configuration (`paths`, `ignore[].paths`,
 * `overrides[].paths`), rules (`tree_has`) and CODEOWNERS come from the repository under review, so
 * matching must stay linear in the path: a glob is translated to an RE2 pattern and run by re2js
 * (backtracking JavaScript regexes, as picomatch builds, took 23 s for `**\/*a*a*a*a*a*a*c`
 * against a 105-character name).
 *
 * The syntax is the usual one (picomatch's with `dot: true`, which the project used before, for
 * everything below; test/core/glob.test.ts compares the two), matched against the whole
 * `/`-separated path:
 * - `*` any characters but `/`; `?` one character but `/`; dot files are matched like others;
 * - `**` as a whole segment: any number of segments, none included (`**\/x` matches `x` at the
 *   top; `vendor/**` matches what is below `vendor`, and `vendor` itself, `*\/**` only what is
 *   below some folder); elsewhere `**` is `*`;
 * - `[abc]`, `[a-z]`, `[^abc]` and `[!abc]` (negated), POSIX classes such as `[[:digit:]]`: one
 *   character, never `/`;
 * - `{a,b}` alternatives (nested), `{1..5}` numeric ranges (at most 1000 values);
 * - `\x` the character x; a leading `./` is dropped; a leading `!` negates the glob;
 * - every character counts as itself, line breaks and control characters included: a file named
 *   `bad\nname.tf` is matched by `**` (a glob that skipped it would hide it from review).
 * Refused with a GlobError that names the glob and the limit: globs over 300 characters, extglobs
 * (`@(a|b)`, `!(x)`...), ranges over 1000 values, and globs whose RE2 program is too large.
 */
import { RE2JS } from 're2js';

export const MAX_GLOB_LENGTH = 300;
/** RE2 instructions of one compiled glob; typical globs need under 100. */
export const MAX_GLOB_PROGRAM_SIZE = 5000;
const MAX_RANGE_VALUES = 1000;
/** Compiled globs kept (a server sees the configurations and CODEOWNERS of many repositories). */
const CACHE_SIZE = 10_000;

export type PathMatcher = (path: string) => boolean;

export class GlobError extends Error {
  override readonly name = 'GlobError';
  constructor(
    readonly glob: string,
    readonly reason: string,
  ) {
    super(`glob ${JSON.stringify(glob.length > 80 ? `${glob.slice(0, 77)}...` : glob)} ${reason}`);
  }
}

const cache = new Map<string, PathMatcher | GlobError>();

/** A matcher for one glob (cached by its text); throws GlobError when the glob is refused. */
export function compileGlob(glob: string): PathMatcher {
  if (glob.length > MAX_GLOB_LENGTH) throw new GlobError(glob, `is ${glob.length} characters long (limit ${MAX_GLOB_LENGTH})`);
  let entry = cache.get(glob);
  if (!entry) {
    try {
      entry = build(glob);
    } catch (e) {
      if (!(e instanceof GlobError)) throw e;
      entry = e;
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(glob, entry);
  }
  if (entry instanceof GlobError) throw entry;
  return entry;
}

/** A matcher for any of the globs (none: matches nothing); throws GlobError for the first refused one. */
export function compileGlobs(globs: readonly string[]): PathMatcher {
  const matchers = globs.map(compileGlob);
  if (matchers.length === 1) return matchers[0]!;
  return (path) => matchers.some((m) => m(path));
}

/** Why a glob is refused, or undefined when it compiles. */
export function globProblem(glob: string): string | undefined {
  try {
    compileGlob(glob);
    return undefined;
  } catch (e) {
    if (e instanceof GlobError) return e.message;
    throw e;
  }
}

/** The RE2 pattern of a glob (for tests and messages), and whether the glob is negated. */
export function translateGlob(glob: string): { pattern: string; negated: boolean } {
  let body = glob;
  let negated = false;
  while (body.startsWith('!') && !body.startsWith('!(')) {
    negated = !negated;
    body = body.slice(1);
  }
  while (body.startsWith('./')) body = body.slice(2);
  return { pattern: new Translator(glob, body).all(), negated };
}

function build(glob: string): PathMatcher {
  const { pattern, negated } = translateGlob(glob);
  let re: RE2JS;
  try {
    // (?s): `.` matches line breaks too, so that no file name escapes a `**`.
    re = RE2JS.compile(`(?s)${pattern}`);
  } catch (e) {
    throw new GlobError(glob, `cannot be compiled: ${e instanceof Error ? e.message : String(e)}`);
  }
  const size = re.programSize();
  if (size > MAX_GLOB_PROGRAM_SIZE) throw new GlobError(glob, `is too complex (${size} instructions, limit ${MAX_GLOB_PROGRAM_SIZE})`);
  return negated ? (path) => !re.matches(path) : (path) => re.matches(path);
}

/** Characters with a meaning in RE2, escaped when a glob holds them literally. */
const RE2_SPECIAL = new Set([...'\\.+*?()|[]{}^$']);

function literal(c: string): string {
  return RE2_SPECIAL.has(c) ? `\\${c}` : c;
}

/** A recursive-descent translation of one glob: `all()` is the whole, `until(stops)` a brace part. */
class Translator {
  private i = 0;

  constructor(
    private readonly glob: string,
    private readonly src: string,
  ) {}

  all(): string {
    return this.sequence(new Set());
  }

  private fail(reason: string): never {
    throw new GlobError(this.glob, reason);
  }

  /** Translates up to (not including) one of `stops` at this brace depth, or the end. */
  private sequence(stops: ReadonlySet<string>): string {
    let out = '';
    const src = this.src;
    const segmentEnd = (at: number) => at >= src.length || src[at] === '/' || stops.has(src[at]!);
    while (this.i < src.length) {
      const c = src[this.i]!;
      if (stops.has(c)) break;
      const prev = this.i === 0 ? '/' : src[this.i - 1]!;
      if (c === '/' && src.startsWith('**', this.i + 1) && segmentEnd(this.i + 3) && src[this.i + 3] !== '/') {
        // A trailing `/**`: anything below the folder, and a folder named literally (`vendor/**`)
        // itself too; `*/**` keeps to what is below some folder.
        out += this.literalSegmentBefore(this.i) ? '(?:/.*)?' : '/.*';
        this.i += 3;
        continue;
      }
      if (c === '*' && src[this.i + 1] === '*' && '/{,'.includes(prev) && segmentEnd(this.i + 2)) {
        this.i += 2;
        if (src[this.i] === '/') {
          this.i++;
          out += '(?:.*/)?'; // any folders, none included
        } else {
          out += '.*'; // a segment that is only `**`: anything
        }
        continue;
      }
      if ('@!+*?'.includes(c) && src[this.i + 1] === '(') this.fail('uses an extglob: extglobs are not supported');
      this.i++;
      switch (c) {
        case '*':
          while (src[this.i] === '*') this.i++; // `a**b` is `a*b`
          out += '[^/]*';
          break;
        case '?':
          out += '[^/]';
          break;
        case '[':
          out += this.bracket() ?? '\\[';
          break;
        case '{':
          out += this.braces() ?? '\\{';
          break;
        case '\\':
          out += this.i < src.length ? literal(src[this.i++]!) : '\\\\';
          break;
        default:
          out += literal(c);
      }
    }
    return out;
  }

  /** Whether the segment (or brace alternative) ending at `end` (exclusive) holds no wildcard. */
  private literalSegmentBefore(end: number): boolean {
    let start = end;
    while (start > 0 && !'/{,'.includes(this.src[start - 1]!)) start--;
    return !/[*?[{}]/.test(this.src.slice(start, end));
  }

  /** `[...]`: a class that never matches `/`, or undefined when unclosed (then a literal `[`). */
  private bracket(): string | undefined {
    const src = this.src;
    let j = this.i;
    let negate = false;
    if (src[j] === '!' || src[j] === '^') {
      negate = true;
      j++;
    }
    let body = '';
    const first = j;
    while (j < src.length) {
      const c = src[j]!;
      if (c === ']' && j > first) break;
      if (c === '[' && src[j + 1] === ':') {
        const end = src.indexOf(':]', j + 2);
        if (end !== -1 && /^[a-z]+$/.test(src.slice(j + 2, end))) {
          body += src.slice(j, end + 2);
          j = end + 2;
          continue;
        }
      }
      if (c === '\\' && j + 1 < src.length) {
        body += literal(src[j + 1]!);
        j += 2;
        continue;
      }
      if (c === '/') return undefined; // a class never spans a separator: not a class
      body += c === '-' ? '-' : c === '[' || c === ']' || c === '^' ? `\\${c}` : c;
      j++;
    }
    if (j >= src.length) return undefined;
    this.i = j + 1;
    return negate ? `[^/${body}]` : `[${body}]`;
  }

  /** `{a,b}` alternatives or a `{1..5}` range; undefined when unclosed or without a comma (literal). */
  private braces(): string | undefined {
    const start = this.i;
    const range = /^(-?\d+)\.\.(-?\d+)\}/.exec(this.src.slice(start, start + 40));
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (Math.abs(to - from) + 1 > MAX_RANGE_VALUES) this.fail(`has a range of more than ${MAX_RANGE_VALUES} values`);
      const values: string[] = [];
      for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? 1 : -1) values.push(String(n));
      this.i = start + range[0].length;
      return `(?:${values.map((v) => v.replace('-', '\\-')).join('|')})`;
    }
    const parts: string[] = [];
    for (;;) {
      parts.push(this.sequence(new Set([',', '}'])));
      const c = this.src[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}' && parts.length > 1) {
        this.i++;
        return `(?:${parts.join('|')})`;
      }
      // Unclosed, or `{a}`: the brace is a character; read on from just after it.
      this.i = start;
      return undefined;
    }
  }
}
