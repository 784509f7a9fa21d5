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
 * rule built on the `credential` predicate (true for them) should do the same.
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
 *
 * The parts live in `redact/`: `scan.ts` finds the hits (`prefixed-tokens.ts`, `context-values.ts`,
 * `base64-runs.ts` are the families, `text-measures.ts` what they measure a run by) and `hits.ts`
 * replaces them.
 */
import { apply } from './redact/hits.js';
import { scan } from './redact/scan.js';

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
 * Whether `value`, assigned to a key named `key` (`WANDB_API_KEY`, `AWS_SECRET_ACCESS_KEY`), is or
 * holds a credential: the families above, with the key as the context that tells a hex API key or
 * a bare AWS secret from a digest (the rule language's `credential` predicate). A list of secret
 * names, a placeholder or an expression is none. Without a key, the value is read as a whole value.
 */
export function looksLikeCredentialUnder(key: string | undefined, value: string): boolean {
  if (typeof value !== 'string') return false;
  if (key === undefined || key === '') return looksLikeCredential(value);
  const from = key.length + 2;
  return scan(`${key}: ${value}`, false)?.some((h) => h.end > from) ?? false;
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
