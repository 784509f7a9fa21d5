/**
 * The rules for runs of the base64 alphabets without a marker: AWS secret access keys and the
 * values of secret-named keys by what precedes them, anything else by entropy and by not reading
 * as text, a path or an identifier judged segment by segment.
 */
import { KEEP_RANDOM, type Hit } from './hits.js';
import { classes, distinct, entropy, isToken, isWordSeparator, wordShare, words } from './text-measures.js';

// Candidates for the context and entropy rules: maximal runs of the base64 and base64url alphabets
// with their padding. The lookbehind keeps a failed attempt from restarting inside the same run.
export const RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** Key names that announce an AWS secret access key: `aws_secret_access_key`, `SecretAccessKey`. */
const AWS_KEY_NAME = /aws|secret/i;
// Key names that say their value is a secret, and the suffixes that make them name a reference to
// one instead (`API_KEY_FILE`, `token_url`): the same words as the github-workflow-literal-secrets
// rule, read on snake_case (`clientSecret` is `client_Secret`).
const SECRET_NAME = /(?:^|[-_.])(?:secret|password|passwd|pwd|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credentials?)(?:[-_.]|$)/i;
const REFERENCE_NAME = /[-_.](?:file|path|dir|name|id|url|uri|endpoint|arn|ref|region|type|version|ttl|expiry|header|user|username|length)$/i;
/** Base64 digests labelled as digests: subresource integrity (`sha512-...`) and Go sums (`h1:`). */
const DIGEST_LABEL = /^(?:sha(?:1|224|256|384|512)|md5)-/;
const DIGEST_BEFORE = /(?:sha(?:1|224|256|384|512)|md5|h1)[:=]$/i;

/** Shannon entropy, in bits per character, a random-looking token must reach (the module comment of src/redact.ts). */
const MIN_ENTROPY = 4.0;
/**
 * A run reads as text rather than as a key when half of it or more is words and 30% or more of
 * its letters are vowels: identifiers have about 40%, the letters of a random key 19% (10 of 52).
 */
const TEXT_WORDS = 0.5;
const TEXT_VOWELS = 0.3;

/** The context rules (AWS secret keys, values of secret-named keys), then the entropy rule. */
export function randomHits(text: string, start: number, end: number, hits: Hit[], wholeValue: boolean): void {
  if (awsSecret(text, start, end, wholeValue) || namedSecret(text, start, end)) {
    hits.push({ start, end, keep: KEEP_RANDOM, rank: 1 });
    return;
  }
  if (end - start < 32) return;
  // A path or an identifier is judged segment by segment (the module comment of src/redact.ts).
  if (words(text, start, end, true) >= 2) {
    let from = start;
    for (let i = start; i <= end; i++) {
      if (i < end && text.charCodeAt(i) !== 47) continue;
      unit(text, from, i, hits);
      from = i + 1;
    }
  } else {
    unit(text, start, end, hits);
  }
}

function unit(text: string, start: number, end: number, hits: Hit[]): void {
  if (end - start < 32) return;
  if (words(text, start, end, false) >= 2) {
    let from = start;
    for (let i = start; i <= end; i++) {
      if (i < end && !isWordSeparator(text.charCodeAt(i))) continue;
      if (random(text, from, i)) hits.push({ start: from, end: i, keep: KEEP_RANDOM, rank: 2 });
      from = i + 1;
    }
  } else if (random(text, start, end)) {
    hits.push({ start, end, keep: KEEP_RANDOM, rank: 2 });
  }
}

/** Exactly 40 of `[A-Za-z0-9/+]`, both cases, not hex, after a key that names it or an assignment. */
function awsSecret(text: string, start: number, end: number, wholeValue: boolean): boolean {
  if (end - start !== 40) return false;
  const c = classes(text, start, end);
  if (c.other > 0 || c.upper === 0 || c.lower === 0 || c.hexOnly) return false;
  if (distinct(text, start, end) < 5) return false;
  const before = assignment(text, start);
  if (AWS_KEY_NAME.test(before.key)) return true;
  return (before.assigned || (wholeValue && start === 0)) && words(text, start, end, true) < 2;
}

/**
 * The value of a key named as a secret (`WANDB_API_KEY=`, `SERVICE_TOKEN: "`, `"clientSecret": "`):
 * 16 characters or more with a digit, hex included, since many services issue hex keys. Words and
 * paths (`my-app-secret-prod`), repeated characters and references (`API_KEY_FILE`) are not.
 */
function namedSecret(text: string, start: number, end: number): boolean {
  let core = end;
  while (core > start && text.charCodeAt(core - 1) === 61) core--;
  if (core - start < 16 || classes(text, start, core).digit === 0 || distinct(text, start, core) < 5) return false;
  const before = assignment(text, start);
  if (!before.assigned) return false;
  const key = before.key.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return SECRET_NAME.test(key) && !REFERENCE_NAME.test(key) && words(text, start, end, true) < 2;
}

/**
 * What precedes a value on its line: the key it is given to and whether through an assignment
 * (`aws_secret_access_key = "`, `SecretAccessKey: `, `key => '`, `--aws-secret-access-key `).
 * Read backwards, character by character, over 64 characters at most.
 */
function assignment(text: string, start: number): { key: string; assigned: boolean } {
  const stop = Math.max(0, start - 64);
  let i = start;
  const back = (test: (c: number) => boolean) => {
    while (i > stop && test(text.charCodeAt(i - 1))) i--;
  };
  const quote = (c: number) => c === 34 || c === 39;
  const blank = (c: number) => c === 32 || c === 9;
  back(quote);
  back(blank);
  let assigned = false;
  const c = text.charCodeAt(i - 1);
  if (i > stop && (c === 61 || c === 58)) {
    i--;
    assigned = true;
  } else if (i - 1 > stop && c === 62 && text.charCodeAt(i - 2) === 61) {
    i -= 2;
    assigned = true;
  }
  back(blank);
  back(quote);
  const keyEnd = i;
  back((k) => isToken(k) && k !== 43 && k !== 47 && k !== 37 && k !== 61);
  return { key: text.slice(i, keyEnd), assigned };
}

/** The entropy rule: long, mixed classes, not hex, not a labelled digest, random, not words. */
function random(text: string, start: number, end: number): boolean {
  let core = end;
  while (core > start && text.charCodeAt(core - 1) === 61) core--;
  if (core - start < 32) return false;
  const c = classes(text, start, core);
  if (c.upper < 2 || c.lower < 2 || c.digit < 1 || c.hexOnly) return false;
  if (DIGEST_LABEL.test(text.slice(start, start + 7))) return false;
  if (DIGEST_BEFORE.test(text.slice(Math.max(0, start - 7), start))) return false;
  if (entropy(text, start, core) < MIN_ENTROPY) return false;
  return c.vowels < TEXT_VOWELS * (c.upper + c.lower) || wordShare(text, start, core) < TEXT_WORDS;
}
