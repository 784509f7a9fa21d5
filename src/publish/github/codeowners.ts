/**
 * CODEOWNERS: who owns a path. Pure. GitHub's rules: gitignore-style patterns, the last matching
 * line wins, a line without owners un-owns the path. Only users (`@login`) can be assigned to
 * issues: teams (`@org/team`) and e-mail addresses are dropped.
 */
import { compileGlob, GlobError } from '../../glob.js';

interface Rule {
  match: (path: string) => boolean;
  owners: string[];
}

/** Parses CODEOWNERS text into rules, in file order. Unparseable lines are skipped. */
export function parseCodeowners(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const tokens = line.match(/(?:\\ |\S)+/g) ?? [];
    const [pattern, ...owners] = tokens;
    if (!pattern) continue;
    const match = compile(pattern.replace(/\\ /g, ' '));
    if (match) rules.push({ match, owners });
  }
  return rules;
}

function stripComment(line: string): string {
  // `#` starts a comment unless escaped (`\#` in a pattern).
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '#' && (i === 0 || line[i - 1] !== '\\')) return line.slice(0, i);
  }
  return line;
}

function compile(pattern: string): ((path: string) => boolean) | null {
  // Negation and character ranges are not supported by GitHub's CODEOWNERS: such lines are skipped.
  if (pattern.startsWith('!') || pattern.includes('[')) return null;
  let p = pattern.startsWith('\\#') ? pattern.slice(1) : pattern;
  const dirOnly = p.endsWith('/');
  if (dirOnly) p = p.slice(0, -1);
  // A slash at the start or in the middle anchors the pattern at the repository root.
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  if (!p) return null;
  const glob = anchored ? p : `**/${p}`;
  // A pattern naming a directory covers everything under it; `docs/*` covers only docs' own files.
  const last = p.split('/').pop() ?? '';
  let exact: (path: string) => boolean;
  let under: ((path: string) => boolean) | null;
  try {
    // Linear in the path: the file comes from the repository.
    exact = compileGlob(glob);
    under = last === '*' ? null : compileGlob(`${glob}/**`);
  } catch (e) {
    // Too long, too complex or regex syntax (parentheses, `|`): skipped like other unusable lines.
    if (e instanceof GlobError) return null;
    throw e;
  }
  return (path: string) => (!dirOnly && exact(path)) || (under !== null && under(path));
}

/**
 * The owners of `path` per the CODEOWNERS text (last matching rule wins), as assignable user
 * logins without the `@`; teams and e-mail addresses are left out. At most 10 (GitHub's limit).
 */
export function ownersOf(codeowners: string | null | undefined, path: string): string[] {
  if (!codeowners) return [];
  const rules = parseCodeowners(codeowners);
  let owners: string[] = [];
  for (const r of rules) if (r.match(path)) owners = r.owners;
  const users = owners.filter((o) => /^@[A-Za-z0-9][A-Za-z0-9_-]*$/.test(o)).map((o) => o.slice(1));
  return [...new Set(users)].slice(0, 10);
}
