/**
 * The rule catalogue as an AWS Well-Architected Tool custom lens (lens format specification,
 * schemaVersion 2021-11-01): the six framework pillars, one question per pillar × lifecycle phase
 * (the 2025 ML Lens question, e.g. MLSEC03), one choice per best practice, a "None of these"
 * choice, and risk rules from the practices' risk levels. Each choice says which ml-lens rules check
 * the practice (or why none does), and its improvement plan is the remediation of those rules.
 *
 * Pure: `buildLens(rules, practices, coverage)` returns the lens object. The limits of the format
 * are in LENS_LIMITS; text longer than a limit is shortened on a word boundary with an ellipsis.
 */
import { PHASES, PILLARS, type Phase, type Pillar, type Rule } from '../model.js';
import type { CoverageData } from '../rules/coverage.js';
import type { Practice } from '../rules/practices.js';

export const LENS_SCHEMA_VERSION = '2021-11-01';

/** Limits of the custom lens JSON format (Well-Architected Tool user guide, lens format specification). */
export const LENS_LIMITS = {
  lensName: 128,
  lensDescription: 2048,
  /** ImportLens rejects a lens larger than 500 KB. */
  lensBytes: 500 * 1024,
  pillars: 10,
  pillarName: 128,
  questionsPerPillar: 20,
  questionTitle: 128,
  questionDescription: 2048,
  choicesPerQuestion: 15,
  choiceTitle: 128,
  displayText: 2048,
  additionalResourcesPerType: 5,
  riskRulesPerQuestion: 3,
  /** Pillar, question and choice ids. */
  idMin: 3,
  idMax: 128,
} as const;

/** Ids may hold only letters, digits and underscores. */
export const LENS_ID = /^[A-Za-z0-9_]+$/;

/** The framework pillar ids, which map a custom lens's pillars onto the Well-Architected pillars. */
export const FRAMEWORK_PILLAR_ID: Record<Pillar, string> = {
  'operational-excellence': 'operationalExcellence',
  security: 'security',
  reliability: 'reliability',
  'performance-efficiency': 'performance',
  'cost-optimization': 'costOptimization',
  sustainability: 'sustainability',
};

const PILLAR_NAME: Record<Pillar, string> = {
  'operational-excellence': 'Operational Excellence',
  security: 'Security',
  reliability: 'Reliability',
  'performance-efficiency': 'Performance Efficiency',
  'cost-optimization': 'Cost Optimization',
  sustainability: 'Sustainability',
};

const PHASE_NAME: Record<Phase, string> = {
  'business-goal': 'business goal identification',
  'problem-framing': 'ML problem framing',
  'data-processing': 'data processing',
  'model-development': 'model development',
  deployment: 'deployment',
  monitoring: 'monitoring',
};

export const LENS_URL = 'https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/machine-learning-lens.html';

export interface LensResource {
  displayText: string;
  url?: string;
}

export interface LensChoice {
  id: string;
  title: string;
  helpfulResource?: LensResource;
  improvementPlan?: LensResource;
}

export type LensRisk = 'HIGH_RISK' | 'MEDIUM_RISK' | 'NO_RISK';

export interface LensRiskRule {
  condition: string;
  risk: LensRisk;
}

export interface LensQuestion {
  id: string;
  title: string;
  description: string;
  helpfulResource?: LensResource;
  choices: LensChoice[];
  riskRules: LensRiskRule[];
}

export interface LensPillar {
  id: string;
  name: string;
  questions: LensQuestion[];
}

export interface Lens {
  schemaVersion: string;
  name: string;
  description: string;
  pillars: LensPillar[];
}

/** Shortens text to `max` characters on a word boundary, ending with an ellipsis. */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}

/** `MLSEC03-BP01` → `MLSEC03_BP01`: hyphens are not allowed in lens ids. */
export function lensId(practiceId: string): string {
  return practiceId.replace(/-/g, '_');
}

/** The 2025 question a practice belongs to: `MLSEC03-BP01` → `MLSEC03`. */
export function questionOf(practiceId: string): string {
  return practiceId.split('-')[0]!;
}

function conjunction(ids: string[], op: '&&' | '||'): string {
  return ids.length === 1 ? ids[0]! : ids.join(` ${op} `);
}

/**
 * Risk rules, most specific first (the first true condition wins): no risk when every practice is
 * followed; medium risk when every practice rated high risk is followed (or, when all are high,
 * when at least one is); high risk otherwise.
 */
