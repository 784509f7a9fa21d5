/**
 * Precision, measured: every finding on the bundled examples and on the shared real-file corpus
 * (when present) is labelled in test/precision/labels.yaml. An unlabelled finding or one labelled
 * wrong fails; the share of debatable findings is printed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../src/config/schema.js';
import { dirChangeSet } from '../src/sources/dir.js';
import { reviewer } from './helpers/engine.js';

interface Label {
  finding: string;
  label: 'right' | 'debatable' | 'wrong';
  reason: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const LABELS = parse(readFileSync(here('./precision/labels.yaml'), 'utf8')) as Label[];
const CORPUS = process.env.ML_LENS_CORPUS ?? here('../../shared/corpus/real');
/**
 * `files`: the set is single files taken from their repositories (the corpus), not a repository.
 * A review in a pull request reads the repository's other files for the rules that look beyond the
 * change (a monitoring schedule, a budget, CODEOWNERS); here they are missing, so the set is read
 * as such a review would read a change whose repository could not be read in full: what a rule does
 * not find there is unknown, not missing.
 */
const SETS: { name: string; dir: string; present: boolean; config?: Config; files?: true }[] = [
  { name: 'examples/before', dir: here('../examples/before'), present: true },
  { name: 'examples/after', dir: here('../examples/after'), present: true },
  // The corpus's KFP v2 pipeline is the compiler's output, left out of a review by default
  // (src/generated.ts); named in paths.include, so that the KFP rules' precision on it is measured.
  { name: 'corpus/real', dir: CORPUS, present: existsSync(CORPUS) && statSync(CORPUS).isDirectory(), config: configSchema.parse({ paths: { include: ['**', 'kubeflow-v2-ir/**'] } }), files: true },
];
const review = await reviewer();

describe('labelled precision', () => {
  it('labels are well formed and unique', () => {
    const seen = new Set<string>();
    for (const l of LABELS) {
      expect(['right', 'debatable', 'wrong'], l.finding).toContain(l.label);
      expect(l.reason.trim().length, l.finding).toBeGreaterThan(10);
      expect(seen.has(l.finding), l.finding).toBe(false);
      seen.add(l.finding);
    }
  });

  it('every finding is labelled, none wrong; the debatable share is printed', async () => {
    const byFinding = new Map(LABELS.map((l) => [l.finding, l]));
    const found: string[] = [];
    for (const set of SETS.filter((s) => s.present)) {
      const changeSet = await dirChangeSet([set.dir], { cwd: set.dir });
      if (set.files) changeSet.context = { ...changeSet.context, complete: false };
      const r = review(changeSet, set.config ? { config: set.config } : {});
      for (const f of r.findings) if (f.status !== 'suppressed') found.push(`${set.name}/${f.path}:${f.startLine} ${f.rule}`);
    }
    expect(found.filter((f) => !byFinding.has(f)), 'findings with no label: label them in test/precision/labels.yaml').toEqual([]);
    expect(found.filter((f) => byFinding.get(f)?.label === 'wrong')).toEqual([]);
    const debatable = found.filter((f) => byFinding.get(f)?.label === 'debatable').length;
    console.log(`[precision] ${found.length} findings, ${debatable} debatable (${((100 * debatable) / Math.max(1, found.length)).toFixed(0)}%), 0 wrong`);
    // A set that is present must find what it is labelled for: no label goes stale unseen.
    const present = new Set(SETS.filter((s) => s.present).map((s) => s.name));
    const stale = LABELS.filter((l) => present.has(l.finding.split('/').slice(0, 2).join('/')) && !found.includes(l.finding)).map((l) => l.finding);
    expect(stale, 'labels of findings no longer made: remove them').toEqual([]);
  });
});
