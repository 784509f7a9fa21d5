/**
 * Real ML repository files (see SOURCES.md in the corpus folder): each must be classified as the
 * kind its folder names and parse without error. The corpus lives outside the project
 * (`../shared/corpus/real` from the repository root, or `ML_LENS_CORPUS`); when it is absent the
 * test says so and skips rather than passing on nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine.js';
import * as formats from '../src/formats/index.js';
import type { Kind } from '../src/model.js';

const CORPUS = process.env.ML_LENS_CORPUS
  ? resolve(process.env.ML_LENS_CORPUS)
  : fileURLToPath(new URL('../../shared/corpus/real', import.meta.url));
const present = existsSync(CORPUS) && statSync(CORPUS).isDirectory();

/** The kind each corpus folder holds (`dvc` holds two kinds, told apart by file name). */
const FOLDER_KIND: Record<string, Kind | ((file: string) => Kind)> = {
  buildspec: 'buildspec',
  cloudformation: 'cloudformation',
  dvc: (file) => (/params\.ya?ml$/i.test(file) ? 'dvc-params' : 'dvc'),
  'github-workflow': 'github-workflow',
  'kubeflow-v1-argo': 'argo-workflow',
  'kubeflow-v2-ir': 'kubeflow-pipeline',
  'vertex-pipeline-json': 'kubeflow-pipeline',
  'mlflow-mlproject': 'mlflow-project',
  'model-card-hf': 'model-card',
  'model-card-md': 'model-card',
  'sagemaker-pipeline-json': 'sagemaker-pipeline',
  terraform: 'terraform',
};

/** Files the classifier must knowingly leave alone: a CloudFormation parameter file, not a template. */
const NOT_ARTIFACTS: ReadonlySet<string> = new Set(['sagemaker-custom-project-templates__mlops-shadow-deployment__shadow-config.json']);

/** Kinds whose documents carry no targets (rules look at the whole file). */
const DOCUMENT_LEVEL: ReadonlySet<Kind> = new Set(['buildspec', 'dvc-params']);

const MARKDOWN_CARD_NAMES = ['model_card.md', 'model-card.md', 'modelcard.md'];

/**
 * A plausible original path for a corpus file, whose name is `repo__dir__file` flattened: detection
 * looks at paths (`.github/workflows/`, `MLproject`, `README.md`), so the path must be rebuilt.
 */
function originalPath(folder: string, file: string): string {
  const base = file.slice(file.lastIndexOf('__') + 2);
  const lower = base.toLowerCase();
  if (folder === 'github-workflow') return `.github/workflows/${base}`;
  if (base.endsWith('MLproject')) return 'MLproject';
  if (lower.endsWith('readme.md')) return 'README.md';
  const card = MARKDOWN_CARD_NAMES.find((n) => lower.endsWith(n));
  if (card) return card;
  return base;
}

function expectedKind(folder: string, file: string): Kind | 'none' | undefined {
  if (NOT_ARTIFACTS.has(file)) return 'none';
  const k = FOLDER_KIND[folder];
  return typeof k === 'function' ? k(file) : k;
}

interface CorpusFile {
  folder: string;
  file: string;
  full: string;
}

function corpusFiles(): CorpusFile[] {
  if (!present) return [];
  const out: CorpusFile[] = [];
  for (const folder of readdirSync(CORPUS).sort()) {
    const dir = join(CORPUS, folder);
    if (!statSync(dir).isDirectory()) continue; // SOURCES.md
    for (const file of readdirSync(dir).sort()) out.push({ folder, file, full: join(dir, file) });
  }
  return out;
}

const files = corpusFiles();

if (!present) {
  console.warn(`[corpus] ${CORPUS} is absent: the real-file corpus test is skipped (set ML_LENS_CORPUS to its folder).`);
}

describe('real corpus', () => {
  beforeAll(async () => {
    // Terraform's grammar is WebAssembly: the engine starts the parsers before anything is classified.
    await createEngine();
  });

  it.skipIf(!present)(`corpus at ${CORPUS}${present ? '' : ' (absent: skipped)'}`, () => {
    expect(files.length).toBeGreaterThan(0);
    const unmapped = [...new Set(files.filter((f) => expectedKind(f.folder, f.file) === undefined).map((f) => f.folder))];
    expect(unmapped, 'corpus folders with no expected kind: add them to FOLDER_KIND').toEqual([]);
  });

  for (const { folder, file, full } of files) {
    const expected = expectedKind(folder, file);
    if (expected === undefined) continue;
    const path = originalPath(folder, file);
    it(`${folder}/${file} as ${path} → ${expected}`, () => {
      const r = formats.classify(path, readFileSync(full, 'utf8'));
      if (expected === 'none') {
        expect(r, JSON.stringify(r)).toMatchObject({ type: 'none' });
        return;
      }
      if (r.type === 'error') expect.fail(`${expected} expected, parse error at line ${r.error.line}: ${r.error.message}`);
      if (r.type === 'none') expect.fail(`${expected} expected, not classified: ${r.reason}`);
      const doc = r.document;
      expect(doc.kind).toBe(expected);
      expect(doc.lines).toBeGreaterThan(0);
      if (!DOCUMENT_LEVEL.has(doc.kind)) expect(doc.targets.length).toBeGreaterThan(0);
      for (const t of doc.targets) {
        expect(t.startLine, t.address).toBeGreaterThanOrEqual(1);
        expect(t.endLine, t.address).toBeGreaterThanOrEqual(t.startLine);
        expect(t.endLine, t.address).toBeLessThanOrEqual(doc.lines);
      }
    });
  }
});
