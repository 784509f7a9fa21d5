#!/usr/bin/env node
/**
 * Part of `npm run build`: reads the built-in rule files once and writes their parsed data to
 * dist/rules.json, keyed by file name with each file's hash, so the command line and the App
 * start without parsing half a megabyte of YAML, nor compiling every pattern (checked here first).
 * The loader ignores an entry whose hash no longer matches its file, so a stale cache is never used.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { BUILTIN_DIR, loadCatalogue, readRuleYaml, ruleFileHash } = await import(pathToFileURL(join(root, 'dist/rules/loader.js')).href);

// Every check, patterns and globs compiled, on the YAML itself: a start that loads dist/rules.json
// leaves them to be compiled on first use, so a pattern RE2 refuses must stop the build here.
try {
  loadCatalogue({ builtinDir: BUILTIN_DIR });
} catch (e) {
  process.stderr.write(`compile-rules: the built-in rules do not load:\n${e.problems ? e.problems.join('\n') : e.message}\n`);
  process.exit(1);
}

const out = {};
for (const f of readdirSync(BUILTIN_DIR).filter((n) => /\.ya?ml$/.test(n) && n !== 'practices.yaml').sort()) {
  const text = readFileSync(join(BUILTIN_DIR, f), 'utf8');
  out[f] = { hash: ruleFileHash(text), data: readRuleYaml(`rules/${f}`, text) };
}
writeFileSync(join(root, 'dist/rules.json'), JSON.stringify(out));
