/**
 * SARIF 2.1.0 (`ml-lens review --format sarif`), shaped for GitHub code scanning: one run, every
 * catalogue rule with its help and tags, one result per finding with `partialFingerprints` (so an
 * alert keeps its identity when lines move), `suppressions` for suppressed findings and
 * `baselineState` for new and existing ones.
 *
 * Choices:
 * - Results carry the finding's own severity as `level` (a configuration may have overridden the
 *   rule's); `defaultConfiguration.level` is the rule's. critical/high → error, medium → warning,
 *   low/info → note.
 * - Security-pillar rules get `security-severity` (critical 9.5, high 8.0, medium 5.5, low 3.0; info
 *   none), which GitHub uses to rank security alerts.
 * - `precision` is "high" for rules that look at one file's targets, "medium" for
 *   repository-level rules (they conclude from what is absent).
 * - Suppressed findings have no `baselineState` (whether they are new is not known once suppressed).
 * - A finding whose rule is not in the catalogue (e.g. a parse error) gets a rule entry built from
 *   the finding, so every result has a `ruleIndex`.
 */
import { PILLARS, type Catalogue, type Finding, type Review, type Rule, type Severity } from '../model.js';
import { esc, plain } from './escape.js';
import { LENS_HOME, PHASE_NAMES, PILLAR_NAMES, practiceLink, practiceUrl } from './labels.js';
import { byLocation, cmp } from './view.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'mlLens/v1';

export interface SarifOptions {
  /** The tool's version (package.json). */
  toolVersion: string;
  /** Where the tool is documented (default: the Machine Learning Lens home page). */
  informationUri?: string;
}

export type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };

