/**
 * Model cards written as JSON: the SageMaker model card content schema and the Google Model Card
 * Toolkit schema. Each is one target (type = kind, address `model-card`) whose node is the root.
 */
import type { Document, FormatModule, Kind, NotAnArtifact } from '../model.js';
import { baseName, guard, makeDocument, parseJsonStrict, target } from './common.js';
import { keys } from './tree.js';

/** Sections of the SageMaker model card content schema (snake_case JSON). */
const SAGEMAKER_SECTIONS: ReadonlySet<string> = new Set([
  'model_overview',
  'intended_uses',
  'business_details',
  'training_details',
  'evaluation_details',
  'additional_information',
  'model_package_details',
]);

/** Top-level properties of the Model Card Toolkit schema (v0.0.1 and v0.0.2). */
const MCT_SECTIONS: ReadonlySet<string> = new Set([
  'schema_version',
  'model_details',
  'model_parameters',
  'quantitative_analysis',
  'considerations',
]);

const JSON_PATH = /\.json$/i;

/** Both live in `model_card.json`, `model-card.json`, `*.mct.json`, `churn_card.json` ... */
function isCardPath(path: string): boolean {
  const name = baseName(path);
  return name.endsWith('.json') && name.includes('card');
}

function mentionsAny(text: string, sections: Iterable<string>): boolean {
  for (const s of sections) if (text.includes(`"${s}"`)) return true;
  return false;
}

export const sagemakerModelCard: FormatModule = {
  kind: 'sagemaker-model-card',
  phrase: 'a SageMaker model card',
  address: '`model-card`, the card as a whole',
  documentAddress: 'model-card',
  comments: 'none',
  holds: (type) => type === 'sagemaker-model-card',
  fix: null,
  answers: [],
  code: [],
  accepts: isCardPath,
  claims: () => false,
  detect(path, text) {
    return isCardPath(path) && mentionsAny(text, SAGEMAKER_SECTIONS);
  },
  parse(path, text) {
    return guard('sagemaker-model-card', path, () => parseCard('sagemaker-model-card', path, text, sagemakerShape));
  },
};

export const mctModelCard: FormatModule = {
  kind: 'mct-model-card',
  phrase: 'a Model Card Toolkit card',
  address: '`model-card`, the card as a whole',
  documentAddress: 'model-card',
  comments: 'none',
  holds: (type) => type === 'mct-model-card',
  fix: null,
  answers: [],
  code: [],
  // The toolkit writes `model_card.json` under any folder and name: its content says what it is.
  accepts: (path) => JSON_PATH.test(path),
  claims: () => false,
  detect(path, text) {
    return JSON_PATH.test(path) && (text.includes('"model_details"') || (isCardPath(path) && text.includes('"considerations"')));
  },
  parse(path, text) {
    return guard('mct-model-card', path, () => parseCard('mct-model-card', path, text, mctShape));
  },
};

/**
 * SageMaker: every top-level key is a section (or `schema_version` / a `model_card_*` field some
 * exports add), and either two sections or `model_overview`, the one section no other schema has.
 * Returns why the keys are not a SageMaker card, or undefined when they are.
 */
function sagemakerShape(top: string[]): string | undefined {
  const stray = top.find((k) => !SAGEMAKER_SECTIONS.has(k) && k !== 'schema_version' && !k.startsWith('model_card_'));
  if (stray !== undefined) return `top-level key \`${stray}\` is not a SageMaker model card section`;
  const sections = top.filter((k) => SAGEMAKER_SECTIONS.has(k));
  if (sections.length < 2 && !sections.includes('model_overview')) return 'too few SageMaker model card sections';
  return undefined;
}

/** MCT: top-level keys within the schema (v0.0.2 forbids others), with details or considerations. */
function mctShape(top: string[]): string | undefined {
  const stray = top.find((k) => !MCT_SECTIONS.has(k));
  if (stray !== undefined) return `top-level key \`${stray}\` is not a Model Card Toolkit field`;
  if (!top.includes('model_details') && !top.includes('considerations')) return 'neither `model_details` nor `considerations`';
  return undefined;
}

function parseCard(kind: Kind, path: string, text: string, shape: (top: string[]) => string | undefined): Document | NotAnArtifact {
  // Strict: a section or field written twice would silently lose one value; report it instead.
  const root = parseJsonStrict(text);
  if (root.type !== 'map') return { notArtifact: 'top level is not an object' };
  const problem = shape(keys(root));
  if (problem) return { notArtifact: problem };
  return makeDocument(kind, path, text, root, [target(kind, 'model-card', 'model-card', root)]);
}
