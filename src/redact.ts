/**
 * Redaction of credentials in everything we publish.
 *
 * A finding message, a parse error or an evidence snippet may quote a value from the reviewed
 * repository, and that value may be a live credential. Check runs, annotations, comments, issues
 * and SARIF are read by more people than the repository's secrets are meant for (SARIF is uploaded
 * elsewhere too), so every text leaves through `redact`, and every structure through `redactDeep`.
 *
 * The format: a credential becomes the characters that name its family, an ellipsis and its length.
 *
 *     ghp_…(40 chars, redacted)      glpat-…(26 chars, redacted)      AKIA…(20 chars, redacted)
 *
 * - A token with a marker keeps its marker (`ghp_`, `glpat-`, `AKIA`, `hf_`, `xoxb-`, `eyJ`...),
 *   so a reader knows what to rotate; never more than 6 characters (`sk_liv`, `github`) nor more
 *   than a quarter of the secret.
 * - A high-entropy value without a marker (AWS secret key, Azure key, generic token) keeps 4
 *   characters: enough to tell two values of a file apart, 24 bits out of 190 and more.
 * - A URL password and a private key body keep nothing: a prefix is a large share of a password a
 *   person chose, and the armour line around a key already says what it is.
 * - Where the context is what identifies a value (`AccountKey=`, `https://user:`, the
 *   `-----BEGIN RSA PRIVATE KEY-----` line, `https://hooks.slack.com/services/`), the context stays
 *   and only the value is replaced.
 *
 * The format adds only `…`, `(`, `)`, `,`, spaces, digits and letters: nothing that Markdown, HTML
 * or a terminal interprets, and no line break (a key body's line breaks go with it). No rule
 * matches it again, so `redact` is idempotent, and each redaction grows a text by at most 18
 * characters (`…(1 char, redacted)` for a one-character password).
 *
 * Families, in the shapes gitleaks and GitHub secret scanning give them:
 *
 * - tokens with a marker, which must not follow a letter, digit, `_` or `-` (`risk_live_...` is no
 *   Stripe key): AWS access key ids (`AKIA` `ASIA` `ABIA` `ACCA` `AGPA` `AIDA` `AROA` `AIPA` `ANPA`
 *   `ANVA`, or `A3T` and one more, + 16 of `[A-Z2-7]`); GitHub (`ghp_` `gho_` `ghu_` `ghs_`
 *   `ghr_`, `github_pat_`); GitLab (`glpat-`, `gldt-`, `glrt-`, `glptt-`, the other `gl...-`
 *   tokens, `GR1348941`); Hugging Face (`hf_`, `api_org_` + 30 or more letters of both cases);
 *   Slack (`xoxb-` `xoxp-` `xoxa-` `xoxo-` `xoxs-` `xoxr-` `xoxe-` `xapp-` + 20 or more, with a
 *   digit); Stripe (`sk_live_` `rk_live_` `sk_test_`...); Google API keys (`AIza` + 35); OpenAI
 *   and Anthropic (`sk-` `sk-proj-` `sk-ant-`... + 20 or more, with capitals, lower case and
 *   digits, so that prose such as `sk-learn-...` is not one); npm (`npm_` + 36); PyPI
 *   (`pypi-AgE...`); JWTs (`eyJ...` `.` `eyJ...` `.` signature);
 * - values known by their context: AWS secret access keys (exactly 40 of `[A-Za-z0-9/+]`, both
 *   cases, not hex) after a key named `aws...` or `secret...`, or after a `=` or `:` assignment
 *   unless they read as a path; the value assigned to a key named as a secret, with the words of
 *   the github-workflow-literal-secrets rule (`WANDB_API_KEY=`, `SERVICE_TOKEN:`, `"dbPassword":`,
 *   not `API_KEY_FILE` or `secret_name`), when it has 16 characters or more and a digit, hex
 *   included, as many services issue hex keys; Azure `AccountKey=`, `SharedAccessKey=` and `sig=`
 *   values (`sig` is the only secret part of a SAS token: its version, expiry and permissions stay
 *   readable); the password of `scheme://user:password@host` (the user stays); Slack webhook
 *   paths; private key blocks, from after the `-----BEGIN ... PRIVATE KEY-----` line to the END
 *   line, or to the end of the text when it was cut, provided a key body follows (a message that
 *   only names the armour keeps its words);
 * - anything else that looks random: a run of 32 or more base64/base62 characters with two
 *   capitals, two lower-case letters and a digit or more, not hex, whose Shannon entropy is at
 *   least 4.0 bits per character, and which does not read as text. A random 32-character base62
 *   token averages 4.55 bits and falls under 4.0 in 0.02% of cases (never from 40 characters on),
 *   so the threshold only turns away repetitive values; identifiers and paths of that length sit
 *   between 3.8 and 4.5 bits, where entropy cannot tell them from keys. What tells them apart is
 *   reading as text: half of the characters or more in words (3 or more lower-case letters,
 *   capitalised or not, or 4 or more capitals) and 30% or more of the letters vowels, where
 *   identifiers have about 40% and random letters 19% (10 of 52). A run with two or more segments
 *   between `/`, `_` or `-` that are words (`models`, `SNYK`, `Hello`) is a path or an identifier,
 *   and is judged segment by segment: a git SHA in a URL or a hash in a file name does not make the
 *   whole path look random, and a random segment of 32 characters is still caught. Measured, the
 *   rule lets through 0.8% of random 32-character tokens (half of those for want of two capitals
 *   or a digit), 0.3% of 40-character ones and under 0.1% from 64 on.
 *
 * Not redacted, because they are not secrets and findings need them readable: hex strings of any
 * length (git SHAs, fingerprints, sha256 digests and `sha256:` image digests, KMS key ids) unless a
 * key named as a secret holds them (`TOKENIZER_REVISION: <sha>` is no secret name), UUIDs,
 * ARNs, S3 and ECR URIs, Terraform addresses, file paths, base64 digests that say they are digests
 * (`sha512-` subresource integrity, `sha256:`, Go's `h1:`), and placeholders: `<your-kms-key-arn>`,
 * `${{ secrets.X }}`, `${var.x}`, `$TOKEN`, `changeme`, `password`, and tokens whose random part
 * has fewer than 5 distinct characters (`ghp_xxxx...`, `AKIAXXXXXXXXXXXXXXXX`, the documented
 * `https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`). AWS's documented
 * example keys (`AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`) are redacted:
 * they have the exact shape of real keys, hiding them costs a reader nothing, and an exception by
 * content would let a real key through (`...EXAMPLE` is a valid ending of a real key id). Whether
 * one is worth a finding is another question: github-workflow-literal-secrets skips them, and a
 * rule built on `looksLikeCredential` (true for them) should do the same.
 *
 * Cost: linear in the text. Every family but URL passwords and key blocks has 16 consecutive
 * characters of `[A-Za-z0-9_+/%=-]` with a capital or a digit among them, so one loop over the
 * characters finds the runs worth a closer look; most messages have none and cost that loop only.
 * The regexes then run on those runs alone. None has a quantified group whose iterations can match
 * the same text in two ways, and every unbounded class either follows a lookbehind that forbids
 * starting inside a run of that class or ends at the first character outside it, so no input
 * makes one backtrack more than a constant per character. `redact` runs on every message of every
 * review: 10,000 typical messages take 4 to 5 ms on a busy two-core machine, of which 3 ms is the
 * loop over the characters alone (test/core/redact.test.ts keeps an eye on it).
 */

