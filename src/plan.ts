/**
 * The review plan: every decision the configuration makes, taken once, in one pure function of
 * (configuration, catalogue, clock). Sources, `review()`, the gate and the publishers read the
 * plan and never the raw configuration, so a key is either honoured here or it does not exist
 * (test/core/plan.test.ts proves each key of the schema changes the plan).
 *
 * A plan holds compiled globs (functions), so it does not cross a worker boundary: a worker gets the
 * plan's input (`PlanInput`, plain data) and builds the same plan again.
 */
import type { Config } from './config/schema.js';
import { compileGlobs } from './glob.js';
import { contextKinds } from './formats/index.js';
import { typesReadInRepository } from './rules/reads.js';
import { PILLARS, type Catalogue, type Kind, type Pillar, type Rule } from './model.js';
import { PARSE_ERROR_RULE } from './rules/loader.js';
import { compileIgnores, type ConfigIgnores } from './suppress.js';
import { TIME_BUDGET_RULE } from './rules/builtin.js';
import { generatedReason, type GeneratedContext } from './generated.js';
import { environmentResolver, type EnvironmentOf } from './environments.js';

/** What a plan is made from: plain data, so it can be sent to a worker thread. */
export interface PlanInput {
  config: Config;
  catalogue: Catalogue;
  /** Today's date (YYYY-MM-DD), for suppression expiry. */
  today: string;
  /** Where the config came from, for messages about its `ignore` entries. */
  configPath?: string | undefined;
}

export type GateSettings = Config['gate'];

/** What publishing needs of the configuration: the surfaces' settings and the gate as reports state it. */
export type PublishSettings = Pick<Config, 'comments' | 'checks' | 'issues'> & { gate: Pick<GateSettings, 'fail_on' | 'min_score'> };

/** A floor on the pillar scores of the evaluations in some paths (`overrides[].gate.min_score`). */
export interface ScoreFloor {
  /** The globs, as written, for messages. */
  paths: readonly string[];
  test: (path: string) => boolean;
  /** The global floor: its scores are the head's pillar scores, already counted. */
  everywhere?: true;
  min: number;
}

export interface ReviewPlan {
  today: string;
  /** `paths.include` minus `paths.exclude`: the files a review looks at at all. */
  wanted: (path: string) => boolean;
  /**
   * Why a wanted file is left out by default (test data, vendored, generated: src/generated.ts), or
   * undefined; undefined too when a `paths.include` glob other than `**` names it. `context`: what
   * the change set adds (its `.gitattributes`, a scan's named paths: `generatedContext`).
   */
  generated: (path: string, text?: string | null, context?: GeneratedContext) => string | undefined;
  rules: {
    /** The catalogue as the config wants it: disabled rules and pillars out, severities overridden. */
    effective: readonly Rule[];
    byId: ReadonlyMap<string, Rule>;
    /** Every rule id a suppression may name (disabled ones too: suppressing them is moot, not a typo). */
    known: ReadonlySet<string>;
  };
  /**
   * Which unchanged files a review reads, for the repository rules: none when no effective rule
   * looks beyond the change, else the files of the kinds those rules read (`kinds`), and only those.
   */
  context: {
    kinds: ReadonlySet<Kind>;
    /** The resource types those rules look for (`resource_exists`): what a context file is read for. */
    types: ReadonlySet<string>;
    /** At most this many unchanged files are read from a local clone or directory; over it the context is incomplete. */
    maxFiles: number;
    /** At most this many over the GitHub API (300 a query with the changed files: a bounded number of requests a review). */
    maxRemoteFiles: number;
  };
  gate: {
    /** The gate for a finding or unreviewed file at `path`: the global one, overridden by the last matching override. */
    at: (path: string) => GateSettings;
    /** The top-level settings, for reports that state the gate once. */
    global: GateSettings;
    /** Floors on pillar scores: the global `gate.min_score` (over every path) then the overrides'. */
    floors: readonly ScoreFloor[];
  };
  /** Weight of each pillar in the overall score (0: left out; a disabled pillar weighs 0). */
  weights: Readonly<Record<Pillar, number>>;
  limits: Config['limits'];
  ignores: ConfigIgnores;
  /**
   * The environment of a target (its file's path, its name): `environments:` entries first, then
   * the words of the names (src/environments.ts). A rule with `environments` is evaluated only on
   * targets in one of them.
   */
  environmentOf: EnvironmentOf;
  /** How the result is published: what the summary, inline review, check run and issues do. */
  publish: PublishSettings;
  /** The repository's own rules folder (`rules.custom`), read by the setup before the catalogue is built. */
  customRules: string;
}

