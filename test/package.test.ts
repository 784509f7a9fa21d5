/**
 * What `npm pack` ships: the built command line, server, Action entry point, rule catalogue and
 * templates, and nothing of the sources, tests or examples; every package the built code imports
 * is a runtime dependency; and the packed files alone run a review (the tarball's `ml-lens`, with
 * the project's dependencies, scans the example). Needs the build (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string>; private?: boolean };

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', [...args, '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('the npm package', () => {
  let files: string[];
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist', 'cli.js')), 'run npm run build first').toBe(true);
    const [report] = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT)) as { files: { path: string }[] }[];
    files = report!.files.map((f) => f.path);
  });

  it('ships the built entry points, the catalogue and the templates', () => {
    for (const f of ['package.json', 'README.md', 'bin/ml-lens.js', 'dist/cli.js', 'dist/server.js', 'dist/action.js', 'dist/rules.json', 'templates/summary.hbs', 'app.yml']) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith('rules/') && f.endsWith('.yaml'))).toBe(true);
    expect(Object.values(pkg.bin)).toEqual(['bin/ml-lens.js']);
  });

  it('ships no sources, tests, examples, source maps or local files', () => {
    const unwanted = files.filter((f) => /^(src|test|examples|scripts|scratch|\.ci|\.bench|node_modules)\/|\.map$|\.env|\.pem$/.test(f));
    expect(unwanted).toEqual([]);
  });

  it('the built code imports only Node.js built-ins and runtime dependencies', () => {
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of walk(join(ROOT, 'dist')).filter((f) => f.endsWith('.js'))) {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: spec } of importedFiles) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) missing.add(`${name} (${file.slice(ROOT.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  describe('installed from the tarball', () => {
    let dir: string;
    let app: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ml-lens-pack-'));
      npm(['pack', '--pack-destination', dir], ROOT);
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
      expect(tgz).toBe(`${pkg.name}-${pkg.version}.tgz`);
      const untar = spawnSync('tar', ['-xzf', join(dir, tgz), '-C', dir], { encoding: 'utf8' });
      expect(untar.status, untar.stderr).toBe(0);
      app = join(dir, 'package');
      // The dependencies as npm would install them (offline here: the project's own).
      symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('its ml-lens reviews the example from the packed files alone', () => {
      const r = spawnSync(process.execPath, [join(app, 'bin', 'ml-lens.js'), 'scan', join(ROOT, 'examples', 'after'), '--format', 'json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      const report = JSON.parse(r.stdout) as { version: string; findings: { rule: string }[] };
      expect(report.version).toBe(pkg.version);
      expect(report.findings.map((f) => f.rule)).toContain('sagemaker-endpoint-kms');
      expect(spawnSync(process.execPath, [join(app, 'bin', 'ml-lens.js'), '--version'], { encoding: 'utf8' }).stdout.trim()).toBe(pkg.version);
    });
  });
});
