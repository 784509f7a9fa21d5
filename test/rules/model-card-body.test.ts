/**
 * Model cards say things in their body too: a `**License:**` line, a table row, emissions in prose,
 * a Benchmarks section, a metric table. The card rules read them as they read the front matter.
 */
import { describe, expect, it } from 'vitest';
import { changeSetOf, reviewer } from '../helpers/engine.js';

const review = await reviewer();
const rules = (text: string, ids: string[]) =>
  review(changeSetOf([{ path: 'MODEL_CARD.md', status: 'added', base: null, head: text }], { tree: [], contextComplete: false }))
    .findings.filter((f) => ids.includes(f.rule))
    .map((f) => `${f.rule}@${f.startLine}`)
    .sort();

const IDS = ['model-card-license', 'model-card-environmental-impact', 'model-card-evaluation', 'model-card-metric-values-finite'];

describe('model card bodies', () => {
  it('a card that says it all in its body has none of these findings', () => {
    const card = `# Model Card for churn-classifier

- **Developed by:** ACME ML
- **License:** apache-2.0

## Benchmarks

| Task | Accuracy |
|---|---|
| churn-holdout-2025 | 0.91 |

Training emitted 11,390 tons CO2eq on our cluster (CodeCarbon).
`;
    expect(rules(card, IDS)).toEqual([]);
  });

  it('the same card without them is told, and a NaN metric in a table is found', () => {
    const card = `# Model Card for churn-classifier

- **Developed by:** ACME ML
- **License:** [More Information Needed]

## Training

| Metric | Value |
|---|---|
| loss | nan |
`;
    expect(rules(card, IDS)).toEqual([
      'model-card-environmental-impact@1',
      'model-card-evaluation@1',
      'model-card-license@1',
      'model-card-metric-values-finite@8', // the section's text, from its first line
    ]);
  });

  it('a license table row and a labelled emissions line count', () => {
    const card = `# Model

| Field | Value |
|---|---|
| License | MIT |

## Environmental impact

- **Carbon Emitted:** 149 kg
`;
    expect(rules(card, ['model-card-license', 'model-card-environmental-impact'])).toEqual([]);
  });
});
