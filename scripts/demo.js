#!/usr/bin/env node
/**
 * The demo: a pull request that makes a small ML repository riskier, reviewed as the bot would.
 *
 * Creates a temporary git repository, commits examples/before on `main`, commits examples/after on
 * a branch, then runs `ml-lens review --repo <tmp> --base main` twice: the terminal report, and
 * the Markdown summary comment as the pull request would get it. Runs from dist/ (npm run demo
 * builds first). Always exits 0: it shows the gate's exit code instead of failing on it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../dist/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'examples');

const GIT_IDENTITY = [
  '-c', 'user.name=ML Lens Demo',
  '-c', 'user.email=demo@example.com',
  '-c', 'init.defaultBranch=main',
  '-c', 'commit.gpgsign=false',
  '-c', 'core.hooksPath=/dev/null',
];

function git(cwd, ...args) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_') && k !== 'GIT_CONFIG_NOSYSTEM') delete env[k];
  return execFileSync('git', [...GIT_IDENTITY, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Replaces the work tree (everything but .git) with a copy of `from`. */
function checkoutTree(repo, from) {
  for (const entry of readdirSync(repo)) if (entry !== '.git') rmSync(join(repo, entry), { recursive: true, force: true });
  cpSync(from, repo, { recursive: true });
}

function heading(text) {
  const line = '─'.repeat(Math.min(100, Math.max(40, text.length + 4)));
  process.stdout.write(`\n${line}\n  ${text}\n${line}\n\n`);
}

const tmp = mkdtempSync(join(tmpdir(), 'ml-lens-demo-'));
let gateCode = 0;
try {
  git(tmp, 'init', '-q', '-b', 'main');
  checkoutTree(tmp, join(examples, 'before'));
  git(tmp, 'add', '-A');
  git(tmp, 'commit', '-q', '-m', 'churn-model: endpoint, pipeline, model card, deploy workflow');
  git(tmp, 'checkout', '-q', '-b', 'cost-cuts');
  checkoutTree(tmp, join(examples, 'after'));
  git(tmp, 'add', '-A');
  git(tmp, 'commit', '-q', '-m', 'Cut endpoint cost, speed up releases');

  heading('The pull request: cost-cuts -> main');
  process.stdout.write(git(tmp, 'diff', '--stat', '-M', 'main...cost-cuts'));

  heading('ml-lens review --repo <tmp> --base main   (terminal report)');
  gateCode = await main(['review', '--repo', tmp, '--base', 'main']);

  heading('The summary comment, as the pull request would get it');
  await main(['review', '--repo', tmp, '--base', 'main', '--format', 'summary']);

  const meaning = gateCode === 0 ? 'the gate passed' : gateCode === 1 ? 'the gate failed: this check would block the merge' : 'an error';
  heading(`ml-lens review would have exited with ${gateCode} (${meaning})`);
} catch (e) {
  process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exitCode = 0;
