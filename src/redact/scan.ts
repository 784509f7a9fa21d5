/**
 * Finding the hits of a text: one loop over the characters picks the runs worth a closer look, and
 * the families' regexes and rules run on those runs alone (the cost is in the module comment of
 * src/redact.ts).
 */
import { AZURE, azureHit, privateKeys, SLACK_WEBHOOK, slackHit, userinfo } from './context-values.js';
import type { Hit } from './hits.js';
import { PREFIXED, prefixedHit } from './prefixed-tokens.js';
import { randomHits, RUN } from './base64-runs.js';
import { AT as AT_CODE, CHARS as CHAR_TABLE, isEscapeLetter, isToken, STRONG as STRONG_CODE, WEAK as WEAK_CODE } from './text-measures.js';

// `scan` reads these for every character of every message: module-local copies, which V8 reads
// faster than imported bindings (measured: a tenth of the time of `redact` on typical messages).
const CHARS = CHAR_TABLE;
const WEAK = WEAK_CODE;
const STRONG = STRONG_CODE;
const AT = AT_CODE;

/**
 * The hits in `text`, or undefined when there is none. Every family but URL passwords and key
 * blocks has 16 consecutive characters of `[A-Za-z0-9_+/%=-]` with a capital or a digit among them
 * (a marker and its random part), so one pass over the characters finds the runs worth a closer
 * look, and most messages have none. A hand-written loop: the equivalent regex needs a lookbehind
 * at every position and is twice as slow.
 */
export function scan(text: string, wholeValue: boolean): Hit[] | undefined {
  let hits: Hit[] | undefined;
  let at = false;
  let start = 0;
  let strong = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const k = CHARS[text.charCodeAt(i)];
    if (k === WEAK) continue;
    if (k === STRONG) {
      strong = true;
      continue;
    }
    if (k === AT) at = true;
    // `- 1`: the character after the run is read again, by the next turn, in case it is an `@`.
    if (strong && i - start >= 16) i = candidate(text, start, i, (hits ??= []), wholeValue) - 1;
    start = i + 1;
    strong = false;
  }
  if (strong && n - start >= 16) candidate(text, start, n, (hits ??= []), wholeValue);
  if (at) userinfo(text, (hits ??= []));
  if (text.includes('-----BEGIN')) privateKeys(text, (hits ??= []));
  return hits !== undefined && hits.length > 0 ? hits : undefined;
}

/**
 * Looks at the run [start, end) and returns where the scan goes on. The families also span dots
 * (JWTs, GitLab's routable tokens, the Slack webhook host), so the run is widened to them first;
 * the scan resumes after the widened run, so no character is read twice.
 */
function candidate(text: string, start: number, end: number, hits: Hit[], wholeValue: boolean): number {
  while (start > 0 && isToken(text.charCodeAt(start - 1))) start--;
  while (end < text.length && isToken(text.charCodeAt(end))) end++;
  // In a JSON or YAML string, `\nAKIA...` is a line break and a key, not the word `nAKIA...`.
  if (start > 0 && text.charCodeAt(start - 1) === 92 && isEscapeLetter(text.charCodeAt(start))) start++;
  inRun(text, start, end, hits, wholeValue);
  return end;
}

/**
 * The token families inside one run of `[A-Za-z0-9_+/%=.-]`. The characters around a run are
 * outside every family's class, so a regex sees the same boundaries in the slice as in the text.
 */
function inRun(text: string, start: number, end: number, hits: Hit[], wholeValue: boolean): void {
  const run = text.slice(start, end);
  collect(PREFIXED, run, start, hits, prefixedHit);
  if (run.includes('=')) collect(AZURE, run, start, hits, azureHit);
  if (run.includes('hooks.slack.com/')) collect(SLACK_WEBHOOK, run, start, hits, slackHit);
  collect(RUN, run, start, hits, (m, at) => randomHits(text, at, at + m[0].length, hits, wholeValue));
}

function collect(re: RegExp, run: string, offset: number, hits: Hit[], found: (m: RegExpExecArray, at: number, hits: Hit[]) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(run); m !== null; m = re.exec(run)) found(m, offset + m.index, hits);
}
