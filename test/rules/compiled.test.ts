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

  // The built-in rules are checked in full by the build (scripts/compile-rules.js) and loaded from
  // dist/rules.json without compiling their patterns: compiled on first use (examples.test.ts
  // evaluates every rule's examples through that catalogue). The data gives the same rules.
  it('rules read without compiling their patterns are the same rules', () => {
    const text = readFileSync(`${BUILTIN_DIR}/model-cards.yaml`, 'utf8');
    const lazy = rulesFromData('rules/model-cards.yaml', readRuleYaml('rules/model-cards.yaml', text), { compile: false });
    expect(summary(lazy)).toBe(summary(parseRuleFile('rules/model-cards.yaml', text)));
    expect(text).toContain('matches:');
  });

  it.skipIf(!existsSync(compiledPath))('every entry of dist/rules.json matches its file (npm run build writes it)', () => {
    const compiled = JSON.parse(readFileSync(compiledPath, 'utf8')) as Record<string, { hash: string }>;
    expect(Object.keys(compiled).length).toBeGreaterThan(5);
    for (const [file, entry] of Object.entries(compiled)) {
      expect(entry.hash, file).toBe(ruleFileHash(readFileSync(`${BUILTIN_DIR}/${file}`, 'utf8')));
    }
  });
});
