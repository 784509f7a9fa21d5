/**
 * A repository path as people see it in reports: control characters (a newline or an escape
 * sequence in a file name, a bidirectional override) written as visible escapes, so a hostile name
 * can neither break a report's layout nor pose as another file. Everything else is unchanged; the
 * real path stays in the data (GitHub anchors on it).
 */
const INVISIBLE_CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2069\\ufeff]';
const HAS_INVISIBLE = new RegExp(INVISIBLE_CLASS);
const INVISIBLE = new RegExp(INVISIBLE_CLASS, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function displayPath(path: string): string {
  if (!HAS_INVISIBLE.test(path)) return path;
  return path.replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