function riskRules(practices: readonly Practice[]): LensRiskRule[] {
  const all = practices.map((p) => lensId(p.id));
  const high = practices.filter((p) => p.risk === 'high').map((p) => lensId(p.id));
  const rules: LensRiskRule[] = [{ condition: conjunction(all, '&&'), risk: 'NO_RISK' }];
  let medium: string | undefined;
  if (high.length > 0 && high.length < all.length) medium = conjunction(high, '&&');
  else if (all.length > 1) medium = conjunction(all, '||');
  if (medium !== undefined && medium !== rules[0]!.condition) rules.push({ condition: medium, risk: 'MEDIUM_RISK' });
  rules.push({ condition: 'default', risk: 'HIGH_RISK' });
  return rules;
}

function choice(p: Practice, rules: readonly Rule[], reason: string | undefined): LensChoice {
  const helpful = rules.length
    ? `Checked in pull requests by ml-lens: ${rules.map((r) => `${r.id} (${r.title})`).join('; ')}.`
    : reason
      ? `Not checked by ml-lens: ${reason}`
      : 'Not checked by ml-lens: a repository shows little of this practice; review it with the team.';
  const plan = rules.length
    ? rules.map((r) => `${r.id}: ${r.remediation}`).join(' ')
    : `Follow the ML Lens guidance for "${p.title}" (see the linked page) and record how the workload meets it.`;
  return {
    id: lensId(p.id),
    title: clip(p.title, LENS_LIMITS.choiceTitle),
    helpfulResource: { displayText: clip(helpful, LENS_LIMITS.displayText), url: p.url },
    improvementPlan: { displayText: clip(plan, LENS_LIMITS.displayText), url: p.url },
  };
}

/** The catalogue as a custom lens. `rules` should not include the built-in parse-error rule. */
export function buildLens(rules: readonly Rule[], practices: readonly Practice[], coverage: CoverageData): Lens {
  const reasons = new Map(coverage.uncovered.map((u) => [u.practice, u.reason]));
  const rulesOf = (id: string) => rules.filter((r) => r.practices.includes(id)).sort((a, b) => a.id.localeCompare(b.id));
  const checked = practices.filter((p) => rulesOf(p.id).length > 0).length;
  const pillars: LensPillar[] = PILLARS.map((pillar) => {
    const questions: LensQuestion[] = [];
    for (const phase of PHASES) {
      const inCell = practices.filter((p) => p.pillar === pillar && p.phase === phase);
      // A question is the 2025 ID prefix; group by it (one per pillar × phase in the 2025 edition).
      for (const qid of [...new Set(inCell.map((p) => questionOf(p.id)))]) {
        const qs = inCell.filter((p) => questionOf(p.id) === qid);
        const auto = qs.filter((p) => rulesOf(p.id).length > 0).length;
        questions.push({
          id: qid,
          title: clip(`How do you apply ${PILLAR_NAME[pillar].toLowerCase()} best practices in ${PHASE_NAME[phase]}?`, LENS_LIMITS.questionTitle),
          description: clip(
            `${qid}: the ${PILLAR_NAME[pillar]} practices of the ML Lens for ${PHASE_NAME[phase]}. ` +
              `${auto} of ${qs.length} are checked automatically by ml-lens rules in pull requests; ` +
              'the helpful resource of each choice names them, or says why a repository cannot show the practice.',
            LENS_LIMITS.questionDescription,
          ),
          helpfulResource: { displayText: 'AWS Well-Architected Machine Learning Lens', url: LENS_URL },
          choices: [
            ...qs.map((p) => choice(p, rulesOf(p.id), reasons.get(p.id))),
            { id: `${qid}_no`, title: 'None of these' },
          ],
          riskRules: riskRules(qs),
        });
      }
    }
    return { id: FRAMEWORK_PILLAR_ID[pillar], name: PILLAR_NAME[pillar], questions };
  });
  return {
    schemaVersion: LENS_SCHEMA_VERSION,
    name: 'ML Lens Reviewer: Machine Learning Lens',
    description: clip(
      `The ${practices.length} best practices of the AWS Well-Architected Machine Learning Lens (2025 edition), ` +
        `one question per pillar and lifecycle phase. ${checked} of them are checked in pull requests by the ` +
        `${rules.length} rules of ML Lens Reviewer (ml-lens); each choice names its rules and uses their remediation ` +
        'as the improvement plan. Generated by `ml-lens export-lens`.',
      LENS_LIMITS.lensDescription,
    ),
    pillars,
  };
}
