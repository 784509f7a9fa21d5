/**
 * Tokens that carry their family in a marker (`ghp_`, `glpat-`, `AKIA`, `hf_`, `xoxb-`, `eyJ`...):
 * the redaction keeps the marker, so a reader knows what to rotate.
 */
import type { Hit } from './hits.js';
import { distinct } from './text-measures.js';

// Tokens that carry their family in a marker. The lookbehind makes every alternative start only at
// the beginning of a run of `[A-Za-z0-9_-]`, and each body is a class of that run (the JWT and
// GitLab dots are single literal separators), so a failed attempt costs at most one run.
export const PREFIXED = new RegExp(
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

export function prefixedHit(m: RegExpExecArray, at: number, hits: Hit[]): void {
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
