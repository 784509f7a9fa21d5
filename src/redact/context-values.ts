/**
 * Credentials known by the text around them: Slack webhook paths, Azure account keys and SAS
 * signatures, private key blocks and URL passwords. The context stays; only the value is replaced.
 */
import { KEEP_RANDOM, type Hit } from './hits.js';
import { classes, distinct, isEscapeLetter, isSpace } from './text-measures.js';

export const SLACK_WEBHOOK = /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/+-]{20,})/g;

// Azure connection strings and SAS tokens: the account key, the shared access key, and the
// signature of a SAS token (`SharedAccessSignature=sv=...&sig=...`), its only secret part: version,
// expiry and permissions stay readable. Percent signs: SAS values are URL-encoded.
export const AZURE = /(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|sig)=([A-Za-z0-9+/%]{16,}={0,2})/gi;

const PEM_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_END = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/y;
/** What a key body starts with: base64, or the header lines of an encrypted PEM or PGP block. */
const KEY_MATERIAL = /[A-Za-z0-9+/=]{16}|(?:Proc-Type|DEK-Info|Version|Comment|Hash):/y;

/** Passwords that are placeholders rather than passwords. */
const PLACEHOLDER_PASSWORD = /^(?:password|passwd|pass|pwd|secret|token|changeme|example|redacted|user|username)$/i;

export function privateKeys(text: string, hits: Hit[]): void {
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

/** `scheme://user:password@host`: the password, unless it is a placeholder. */
export function userinfo(text: string, hits: Hit[]): void {
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

export function slackHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
  const path = m[1]!;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (distinct(last, 0, last.length) < 5) return;
  const start = at + m[0].length - path.length;
  hits.push({ start, end: start + path.length, keep: 0, rank: 1 });
}

export function azureHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
  const value = m[1]!;
  if (distinct(value, 0, value.length) < 5) return;
  // Two of upper case, lower case and digits: `sig=` also names harmless things.
  const c = classes(value, 0, value.length);
  if ((c.upper > 0 ? 1 : 0) + (c.lower > 0 ? 1 : 0) + (c.digit > 0 ? 1 : 0) < 2) return;
  const start = at + m[0].length - value.length;
  hits.push({ start, end: start + value.length, keep: KEEP_RANDOM, rank: 1 });
}
