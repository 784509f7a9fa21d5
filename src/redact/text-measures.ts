/**
 * What the credential rules measure text by: the table of token characters the first scan reads,
 * character classes, words and their share of a run, Shannon entropy, distinct characters.
 */

// What the first scan looks for, by UTF-16 code unit (a full table: no range test in the loop): a
// token character (`[A-Za-z0-9_+/%=-]`), one that is also a capital or a digit, and `@`.
export const WEAK = 1;
export const STRONG = 2;
export const AT = 3;
export const CHARS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Z0-9]/.test(ch)) CHARS[c] = STRONG;
  else if (/[a-z_+/%=-]/.test(ch)) CHARS[c] = WEAK;
  else if (ch === '@') CHARS[c] = AT;
}

/** `[A-Za-z0-9_+/%=.-]`: the characters of every token family. */
export function isToken(c: number): boolean {
  return CHARS[c] === WEAK || CHARS[c] === STRONG || c === 46;
}

export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x85;
}

export function isEscapeLetter(c: number): boolean {
  return c === 110 || c === 114 || c === 116; // n r t
}

interface Classes {
  upper: number;
  lower: number;
  digit: number;
  vowels: number;
  /** Characters outside `[A-Za-z0-9/+]`: `_`, `-` and `=`. */
  other: number;
  hexOnly: boolean;
}

/** a e i o u */
const VOWELS = [97, 101, 105, 111, 117];

export function classes(text: string, start: number, end: number): Classes {
  const c: Classes = { upper: 0, lower: 0, digit: 0, vowels: 0, other: 0, hexOnly: true };
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 65 && ch <= 90) {
      c.upper++;
      if (ch > 70) c.hexOnly = false;
      if (VOWELS.includes(ch | 32)) c.vowels++;
    } else if (ch >= 97 && ch <= 122) {
      c.lower++;
      if (ch > 102) c.hexOnly = false;
      if (VOWELS.includes(ch)) c.vowels++;
    } else if (ch >= 48 && ch <= 57) {
      c.digit++;
    } else if (ch === 45) {
      // UUIDs are hex with dashes.
      c.other++;
    } else {
      if (ch !== 47 && ch !== 43) c.other++;
      c.hexOnly = false;
    }
  }
  return c;
}

export function isWordSeparator(c: number): boolean {
  return c === 47 || c === 95 || c === 45; // / _ -
}

/**
 * How many segments between `_` and `-` (and `/` when `slash`) are words: 3 letters or more, all
 * lower case, all capitals, or capitalised (`models`, `SNYK`, `Hello`).
 */
export function words(text: string, start: number, end: number, slash: boolean): number {
  let count = 0;
  let len = 0;
  let upper = 0;
  let firstUpper = false;
  let letters = true;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 47;
    if (c === 95 || c === 45 || (c === 47 && (slash || i === end))) {
      if (letters && len >= 3 && (upper === 0 || upper === len || (upper === 1 && firstUpper))) count++;
      len = 0;
      upper = 0;
      letters = true;
      continue;
    }
    if (c >= 65 && c <= 90) {
      if (len === 0) firstUpper = true;
      upper++;
    } else if (c < 97 || c > 122) {
      letters = false;
    } else if (len === 0) {
      firstUpper = false;
    }
    len++;
  }
  return count;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/**
 * Share of characters in words: 3 or more lower-case letters, capitalised or not, and runs of 4
 * or more capitals (`SageMaker` `JSONParser` `KHR`... counted as `Sage` `Maker` `JSON` `Parser`).
 */
export function wordShare(text: string, start: number, end: number): number {
  let inWords = 0;
  let i = start;
  while (i < end) {
    if (isUpper(text.charCodeAt(i))) {
      let j = i;
      while (j < end && isUpper(text.charCodeAt(j))) j++;
      let k = j;
      while (k < end && isLower(text.charCodeAt(k))) k++;
      const caps = j - i;
      const lower = k - j;
      // The last capital starts the lower-case word that follows it; the ones before are an acronym.
      if (lower >= 3) inWords += 1 + lower + (caps - 1 >= 4 ? caps - 1 : 0);
      else if (lower === 0 ? caps >= 4 : caps - 1 >= 4) inWords += lower === 0 ? caps : caps - 1;
      i = k;
    } else if (isLower(text.charCodeAt(i))) {
      let k = i;
      while (k < end && isLower(text.charCodeAt(k))) k++;
      if (k - i >= 3) inWords += k - i;
      i = k;
    } else {
      i++;
    }
  }
  return inWords / (end - start);
}

// Scratch counters for the ASCII runs the entropy rules look at; reset after each use.
const COUNTS = new Uint32Array(128);

export function entropy(text: string, start: number, end: number): number {
  const n = end - start;
  for (let i = start; i < end; i++) COUNTS[text.charCodeAt(i) & 127]!++;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) & 127;
    const k = COUNTS[c]!;
    if (k > 0) {
      sum += k * Math.log2(k);
      COUNTS[c] = 0;
    }
  }
  return Math.log2(n) - sum / n;
}

export function distinct(text: string, start: number, end: number): number {
  const seen = new Set<number>();
  for (let i = start; i < end && seen.size < 5; i++) seen.add(text.charCodeAt(i));
  return seen.size;
}
