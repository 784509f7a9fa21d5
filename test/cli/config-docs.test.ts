import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, defaultConfig } from '../../src/config/schema.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Generator {
  renderConfigDocs(schema: unknown, defaults: unknown): string;
  renderSchemaJson(schema: unknown): string;
}

async function generator(): Promise<Generator> {
  const url = pathToFileURL(join(ROOT, 'scripts/gen-config-docs.js')).href;
  return (await import(url)) as Generator;
}

describe('generated configuration docs', () => {
  it('docs/config.md is up to date with the schema (regenerate: npm run build && node scripts/gen-config-docs.js)', async () => {
    const g = await generator();
    expect(readFileSync(join(ROOT, 'docs/config.md'), 'utf8')).toBe(g.renderConfigDocs(configJsonSchema(), defaultConfig()));
  });

  it('docs/config.schema.json is up to date with the schema', async () => {
    const g = await generator();
    expect(readFileSync(join(ROOT, 'docs/config.schema.json'), 'utf8')).toBe(g.renderSchemaJson(configJsonSchema()));
  });

  it('documents every key of the schema', async () => {
    const md = (await generator()).renderConfigDocs(configJsonSchema(), defaultConfig());
    for (const key of Object.keys(defaultConfig())) expect(md).toContain(`| \`${key}\` |`);
    for (const key of ['gate.fail_on', 'paths.include', 'rules.custom', 'ignore[].until', 'overrides[].paths', 'pillars.<pillar>.weight']) {
      expect(md).toContain(`| \`${key}\` |`);
    }
  });
});