/** A span to replace: [start, end) of the text, `keep` characters of it stay visible. */
interface Hit {
  start: number;
  end: number;
  keep: number;
  /** Which prefix wins when two families find the same span: marker, then context, then entropy. */
  rank: number;
}

const MAX_KEEP = 6;
/** Characters a high-entropy value without a marker keeps. */
const KEEP_RANDOM = 4;

// What the first scan looks for, by UTF-16 code unit (a full table: no range test in the loop): a
// token character (`[A-Za-z0-9_+/%=-]`), one that is also a capital or a digit, and `@`.
const WEAK = 1;
const STRONG = 2;
const AT = 3;
const CHARS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Z0-9]/.test(ch)) CHARS[c] = STRONG;
  else if (/[a-z_+/%=-]/.test(ch)) CHARS[c] = WEAK;
  else if (ch === '@') CHARS[c] = AT;
}

// Tokens that carry their family in a marker. The lookbehind makes every alternative start only at
// the beginning of a run of `[A-Za-z0-9_-]`, and each body is a class of that run (the JWT and
// GitLab dots are single literal separators), so a failed attempt costs at most one run.
const PREFIXED = new RegExp(
  '(?<![A-Za-z0-9_-])(?:' +
    [
      '(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])',
      'gh[pousr]_[A-Za-z0-9]{30,}',
      'github_pat_[A-Za-z0-9_]{30,}',
      'gl(?:pat|dt|rt|ptt|cbt|ft|imt|agent|oas|soat)-[A-Za-z0-9_-]{20,}(?:\\.[A-Za-z0-9_-]+)*',
      'GR1348941[A-Za-z0-9_-]{20,}',
      'hf_[A-Za-z]{30,}',
      'api_org_[A-Za-z]{30,}',
      'xox[abposre]-[A-Za-z0-9-]{20,}',
      'xapp-[A-Za-z0-9-]{20,}',
      '[sr]k_(?:live|test|prod)_[A-Za-z0-9]{16,}',
      'AIza[A-Za-z0-9_-]{35,}',
      'sk-[A-Za-z0-9_-]{20,}',
      'npm_[A-Za-z0-9]{36,}',
      'pypi-AgE[A-Za-z0-9_-]{50,}',
      'eyJ[A-Za-z0-9_-]{13,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*',
    ].join('|') +
    ')',
  'g',
);

