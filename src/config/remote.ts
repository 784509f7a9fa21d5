/**
 * Loading `.github/ml-lens.yml` through the GitHub API, for the App and `review --github`.
 *
 * The semantics are Probot's `context.config()` (`@probot/octokit-plugin-config`), with the same
 * requests, so it works with any Octokit (the App's, or `@octokit/rest` from the command line):
 * - the file is read from the repository's default branch (never from the pull request, so a
 *   change cannot relax its own review);
 * - when the repository has none, the organisation's `.github` repository's
 *   `.github/ml-lens.yml` applies; no file in either: the repository is not reviewed (null);
 * - `_extends: repo`, `owner/repo` or `[owner/]repo:path.yml` inherits another file, in a chain;
 * - mappings merge key by key; a list or a value set in the extending file replaces the inherited
 *   one (Probot concatenates lists by default, which would make `paths.include` impossible to
 *   narrow).
 *
 * Every file is validated against the one schema (`parseConfig`), so a wrong key is reported
 * with the file it is in; then the merged result is validated once more.
 */
import type { Octokit } from '@octokit/rest';
import { ConfigError, MAX_CONFIG_CHARS, REPO_CONFIG_PATHS, validateConfig } from './load.js';
import { readYamlData } from './yaml-data.js';
import type { Config } from './schema.js';

/** The file the App looks for (the command line also accepts `.yaml`; the App reads one name). */
export const CONFIG_PATH: string = REPO_CONFIG_PATHS[0];

/** `_extends` chains longer than this are reported as a problem. */
const MAX_EXTENDS = 5;

export interface RemoteConfig {
  config: Config;
  /** The files the configuration came from, the repository's own last: `owner/repo:path`. */
  sources: string[];
}

/** Same as @probot/octokit-plugin-config. */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

interface FileRef {
  owner: string;
  repo: string;
  path: string;
}

const label = (f: FileRef): string => `${f.owner}/${f.repo}:${f.path}`;

/**
 * The repository's configuration, or null when neither it nor its organisation's `.github`
 * repository has `.github/ml-lens.yml`. Throws ConfigError (one problem per wrong key) when a file
 * does not parse, does not validate, or `_extends` cannot be followed; other errors (GitHub
 * failures) propagate.
 */
export async function loadRemoteConfig(octokit: Octokit, owner: string, repo: string): Promise<RemoteConfig | null> {
  const own: FileRef = { owner, repo, path: CONFIG_PATH };
  let first: FileRef = own;
  let text = await readFile(octokit, own);
  if (text === null && repo !== '.github') {
    first = { owner, repo: '.github', path: CONFIG_PATH };
    text = await readFile(octokit, first);
  }
  if (text === null) return null;

  // The chain, from the file found to what it extends.
  const chain: { ref: FileRef; raw: Record<string, unknown> }[] = [];
  const problems: string[] = [];
  let ref = first;
  for (;;) {
    const raw = checkFile(ref, text, problems);
    chain.push({ ref, raw });
    const ext = raw['_extends'];
    if (ext === undefined) break;
    const next = extendsTarget(ext, ref);
    if (typeof next === 'string') {
      problems.push(`${label(ref)}: _extends: ${next}`);
      break;
    }
    if (chain.some((c) => label(c.ref) === label(next))) {
      problems.push(`${label(ref)}: _extends: ${label(next)} is already part of the chain (a loop)`);
      break;
    }
    if (chain.length > MAX_EXTENDS) {
      problems.push(`${label(ref)}: _extends: more than ${MAX_EXTENDS} files extend each other`);
      break;
    }
    const nextText = await readFile(octokit, next);
    if (nextText === null) {
      problems.push(`${label(ref)}: _extends: ${label(next)} does not exist (or the App cannot read it)`);
      break;
    }
    ref = next;
    text = nextText;
  }

  // A single file of the repository itself: its problems need no file name.
  const onlyOwn = chain.length === 1 && label(chain[0]!.ref) === label(own);
  if (problems.length > 0) {
    throw new ConfigError(label(first), onlyOwn ? problems.map((p) => p.slice(label(own).length + 2)) : problems);
  }

  let merged: Record<string, unknown> = {};
  for (const { raw } of [...chain].reverse()) merged = mergeConfig(merged, raw);
  const config = validateConfig(merged, label(first));
  return { config, sources: chain.map((c) => label(c.ref)).reverse() };
}

/** Validates one file (collecting its problems, each prefixed with the file) and returns it raw. */
function checkFile(ref: FileRef, text: string, problems: string[]): Record<string, unknown> {
  if (text.length > MAX_CONFIG_CHARS) {
    problems.push(`${label(ref)}: the file is larger than ${MAX_CONFIG_CHARS / 1024} KB`);
    return {};
  }
  const r = readYamlData(text);
  if ('problems' in r) {
    // `_extends` cannot be followed either.
    problems.push(...r.problems.map((p) => `${label(ref)}: ${p.line === undefined ? '' : `line ${p.line}: `}${p.message}`));
    return {};
  }
  try {
    validateConfig(r.data, label(ref));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems.map((p) => `${label(ref)}: ${p}`));
  }
  return r.data !== null && typeof r.data === 'object' && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : {};
}

function extendsTarget(value: unknown, from: FileRef): FileRef | string {
  if (typeof value !== 'string') return 'expected "repo", "owner/repo" or "owner/repo:path.yml"';
  const m = EXTENDS.exec(value);
  if (!m) return `"${value}" is not "repo", "owner/repo" or "owner/repo:path.yml"`;
  return { owner: m[1] ?? from.owner, repo: m[2]!, path: m[3] ?? CONFIG_PATH };
}

/** The file's text from the default branch, or null when there is none (404). */
async function readFile(octokit: Octokit, ref: FileRef): Promise<string | null> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: ref.owner,
      repo: ref.repo,
      path: ref.path,
      mediaType: { format: 'raw' },
    });
    const data: unknown = res.data;
    if (typeof data === 'string') return data;
    // The raw media type without a text charset comes back as bytes.
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
    throw new ConfigError(label(ref), ['is a directory or a submodule, not a file']);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** Mappings merge key by key; anything else in `over` replaces what `base` has. `_extends` is dropped. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '_extends') continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeConfig(prev, v) : v;
  }
  delete out['_extends'];
  return out;
}
