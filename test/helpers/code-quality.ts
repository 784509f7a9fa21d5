/**
 * Checks a GitLab Code Quality report by hand against what GitLab documents and reads (a JSON array
 * of `description`, `check_name`, `fingerprint`, `severity`, `location.path`, `location.lines.begin`),
 * and against what this tool promises (one-line descriptions, unique fingerprints, relative POSIX
 * paths). No schema download.
 */

export const GITLAB_SEVERITIES = ['info', 'minor', 'major', 'critical', 'blocker'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Throws with the entry's index when `report` is not a report GitLab's Code Quality parser takes. */
export function validateCodeQuality(report: unknown): void {
  const fail = (where: string, what: string): never => {
    throw new Error(`Code Quality report${where}: ${what}`);
  };
  if (!Array.isArray(report)) return fail('', 'must be a JSON array');
  const fingerprints = new Set<string>();
  report.forEach((e: unknown, i) => {
    const at = `[${i}]`;
    if (!isObject(e)) return fail(at, 'not an object');
    for (const k of ['description', 'check_name', 'fingerprint']) if (typeof e[k] !== 'string' || e[k] === '') fail(`${at}.${k}`, 'non-empty string');
    if (/[\r\n]/.test(e.description as string)) fail(`${at}.description`, 'one line');
    if (fingerprints.has(e.fingerprint as string)) fail(`${at}.fingerprint`, `repeats ${String(e.fingerprint)}`);
    fingerprints.add(e.fingerprint as string);
    if (!GITLAB_SEVERITIES.includes(e.severity as string)) fail(`${at}.severity`, `one of ${GITLAB_SEVERITIES.join(', ')}`);
    const loc = e.location;
    if (!isObject(loc) || typeof loc.path !== 'string' || loc.path === '') return fail(`${at}.location.path`, 'required');
    if (loc.path.startsWith('/') || loc.path.startsWith('./') || loc.path.includes('\\')) fail(`${at}.location.path`, `relative POSIX path, got ${loc.path}`);
    const lines = loc.lines;
    if (!isObject(lines)) return fail(`${at}.location.lines`, 'required');
    const { begin, end } = lines;
    if (typeof begin !== 'number' || !Number.isInteger(begin) || begin < 1) fail(`${at}.location.lines.begin`, 'integer ≥ 1');
    if (end !== undefined && (typeof end !== 'number' || !Number.isInteger(end) || end < (begin as number))) fail(`${at}.location.lines.end`, 'integer ≥ begin');
  });
}
