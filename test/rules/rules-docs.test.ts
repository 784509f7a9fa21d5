/**
 * docs/rules.md is generated from the catalogue by scripts/gen-rules-docs.js; this test regenerates
 * it in memory and fails when the committed file differs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/model.js';
import { computeCoverage, loadCoverageData, type CoverageReport } from '../../src/rules/coverage.js';
import { isPipelineRule, loadCatalogue } from '../../src/rules/loader.js';
import { practices, type Practice } from '../../src/rules/practices.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REGENERATE = 'docs/rules.md is out of date with the rules: regenerate it with `npm run build && node scripts/gen-rules-docs.js`';

interface Generator {
  renderRulesDocs(rules: readonly Rule[], practices: readonly Practice[], coverage: CoverageReport): string;
}

async function render(): Promise<string> {
  const g = (await import(pathToFileURL(join(ROOT, 'scripts/gen-rules-docs.js')).href)) as Generator;
  const rules = loadCatalogue().rules;
  const coverage = computeCoverage(
    rules.filter((r) => !isPipelineRule(r)),
    practices(),
    loadCoverageData(),
  );
  return g.renderRulesDocs(rules, practices(), coverage);
}

describe('generated rule reference', () => {
  it('docs/rules.md is up to date (regenerate: npm run build && node scripts/gen-rules-docs.js)', async () => {
    const expected = await render();
    let actual = '';
    try {
      actual = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
    } catch {
      expect.fail(`docs/rules.md is missing: ${REGENERATE}`);
    }
    // Compare equality without printing two long files: name the first line that differs.
    if (actual !== expected) {
      const a = actual.split('\n');
      const e = expected.split('\n');
      const i = e.findIndex((line, n) => a[n] !== line);
      const at = i === -1 ? a.length : i;
      expect.fail(`${REGENERATE}\nfirst difference at line ${at + 1}:\n  file:      ${a[at] ?? '(end of file)'}\n  generated: ${e[at] ?? '(end of file)'}`);
    }
  });

  it('documents every rule with its title, severity, message and remediation', async () => {
    const md = await render();
    for (const r of loadCatalogue().rules) {
      expect(md).toContain(`#### \`${r.id}\``);
      expect(md).toContain(`**Severity:** ${r.severity}`);
      expect(md).toContain(r.remediation.replace(/\s+/g, ' ').trim());
    }
    expect(md).toContain('**Suggested fix:** terraform: insert `kms_key_arn = "<your-kms-key-arn>"`');
    expect(md).toMatch(/^## Coverage$/m);
  });
});