/** The part of a prefixed token that names its family, which is what the redaction keeps. */
const MARKER =
  /^(?:github_pat_|gh[pousr]_|gl[a-z]+-|GR1348941|hf_|api_org_|xox[a-z]-|xapp-|[sr]k_[a-z]+_|AIza|sk-(?:proj-|ant-|svcacct-|admin-)?|npm_|pypi-|A3T[A-Z0-9]|A[A-Z]{3}|eyJ)/;

const SLACK_WEBHOOK = /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/+-]{20,})/g;

// Azure connection strings and SAS tokens: the account key, the shared access key, and the
// signature of a SAS token (`SharedAccessSignature=sv=...&sig=...`), its only secret part: version,
// expiry and permissions stay readable. Percent signs: SAS values are URL-encoded.
const AZURE = /(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|sig)=([A-Za-z0-9+/%]{16,}={0,2})/gi;

const PEM_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_END = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/y;
/** What a key body starts with: base64, or the header lines of an encrypted PEM or PGP block. */
const KEY_MATERIAL = /[A-Za-z0-9+/=]{16}|(?:Proc-Type|DEK-Info|Version|Comment|Hash):/y;

// Candidates for the context and entropy rules: maximal runs of the base64 and base64url alphabets
// with their padding. The lookbehind keeps a failed attempt from restarting inside the same run.
const RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}/g;
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

/** Shannon entropy, in bits per character, a random-looking token must reach (module comment). */
const MIN_ENTROPY = 4.0;
/**
 * A run reads as text rather than as a key when half of it or more is words and 30% or more of
 * its letters are vowels: identifiers have about 40%, the letters of a random key 19% (10 of 52).
 */
const TEXT_WORDS = 0.5;
const TEXT_VOWELS = 0.3;

/** Passwords that are placeholders rather than passwords. */
const PLACEHOLDER_PASSWORD = /^(?:password|passwd|pass|pwd|secret|token|changeme|example|redacted|user|username)$/i;

/**
 * Replaces every credential in `text` by its kept prefix, `…` and its length (see the module
 * comment). Anything that is not a string is returned as it is.
 */
export function redact(text: string): string {
  if (typeof text !== 'string' || text.length < 3) return text;
  let out = text;
  // A kept prefix can, very rarely, join the text before it into a run that a rule now judges
  // differently; passing again until nothing changes makes the result a fixed point.
  for (let pass = 0; pass < 3; pass++) {
    const hits = scan(out, false);
    if (hits === undefined) break;
    out = apply(out, hits);
  }
  return out;
}

/**
 * Whether a whole value is, or holds, a credential. The value is read as the right-hand side of an
 * assignment, so a bare 40-character AWS secret access key counts, as it would after `key = `.
 */
export function looksLikeCredential(value: string): boolean {
  if (typeof value !== 'string' || value.length < 3) return false;
  return scan(value, true) !== undefined;
}

/**
 * A copy of a JSON-like value (plain objects, arrays, strings and primitives) with every string,
 * keys included, redacted. What holds no credential is returned as it is, the same object, so the
 * common case copies nothing. Other objects (dates, maps, class instances) are returned
 * untouched, and so is an object met again inside itself.
 */
export function redactDeep<T>(value: T): T {
  return deep(value, undefined) as T;
}