/** The shape of what we emit (a subset of SARIF 2.1.0). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: 'high' | 'medium'; 'security-severity'?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine: number } };
    logicalLocations?: { fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  baselineState?: 'new' | 'unchanged';
  suppressions?: { kind: 'inSource' | 'external'; status: 'accepted'; justification: string }[];
  properties: { pillar: string; phase: string; severity: Severity; practices: string[] };
}

/** A file not reviewed, as a notification of the run's invocation (SARIF §3.20.21). */
export interface SarifNotification {
  level: 'error' | 'warning';
  message: { text: string };
  descriptor: { id: 'not-reviewed' };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

export interface SarifRun {
  tool: { driver: { name: string; informationUri: string; version: string; semanticVersion?: string; rules: SarifRule[] } };
  invocations: { executionSuccessful: true; toolExecutionNotifications: SarifNotification[] }[];
  results: SarifResult[];
  properties: { gate: Review['gate']; scores: Review['scores'] };
}

/** A relative path as a URI reference: percent-encoded, `#` and `?` included. */
export function pathToUri(path: string): string {
  const segments = path.replace(/\\/g, '/').replace(/^\/+/, '').split('/');
  return segments
    .map((seg, i) => {
      let s = encodeURI(seg).replace(/#/g, '%23').replace(/\?/g, '%3F');
      if (i === 0) s = s.replace(/:/g, '%3A'); // "a:b" would read as a scheme
      return s;
    })
    .join('/');
}

function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

interface RuleFacts {
  id: string;
  title: string;
  practices: string[];
  pillar: Finding['pillar'];
  phase: Finding['phase'];
  severity: Severity;
  remediation: string;
  notes?: string;
  repositoryLevel: boolean;
}

function facts(r: Rule): RuleFacts {
  const f: RuleFacts = {
    id: r.id,
    title: r.title,
    practices: r.practices,
    pillar: r.pillar,
    phase: r.phase,
    severity: r.severity,
    remediation: r.remediation,
    repositoryLevel: r.match.some((m) => m.kind === 'repository'),
  };
  if (r.notes) f.notes = r.notes;
  return f;
}

function sarifRule(r: RuleFacts): SarifRule {
  const pillar = PILLAR_NAMES[r.pillar] ?? r.pillar;
  const phase = PHASE_NAMES[r.phase] ?? r.phase;
  const title = plain(r.title, 1000);
  const practiceText = r.practices.length > 0 ? r.practices.join(', ') : 'none';
  const notes = r.notes ? ' ' + plain(r.notes, 2000) : '';
  const urls = r.practices.map((p) => `- ${p}${practiceUrl(p) ? `: ${practiceUrl(p)}` : ''}`);
  const rule: SarifRule = {
    id: r.id,
    name: pascal(r.id) || r.id,
    shortDescription: { text: title },
    fullDescription: { text: `${title}. ML Lens ${pillar} pillar, ${phase.toLowerCase()} phase; practices: ${practiceText}.${notes}` },
    help: {
      text: [`How to fix: ${plain(r.remediation)}`, ...(urls.length > 0 ? ['', 'Practices:', ...urls] : []), ...(r.notes ? ['', plain(r.notes)] : [])].join('\n'),
      markdown: [
        `**How to fix:** ${esc(r.remediation)}`,
        '',
        `**Pillar:** ${pillar} · **Phase:** ${phase}` + (r.practices.length > 0 ? ` · **Practices:** ${r.practices.map((p) => practiceLink(p)).join(', ')}` : ''),
        ...(r.notes ? ['', esc(r.notes)] : []),
      ].join('\n'),
    },
    helpUri: r.practices.map((p) => practiceUrl(p)).find((u): u is string => u !== null) ?? LENS_HOME,
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: {
      tags: [r.pillar, r.phase, ...r.practices].slice(0, 20),
      precision: r.repositoryLevel ? 'medium' : 'high',
    },
  };
  const sec = SECURITY_SEVERITY[r.severity];
  if (r.pillar === 'security' && sec) rule.properties['security-severity'] = sec;
  return rule;
}

export function toSarif(review: Review, catalogue: Catalogue, opts: SarifOptions): SarifLog {
  const rulesById = new Map<string, RuleFacts>();
  for (const r of catalogue.rules) rulesById.set(r.id, facts(r));
  for (const f of review.findings) {
    if (rulesById.has(f.rule)) continue;
    rulesById.set(f.rule, {
      id: f.rule,
      title: f.title,
      practices: f.practices,
      pillar: f.pillar,
      phase: f.phase,
      severity: f.severity,
      remediation: f.remediation,
      repositoryLevel: false,
    });
  }
  const ids = [...rulesById.keys()].sort(cmp);
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => sarifRule(rulesById.get(id)!));

  const results: SarifResult[] = [...review.findings].sort(byLocation).map((f) => {
    const startLine = Math.max(1, Math.floor(f.startLine) || 1);
    const endLine = Math.max(startLine, Math.floor(f.endLine) || startLine);
    const result: SarifResult = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule)!,
      level: sarifLevel(f.severity),
      message: { text: plain(f.message) || plain(f.title) },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: pathToUri(f.path) }, region: { startLine, endLine } },
          ...(f.address ? { logicalLocations: [{ fullyQualifiedName: plain(f.address), kind: 'resource' }] } : {}),
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
      properties: { pillar: f.pillar, phase: f.phase, severity: f.severity, practices: [...f.practices] },
    };
    if (f.status === 'new') result.baselineState = 'new';
    else if (f.status === 'existing') result.baselineState = 'unchanged';
    if (f.status === 'suppressed') {
      const s = f.suppression;
      result.suppressions = [
        {
          kind: s?.source === 'inline' ? 'inSource' : 'external',
          status: 'accepted',
          justification: plain(s?.reason ?? 'suppressed') + (s?.until ? ` (until ${plain(s.until)})` : ''),
        },
      ];
    }
    return result;
  });

  const semver = /^\d+\.\d+\.\d+(?:[-+].*)?$/.test(opts.toolVersion);
  const driver: SarifRun['tool']['driver'] = {
    name: 'ML Lens Reviewer',
    informationUri: opts.informationUri ?? LENS_HOME,
    version: opts.toolVersion,
    ...(semver ? { semanticVersion: opts.toolVersion } : {}),
    rules,
  };
  const scores = {} as Review['scores'];
  for (const p of PILLARS) {
    const s = review.scores[p];
    scores[p] = { head: s?.head ?? null, base: s?.base ?? null, delta: s?.delta ?? null };
  }
  // Files the review could not read: `error` where their path claims a kind (they can fail the gate).
  const notifications: SarifNotification[] = [...review.stats.notReviewed]
    .sort((a, b) => cmp(a.path, b.path))
    .map((n) => ({
      level: n.claimedBy ? 'error' : 'warning',
      message: { text: `Not reviewed: ${plain(n.reason, 500)}` },
      descriptor: { id: 'not-reviewed' },
      locations: [{ physicalLocation: { artifactLocation: { uri: pathToUri(n.path) } } }],
    }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver }, invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }], results, properties: { gate: { conclusion: review.gate.conclusion, reasons: [...review.gate.reasons] }, scores } }],
  };
}

/** SARIF as stable, pretty text. */
export function renderSarif(review: Review, catalogue: Catalogue, opts: SarifOptions): string {
  return JSON.stringify(toSarif(review, catalogue, opts), null, 2) + '\n';
}