/** What a source needs of the plan: which changed files to keep, which unchanged ones to read. */
export type SourcePlan = Pick<ReviewPlan, 'wanted' | 'context'>;

/** Unchanged files read as context at most; more is an incomplete context, never a slow review. */
export const MAX_CONTEXT_FILES = 2000;
/** The same over the GitHub API, where each 50 files cost a request. */
export const MAX_REMOTE_CONTEXT_FILES = 200;

/** Rules the configuration cannot turn off: a file that does not parse must always be said. */
const ALWAYS_ON: ReadonlySet<string> = new Set([PARSE_ERROR_RULE.id]);

/** The rules as the config wants them. `parse-error` stays whatever `rules.disable` or `pillars` say. */
export function effectiveRules(catalogue: Catalogue, config: Config): Rule[] {
  const disabled = new Set(config.rules.disable);
  const out: Rule[] = [];
  for (const r of catalogue.rules) {
    if (!ALWAYS_ON.has(r.id)) {
      if (disabled.has(r.id)) continue;
      if (config.pillars[r.pillar]?.enabled === false) continue;
    }
    const sev = config.rules.severity[r.id];
    out.push(sev && sev !== r.severity ? { ...r, severity: sev } : r);
  }
  return out;
}

/** Test data, vendored and generated files, unless an include glob other than the catch-all names them. */
export function generatedFilter(paths: Config['paths']): ReviewPlan['generated'] {
  const named = paths.include.filter((g) => g !== '**' && g !== '**/*');
  const explicit = named.length > 0 ? compileGlobs(named) : () => false;
  return (path, text, context) => (explicit(path) ? undefined : generatedReason(path, text, context));
}

/** `paths.include` / `paths.exclude` as a predicate over repository paths (globs: src/glob.ts). */
export function pathFilter(paths: Config['paths']): (path: string) => boolean {
  const include = compileGlobs(paths.include);
  const exclude = compileGlobs(paths.exclude);
  return (path) => include(path) && !exclude(path);
}

function gateAt(config: Config): (path: string) => GateSettings {
  const overrides = config.overrides.map((o) => ({ test: compileGlobs(o.paths), gate: o.gate }));
  if (overrides.length === 0) return () => config.gate;
  return (path) => {
    let g = config.gate;
    for (const o of overrides) {
      if (!o.test(path)) continue;
      const set = Object.fromEntries(Object.entries(o.gate).filter(([, v]) => v !== undefined));
      g = { ...g, ...set };
    }
    return g;
  };
}

function scoreFloors(config: Config): ScoreFloor[] {
  const floors: ScoreFloor[] = [];
  if (config.gate.min_score > 0) floors.push({ paths: ['**'], test: () => true, everywhere: true, min: config.gate.min_score });
  for (const o of config.overrides) {
    const min = o.gate.min_score;
    if (min !== undefined && min > 0) floors.push({ paths: o.paths, test: compileGlobs(o.paths), min });
  }
  return floors;
}

function weights(config: Config): Record<Pillar, number> {
  const out = {} as Record<Pillar, number>;
  for (const p of PILLARS) {
    const s = config.pillars[p];
    out[p] = s?.enabled === false ? 0 : (s?.weight ?? 1);
  }
  return out;
}

/** The custom rules folder (`rules.custom`) as a repository path: no leading `./`, no trailing `/`. */
export function customRulesFolder(config: Config): string {
  return config.rules.custom.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

export function planReview(input: PlanInput): ReviewPlan {
  const { config, catalogue, today } = input;
  const effective = effectiveRules(catalogue, config);
  const known = new Set([...catalogue.rules.map((r) => r.id), TIME_BUDGET_RULE.id]);
  return {
    today,
    wanted: pathFilter(config.paths),
    generated: generatedFilter(config.paths),
    rules: { effective, byId: new Map(effective.map((r) => [r.id, r])), known },
    context: { kinds: contextKinds(effective), types: typesReadInRepository(effective), maxFiles: MAX_CONTEXT_FILES, maxRemoteFiles: MAX_REMOTE_CONTEXT_FILES },
    gate: { at: gateAt(config), global: config.gate, floors: scoreFloors(config) },
    weights: weights(config),
    limits: config.limits,
    ignores: compileIgnores(config.ignore, known, today, input.configPath),
    environmentOf: environmentResolver(config.environments),
    publish: {
      comments: config.comments,
      checks: config.checks,
      issues: config.issues,
      gate: { fail_on: config.gate.fail_on, min_score: config.gate.min_score },
    },
    customRules: customRulesFolder(config),
  };
}