function deep(value: unknown, ancestors: Set<object> | undefined): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors?.has(value)) return value;
  if (Array.isArray(value)) {
    const seen = (ancestors ??= new Set()).add(value);
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const r = deep(item, seen);
      if (r !== item && out === undefined) out = value.slice(0, i);
      if (out !== undefined) out.push(r);
    }
    seen.delete(value);
    return out ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const seen = (ancestors ??= new Set()).add(value);
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = source[key];
    const k = redact(key);
    const r = deep(item, seen);
    if ((k !== key || r !== item) && out === undefined) {
      out = Object.create(proto as object | null) as Record<string, unknown>;
      for (let j = 0; j < i; j++) define(out, keys[j]!, source[keys[j]!]);
    }
    if (out !== undefined) define(out, k, r);
  }
  seen.delete(value);
  return out ?? value;
}

/** Sets an own property; plain assignment would turn a `__proto__` key into a prototype change. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The hits in `text`, or undefined when there is none. Every family but URL passwords and key
 * blocks has 16 consecutive characters of `[A-Za-z0-9_+/%=-]` with a capital or a digit among them
 * (a marker and its random part), so one pass over the characters finds the runs worth a closer
 * look, and most messages have none. A hand-written loop: the equivalent regex needs a lookbehind
 * at every position and is twice as slow.
 */
function scan(text: string, wholeValue: boolean): Hit[] | undefined {
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

/** `[A-Za-z0-9_+/%=.-]`: the characters of every token family. */
function isToken(c: number): boolean {
  return CHARS[c] === WEAK || CHARS[c] === STRONG || c === 46;
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

function prefixedHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
  const token = m[0];
  const marker = MARKER.exec(token)?.[0].length ?? 0;
  if (plausible(token, token.slice(marker))) hits.push({ start: at, end: at + token.length, keep: marker, rank: 0 });
}

/** Family checks that the regex cannot say briefly, and the placeholder test. */
function plausible(token: string, body: string): boolean {
  if (distinct(body, 0, body.length) < 5) return false;
  if (token.startsWith('hf_') || token.startsWith('api_org_')) return /[A-Z]/.test(body) && /[a-z]/.test(body);
  if (token.startsWith('xox') || token.startsWith('xapp-')) return /[0-9]/.test(body);
  if (token.startsWith('sk-')) return /[A-Z]/.test(body) && /[a-z]/.test(body) && /[0-9]/.test(body);
  return true;
}

function privateKeys(text: string, hits: Hit[]): void {
  let from = 0;
  for (let i = text.indexOf('-----BEGIN', from); i !== -1; i = text.indexOf('-----BEGIN', from)) {
    PEM_BEGIN.lastIndex = i;
    const begin = PEM_BEGIN.exec(text);
    if (begin === null) {
      from = i + 10;
      continue;
    }
    const bodyStart = i + begin[0].length;
    let bodyEnd = text.length;
    let next = text.length;
    for (let j = text.indexOf('-----END', bodyStart); j !== -1; j = text.indexOf('-----END', j + 8)) {
      PEM_END.lastIndex = j;
      const end = PEM_END.exec(text);
      if (end !== null) {
        bodyEnd = j;
        next = j + end[0].length;
        break;
      }
    }
    const [start, stop] = trimBody(text, bodyStart, bodyEnd);
    KEY_MATERIAL.lastIndex = start;
    // A message quoting only the armour ("-----BEGIN RSA PRIVATE KEY----- found in ...") holds no key.
    if (stop > start && KEY_MATERIAL.test(text)) hits.push({ start, end: stop, keep: 0, rank: 1 });
    from = next;
  }
}

/** The body without the white space around it, literal `\n` escapes included (keys inside JSON). */
function trimBody(text: string, start: number, end: number): [number, number] {
  for (;;) {
    const c = text.charCodeAt(start);
    if (start < end && isSpace(c)) start++;
    else if (start + 1 < end && c === 92 && isEscapeLetter(text.charCodeAt(start + 1))) start += 2;
    else break;
  }
  for (;;) {
    const c = text.charCodeAt(end - 1);
    if (end > start && isSpace(c)) end--;
    else if (end - 1 > start && text.charCodeAt(end - 2) === 92 && isEscapeLetter(c)) end -= 2;
    else break;
  }
  return [start, end];
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x85;
}

function isEscapeLetter(c: number): boolean {
  return c === 110 || c === 114 || c === 116; // n r t
}

/** `scheme://user:password@host`: the password, unless it is a placeholder. */
function userinfo(text: string, hits: Hit[]): void {
  // The authority ends at the first `/`, and every later `://` holds one, so the scans of two
  // authorities never overlap.
  for (let i = text.indexOf('://'); i !== -1; i = text.indexOf('://', i + 3)) {
    let colon = -1;
    let at = -1;
    for (let j = i + 3; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (endsAuthority(c)) break;
      if (c === 64) at = j;
      else if (c === 58 && colon === -1) colon = j;
    }
    if (colon === -1 || at <= colon + 1) continue;
    if (placeholderPassword(text.slice(colon + 1, at))) continue;
    hits.push({ start: colon + 1, end: at, keep: 0, rank: 1 });
  }
}

/** `/ ? # " ' \` < > \`, white space and control characters. */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 127 || '/?#"\'`<>\\'.includes(String.fromCharCode(c)) || isSpace(c);
}

