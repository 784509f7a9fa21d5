#!/usr/bin/env node
/**
 * npm's `prepare` (package.json): builds dist/ when the package is installed from git, packed or
 * published. npm installs the dependencies (dev included) in its clone before `prepare`, except up
 * to npm 11 when the install is global (`npm install -g git+...`, which is how pre-commit installs
 * a `language: node` hook): https://github.com/npm/cli/issues/8440, fixed in npm 12 by
 * https://github.com/npm/pacote/pull/494. Then they are installed here first, from the lock file,
 * locally (`--global=false` over the `npm_config_global` npm passes down), without running scripts
 * (this one included).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = (args) =>
  process.env.npm_execpath
    ? execFileSync(process.execPath, [process.env.npm_execpath, ...args], { cwd: root, stdio: 'inherit' })
    : execFileSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });

if (!existsSync(new URL('../node_modules/typescript/package.json', import.meta.url))) {
  npm(['ci', '--global=false', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund']);
}
npm(['run', 'build']);
