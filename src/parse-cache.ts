/**
 * What a review may remember of an unchanged (context) file so that the next review of the same
 * repository neither fetches nor parses it again: a "context fact", keyed by the file's blob id,
 * its path, the kinds that read it and the version of the readers. Pure, except `readerVersion`,
 * which reads the running code once.
 *
 * A context file matters to a review only through `resource_exists` (context-index.ts): either
 * the targets (type and address) of its document, parsed, or the fact that its text names none of
 * the resource types the repository rules look for (so it is never parsed). Both are facts of the
 * blob's content, a few bytes each:
 *
 * - `{ targets }`: the file's targets as those kinds parse it (none: it is none of them);
 * - `{ lacks }`: the types (held by those kinds) its text does not name. A later review whose
 *   rules look for a type not in the list cannot use it (it needs the text): the source fetches
 *   the file again.
 *
 * The key names the readers' code (a hash of the running build), so a deployment that changes how
 * a kind is read never meets a document an older reader made.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMATS } from './formats/index.js';
import type { ContextFact, FormatModule, Kind } from './model.js';

export type { ContextFact } from './model.js';

/** A context file with what a review learnt of it, for the cache (the source gave its blob id). */
export interface LearntFact {
  path: string;
  blob: string;
  fact: ContextFact;
}

/** A context file as a source lists it before reading: its path and blob id. */
export interface ContextBlob {
  path: string;
  blob: string;
}

/** What the repository rules of a plan read (plan.ts `context`). */
export interface ContextNeeds {
  kinds: ReadonlySet<Kind>;
  types: ReadonlySet<string>;
}

/** The modules of `needs.kinds` that read a file at `path`. */
export function readersOf(path: string, needs: ContextNeeds, formats: readonly FormatModule[] = FORMATS): FormatModule[] {
  return formats.filter((f) => needs.kinds.has(f.kind) && f.accepts(path));
}

/** The types a reader of the file could hold, of those the rules look for. */
export function typesFor(readers: readonly FormatModule[], needs: ContextNeeds): string[] {
  return [...needs.types].filter((t) => readers.some((f) => f.holds(t))).sort();
}

/** The cache key of a context file: the readers' code and kinds, the path and the blob. */
export function contextKey(file: ContextBlob, needs: ContextNeeds, version = readerVersion()): string {
  const kinds = readersOf(file.path, needs)
    .map((f) => f.kind)
    .sort();
  return createHash('sha256').update([version, kinds.join(','), file.path, file.blob].join('\u0000')).digest('hex');
}

/** Whether a remembered fact answers every question the plan's rules may ask of the file. */
export function answers(fact: ContextFact, path: string, needs: ContextNeeds): boolean {
  if ('targets' in fact) return true;
  const lacks = new Set(fact.lacks);
  return typesFor(readersOf(path, needs), needs).every((t) => lacks.has(t));
}

let version: string | undefined;
/**
 * A hash of the running build (every module of the folder this file is in, src/ or dist/) and of
 * the parsers it loads: the "reader version" of the cache keys. Read once per process.
 */
export function readerVersion(): string {
  if (version) return version;
  const hash = createHash('sha256');
  const root = dirname(fileURLToPath(import.meta.url));
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(?:js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) hash.update(p.slice(root.length)).update(readFileSync(p));
    }
  };
  walk(root);
  // The parsers' versions as installed (the ranges of package.json when they cannot be read).
  const top = join(root, '..');
  const versionOf = (file: string): string | undefined => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
    } catch {
      return undefined;
    }
  };
  try {
    const deps = (JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const [name, range] of Object.entries(deps).sort()) hash.update(`${name}@${versionOf(join(top, 'node_modules', name, 'package.json')) ?? range}\n`);
  } catch {
    // No package.json beside the build: the modules' hash alone.
  }
  version = hash.digest('hex').slice(0, 16);
  return version;
}