function placeholderPassword(p: string): boolean {
  // `${TOKEN}`, `$TOKEN`, `{{ token }}`, `%s`, `<password>`, `*****`, `xxxx`
  if (/^[$%{<*]/.test(p) || p.includes('${') || p.includes('{{')) return true;
  if (PLACEHOLDER_PASSWORD.test(p)) return true;
  return p.length > 1 && distinct(p, 0, p.length) === 1;
}

function slackHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
  const path = m[1]!;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (distinct(last, 0, last.length) < 5) return;
  const start = at + m[0].length - path.length;
  hits.push({ start, end: start + path.length, keep: 0, rank: 1 });
}

function azureHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
  const value = m[1]!;
  if (distinct(value, 0, value.length) < 5) return;
  // Two of upper case, lower case and digits: `sig=` also names harmless things.
  const c = classes(value, 0, value.length);
  if ((c.upper > 0 ? 1 : 0) + (c.lower > 0 ? 1 : 0) + (c.digit > 0 ? 1 : 0) < 2) return;
  const start = at + m[0].length - value.length;
  hits.push({ start, end: start + value.length, keep: KEEP_RANDOM, rank: 1 });
}

/** The context rules (AWS secret keys, values of secret-named keys), then the entropy rule. */
function randomHits(text: string, start: number, end: number, hits: Hit[], wholeValue: boolean): void {
  if (awsSecret(text, start, end, wholeValue) || namedSecret(text, start, end)) {
    hits.push({ start, end, keep: KEEP_RANDOM, rank: 1 });
    return;
  }
  if (end - start < 32) return;
  // A path or an identifier is judged segment by segment (module comment).
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

function classes(text: string, start: number, end: number): Classes {
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

function isWordSeparator(c: number): boolean {
  return c === 47 || c === 95 || c === 45; // / _ -
}

/**
 * How many segments between `_` and `-` (and `/` when `slash`) are words: 3 letters or more, all
 * lower case, all capitals, or capitalised (`models`, `SNYK`, `Hello`).
 */
function words(text: string, start: number, end: number, slash: boolean): number {
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
function wordShare(text: string, start: number, end: number): number {
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

function entropy(text: string, start: number, end: number): number {
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

function distinct(text: string, start: number, end: number): number {
  const seen = new Set<number>();
  for (let i = start; i < end && seen.size < 5; i++) seen.add(text.charCodeAt(i));
  return seen.size;
}

/** Replaces the hits, merging overlapping ones so that no part of a credential survives. */
function apply(text: string, hits: Hit[]): string {
  hits.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  let out = '';
  let pos = 0;
  let cur: Hit = { ...hits[0]! };
  for (let i = 1; i <= hits.length; i++) {
    const next = hits[i];
    if (next !== undefined && next.start < cur.end) {
      if (next.end > cur.end) cur.end = next.end;
      // Nothing of a password or a key body shows, even through the prefix of a hit around it.
      if (next.keep === 0) cur.keep = Math.min(cur.keep, next.start - cur.start);
      continue;
    }
    out += text.slice(pos, cur.start) + mask(text.slice(cur.start, cur.end), cur.keep);
    pos = cur.end;
    if (next !== undefined) cur = { ...next };
  }
  return out + text.slice(pos);
}

function mask(secret: string, keep: number): string {
  const n = secret.length;
  const shown = secret.slice(0, Math.min(keep, MAX_KEEP, Math.floor(n / 4)));
  return `${shown}…(${n} ${n === 1 ? 'char' : 'chars'}, redacted)`;
}
