/**
 * The build's pre-parsed catalogue (dist/rules.json) gives exactly the rules the YAML gives, and a
 * stale entry (its hash no longer matching the file) is never used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTIN_DIR, loadCatalogue, parseRuleFile, readRuleYaml, ruleFileHash, rulesFromData } from '../../src/rules/loader.js';

const compiledPath = fileURLToPath(new URL('../../dist/rules.json', import.meta.url));
const summary = (rules: { id: string; severity: string; match: unknown; message: string; examples: unknown }[]) =>
  JSON.stringify(rules.map((r) => [r.id, r.severity, r.match, r.message, r.examples]));

describe('pre-parsed catalogue', () => {
  it('data read once then checked gives the same rules as parsing the file', () => {
    const text = readFileSync(`${BUILTIN_DIR}/security.yaml`, 'utf8');
    expect(summary(rulesFromData('rules/security.yaml', readRuleYaml('rules/security.yaml', text)))).toBe(
      summary(parseRuleFile('rules/security.yaml', text)),
    );
  });

  it('the catalogue loaded through dist/rules.json equals the one read from YAML', () => {
    const viaCache = loadCatalogue();
    const viaYaml = loadCatalogue({ builtinDir: BUILTIN_DIR });
    expect(summary(viaCache.rules)).toBe(summary(viaYaml.rules));
  });

  it.skipIf(!existsSync(compiledPath))('every entry of dist/rules.json matches its file (npm run build writes it)', () => {
    const compiled = JSON.parse(readFileSync(compiledPath, 'utf8')) as Record<string, { hash: string }>;
    expect(Object.keys(compiled).length).toBeGreaterThan(5);
    for (const [file, entry] of Object.entries(compiled)) {
      expect(entry.hash, file).toBe(ruleFileHash(readFileSync(`${BUILTIN_DIR}/${file}`, 'utf8')));
    }
  });
});
