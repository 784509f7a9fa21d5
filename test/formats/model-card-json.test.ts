import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Document, FormatModule } from '../../src/model.js';
import { mctModelCard, sagemakerModelCard } from '../../src/formats/model-card-json.js';
import { dig, entry, value } from '../../src/formats/tree.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/formats/${name}`, import.meta.url), 'utf8');
const SAGEMAKER = fixture('sagemaker-model-card.json');
const MCT = fixture('mct-model-card.json');

function parse(module: FormatModule, path: string, text: string): Document {
  const r = module.parse(path, text);
  if (!('root' in r)) throw new Error(`expected a document, got ${JSON.stringify(r)}`);
  return r;
}

describe('sagemaker-model-card', () => {
  it('detects JSON files named like a card that mention a section', () => {
    for (const p of ['model_card.json', 'cards/churn-model-card.json', 'ModelCard.json', 'churn.card.json']) {
      expect(sagemakerModelCard.detect(p, SAGEMAKER), p).toBe(true);
    }
    expect(sagemakerModelCard.detect('model.json', SAGEMAKER)).toBe(false);
    expect(sagemakerModelCard.detect('model_card.yaml', SAGEMAKER)).toBe(false);
    expect(sagemakerModelCard.detect('model_card.json', MCT)).toBe(false);
  });

  it('has one target on the root, with sections at their lines', () => {
    const doc = parse(sagemakerModelCard, 'model_card.json', SAGEMAKER);
    expect(doc.kind).toBe('sagemaker-model-card');
    expect(doc.targets).toHaveLength(1);
    expect(doc.targets[0]).toMatchObject({ type: 'sagemaker-model-card', address: 'model-card', startLine: 1, endLine: 25 });
    expect(entry(doc.root, 'intended_uses')?.keyLine).toBe(8);
    const risk = dig(doc.root, 'intended_uses', 'risk_rating');
    expect([value(risk), risk?.startLine]).toEqual(['Medium', 10]);
  });

  it('accepts a card with only a model overview, and schema_version / model_card_* fields', () => {
    const text = '{"schema_version": "0.1.0", "model_card_status": "Draft", "model_overview": {"model_name": "m"}}';
    expect(parse(sagemakerModelCard, 'model-card.json', text).targets).toHaveLength(1);
  });

  it('is not a SageMaker card with a stray key or a single non-overview section', () => {
    expect(sagemakerModelCard.parse('model_card.json', '{"model_overview": {}, "Content": "..."}')).toHaveProperty('notArtifact');
    expect(sagemakerModelCard.parse('model_card.json', '{"intended_uses": {"purpose_of_model": "x"}}')).toHaveProperty('notArtifact');
    expect(sagemakerModelCard.parse('model_card.json', '[{"model_overview": {}}]')).toHaveProperty('notArtifact');
    expect(sagemakerModelCard.parse('model_card.json', MCT)).toHaveProperty('notArtifact');
  });

  it('reports malformed JSON as a ParseError at the offending line', () => {
    const text = '{\n  "model_overview": {"model_name": "m"},\n  "intended_uses": {"risk_rating": "Low",}\n}\n';
    expect(sagemakerModelCard.parse('model_card.json', text)).toMatchObject({ kind: 'sagemaker-model-card', path: 'model_card.json', line: 3 });
  });

  it('reports a field written twice as a ParseError at the second occurrence', () => {
    const text = '{\n  "model_overview": {"model_name": "m"},\n  "intended_uses": {\n    "risk_rating": "Low",\n    "risk_rating": "High"\n  }\n}\n';
    expect(sagemakerModelCard.parse('model_card.json', text)).toMatchObject({ line: 5, message: expect.stringMatching(/duplicate key "risk_rating"/) });
  });

  it('accepts a byte order mark', () => {
    expect(parse(sagemakerModelCard, 'model_card.json', '\ufeff' + SAGEMAKER).kind).toBe('sagemaker-model-card');
  });
});

describe('mct-model-card', () => {
  it('detects JSON with model_details, or card-named JSON with considerations', () => {
    expect(mctModelCard.detect('model_card.json', MCT)).toBe(true);
    expect(mctModelCard.detect('weld.mct.json', MCT)).toBe(true); // the content decides
    expect(mctModelCard.detect('weld-card.mct.json', MCT)).toBe(true);
    expect(mctModelCard.detect('model_card.json', SAGEMAKER)).toBe(false);
  });

  it('has one target on the root, with fields at their lines', () => {
    const doc = parse(mctModelCard, 'model_card.json', MCT);
    expect(doc.kind).toBe('mct-model-card');
    expect(doc.targets[0]).toMatchObject({ type: 'mct-model-card', name: 'model-card', address: 'model-card', startLine: 1, endLine: 20 });
    expect(entry(doc.root, 'considerations')?.keyLine).toBe(14);
    expect(dig(doc.root, 'model_details', 'version', 'date')?.startLine).toBe(6);
  });

  it('accepts considerations alone, and not a file without details or considerations', () => {
    expect(parse(mctModelCard, 'model_card.json', '{"considerations": {"limitations": []}}').kind).toBe('mct-model-card');
    expect(mctModelCard.parse('model_card.json', '{"schema_version": "0.0.2", "model_parameters": {}}')).toHaveProperty('notArtifact');
    expect(mctModelCard.parse('model_card.json', '{"model_details": {}, "owner": "x"}')).toHaveProperty('notArtifact');
  });

  it('reports malformed JSON as a ParseError at the offending line', () => {
    const text = '{\n  "model_details": {\n    "name": "x"\n    "overview": "y"\n  }\n}\n';
    expect(mctModelCard.parse('model_card.json', text)).toMatchObject({ kind: 'mct-model-card', line: 4 });
  });
});

describe('Model Card Toolkit cards by content', () => {
  it('are read whatever the file is called, when the content is the toolkit schema', () => {
    expect(mctModelCard.detect('docs/churn.json', MCT)).toBe(true);
    expect(parse(mctModelCard, 'docs/churn.json', MCT).kind).toBe('mct-model-card');
    // A JSON file that only mentions a field name is not a card: the schema decides.
    expect(mctModelCard.parse('config/app.json', '{"model_details": {"name": "x"}, "server": {"port": 8080}}')).toEqual({ notArtifact: 'top-level key `server` is not a Model Card Toolkit field' });
    expect(mctModelCard.detect('config/app.json', '{"considerations": []}')).toBe(false);
  });
});
