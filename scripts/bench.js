#!/usr/bin/env node
/**
 * Benchmark (npm run bench): how fast the reviewer parses and reviews, and how much memory it needs.
 *
 * Generates deterministic corpora (scripts/bench-corpus.js) into a temporary folder, then measures
 * each in a child process of its own (so peak memory belongs to one corpus):
 *   - read:   dirChangeSet over the corpus (the "fetch" of a local source);
 *   - parse:  classify() of every file, nothing else (the bare parsers);
 *   - review: review() of a ChangeSet with every file added, with the real catalogue, plus
 *             rendering the JSON and Markdown reports;
 *   - memory: peak RSS (getrusage maxRSS) of the process up to the end of the first review (what one
 *             CLI run needs), the peak over all runs, and heapUsed after a full GC with the review
 *             result still alive.
 * After the engine is created, one cold review (the end-to-end figure: it also counts loading the modules, the
 * Terraform grammar, the catalogue and reading the files) and one cold parse are run, then parse
 * and review `--iterations` times (default 3) in alternating order; medians of those are reported.
 *
 * Prints a table, writes .bench/results.json and compares against the targets (PASS/MISS).
 * Exits 0 either way: it is a report, not a test.
 *
 *   node --expose-gc scripts/bench.js [--iterations N] [--keep]
 *   node --expose-gc scripts/bench.js --app [--concurrency N] [--latency MS] [--quick]   (the App: scripts/bench-app.js)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `--app`: the GitHub App end to end instead (scripts/bench-app.js: web and worker processes, GitHub faked).
if (process.argv.slice(2).includes('--app')) {
  const { main } = await import('./bench-app.js');
  process.exit(await main(process.argv.slice(2).filter((a) => a !== '--app')));
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;

const VARIANTS = [
  { id: 'tf-700', label: '700 Terraform files', terraform: 700, other: 0 },
  { id: 'mixed-1000', label: '700 Terraform + 300 other', terraform: 700, other: 300 },
  { id: 'mixed-3000', label: '2100 Terraform + 900 other', terraform: 2100, other: 900 },
  { id: 'python-600', label: '500 Python + 100 notebooks', terraform: 0, other: 0, python: 500, notebooks: 100 },
  { id: 'cdk-py-300', label: '300 CDK stacks in Python', terraform: 0, other: 0, cdkPy: 300 },
  { id: 'cdk-ts-300', label: '300 CDK stacks in TypeScript', terraform: 0, other: 0, cdkTs: 300 },
  { id: 'kfp-300', label: '300 Kubeflow pipelines in Python (with Vertex AI runs)', terraform: 0, other: 0, kfp: 300 },
  { id: 'airflow-300', label: '300 Airflow DAGs', terraform: 0, other: 0, airflow: 300 },
];

const TARGETS = {
  endToEndSeconds: 5, // 700-file Terraform corpus reviewed end to end
  reviewOverParse: 1.25, // review() at most 1.25 x bare parsing (rendering is reported beside it)
  peakRssMb3000: 300, // peak memory for 3000 files
  pythonParseMbPerS: 1, // SageMaker Python, notebooks and CDK stacks (Python, TypeScript) parsed at least this fast
  changeSeconds: 2, // a 12-file change on a ~1,100-file repository, reviewed by the command line
  changeRssMb: 200,
};

/** The change scenario: a git repository of this shape, 12 files changed on a branch. */
const CHANGE = { terraform: 800, other: 300, changed: 12, runs: 3 };

const args = process.argv.slice(2);
const argValue = (name) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};

if (args[0] === '--child') await child(args[1], Number(argValue('iterations') ?? 3));
else await parent();

// ---------------------------------------------------------------------------------------------
// One corpus, in its own process
// ---------------------------------------------------------------------------------------------

async function child(dir, iterations) {
  const t0 = performance.now();
  const [{ classify }, { createEngine }, { defaultConfig }, { renderJson }, { renderMarkdownReport }, { dirChangeSet }] = await Promise.all([
    import(dist('formats/index.js')),
    import(dist('engine.js')),
    import(dist('config/schema.js')),
    import(dist('render/json.js')),
    import(dist('render/markdown.js')),
    import(dist('sources/dir.js')),
  ]);
  const engine = await createEngine();
  const config = defaultConfig();
  const plan = engine.plan({ config, catalogue: engine.catalogue(), today: '2026-01-01' });
  const tReady = performance.now();

  let peakSampled = process.memoryUsage().rss;
  const sample = () => {
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  };

  const tRead0 = performance.now();
  const changeSet = await dirChangeSet(['.'], { cwd: dir });
  const readMs = performance.now() - tRead0;
  sample();
  const files = changeSet.files.filter((f) => f.head !== null);
  const bytes = files.reduce((s, f) => s + Buffer.byteLength(f.head), 0);
  const lines = files.reduce((s, f) => s + f.head.split('\n').length, 0);

  const gate = { failOn: config.gate.fail_on, minScore: config.gate.min_score };
  let documents = 0;
  let parseErrors = 0;
  const parse = () => {
    const p0 = performance.now();
    documents = 0;
    parseErrors = 0;
    for (const f of files) {
      const c = classify(f.path, f.head);
      if (c.type === 'document') documents++;
      else if (c.type === 'error') parseErrors++;
    }
    sample();
    return performance.now() - p0;
  };
  let result;
  /** Peak RSS when the first review() returned, before any report was rendered. */
  let peakAfterReview;
  const fullReview = () => {
    const r0 = performance.now();
    result = engine.review(changeSet, plan);
    const r1 = performance.now();
    sample();
    peakAfterReview ??= process.resourceUsage().maxRSS / 1024;
    const json = renderJson(result);
    const md = renderMarkdownReport(result, gate);
    const r2 = performance.now();
    sample();
    if (json.length === 0 || md.length === 0) throw new Error('empty report');
    return { review: r1 - r0, render: r2 - r1 };
  };

  // Cold: the first review, as a one-shot CLI run would do it (also the end-to-end figure), then
  // the first bare parse. Neither is in the medians.
  const cold = fullReview();
  const endToEnd = performance.now() - t0;
  // Peak memory of one review, as a CLI run has it (the warm iterations below only add garbage).
  const peakOneReviewMb = Math.max(process.resourceUsage().maxRSS / 1024, peakSampled / 1048576);
  const parseCold = parse();

  // Warm: alternate the order so neither side always runs after the other.
  const parseRuns = [];
  const reviewRuns = [];
  const renderRuns = [];
  for (let i = 0; i < iterations; i++) {
    const pr = () => parseRuns.push(parse());
    const rv = () => {
      const t = fullReview();
      reviewRuns.push(t.review);
      renderRuns.push(t.render);
    };
    if (i % 2 === 0) {
      pr();
      rv();
    } else {
      rv();
      pr();
    }
  }

  globalThis.gc?.();
  const heapAfterGc = process.memoryUsage().heapUsed;
  const maxRssKb = process.resourceUsage().maxRSS;

  const out = {
    files: files.length,
    skipped: changeSet.files.length - files.length,
    lines,
    bytes,
    documents,
    parseErrors,
    findings: result.findings.length,
    evaluations: result.stats.evaluations,
    conclusion: result.gate.conclusion,
    startupMs: tReady - t0,
    readMs,
    parseMs: median(parseRuns),
    parseColdMs: parseCold,
    reviewMs: median(reviewRuns),
    reviewColdMs: cold.review,
    renderMs: median(renderRuns),
    renderColdMs: cold.render,
    endToEndColdMs: endToEnd,
    parseRuns,
    reviewRuns,
    renderRuns,
    peakRssMb: peakOneReviewMb,
    peakReviewOnlyMb: peakAfterReview,
    peakRssAllRunsMb: Math.max(maxRssKb / 1024, peakSampled / 1048576),
    heapAfterGcMb: heapAfterGc / 1048576,
    gcExposed: typeof globalThis.gc === 'function',
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------------------------------------
// Orchestration and report
// ---------------------------------------------------------------------------------------------

async function parent() {
  const { generateCorpus } = await import(pathToFileURL(join(root, 'scripts/bench-corpus.js')).href);
  const iterations = Number(argValue('iterations') ?? 3);
  const base = mkdtempSync(join(tmpdir(), 'ml-lens-bench-'));
  const results = [];
  let change;
  try {
    for (const v of VARIANTS) {
      const dir = join(base, v.id);
      const corpus = generateCorpus(dir, { terraform: v.terraform, other: v.other, python: v.python ?? 0, notebooks: v.notebooks ?? 0, cdkPy: v.cdkPy ?? 0, cdkTs: v.cdkTs ?? 0, kfp: v.kfp ?? 0, airflow: v.airflow ?? 0, seed: 42 });
      process.stderr.write(`bench: ${v.label}: ${corpus.totalFiles} files, ${corpus.totalLines} lines, ${mb(corpus.totalBytes)} MB ... `);
      const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', dir, '--iterations', String(iterations)], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const m = JSON.parse(out.trim().split('\n').pop());
      process.stderr.write('done\n');
      results.push({ ...v, corpus: { files: corpus.totalFiles, lines: corpus.totalLines, bytes: corpus.totalBytes, byKind: corpus.byKind }, ...m });
    }
    change = changeScenario(base, generateCorpus);
  } finally {
    if (!args.includes('--keep')) rmSync(base, { recursive: true, force: true });
    else process.stderr.write(`bench: corpora kept in ${base}\n`);
  }

  const rows = results.map((r) => {
    const total = r.reviewMs + r.renderMs;
    return {
      corpus: r.label,
      files: String(r.files),
      lines: String(r.lines),
      MB: mb(r.bytes),
      'read ms': r.readMs.toFixed(0),
      'parse ms': r.parseMs.toFixed(0),
      'parse files/s': rate(r.files, r.parseMs),
      'parse MB/s': rate(r.bytes / 1048576, r.parseMs, 2),
      'review ms': r.reviewMs.toFixed(0),
      'render ms': r.renderMs.toFixed(0),
      'review files/s': rate(r.files, total),
      'review MB/s': rate(r.bytes / 1048576, total, 2),
      'review/parse': (r.reviewMs / r.parseMs).toFixed(2),
      '+render/parse': (total / r.parseMs).toFixed(2),
      'e2e cold s': (r.endToEndColdMs / 1000).toFixed(2),
      'peak RSS review MB': r.peakReviewOnlyMb.toFixed(0),
      'peak RSS +render MB': r.peakRssMb.toFixed(0),
      'RSS all runs': r.peakRssAllRunsMb.toFixed(0),
      'heap MB': r.gcExposed ? r.heapAfterGcMb.toFixed(0) : 'n/a',
    };
  });
  process.stdout.write(`\nML Lens Reviewer benchmark (Node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GB, median of ${iterations} warm runs)\n\n`);
  process.stdout.write(table(rows));
  process.stdout.write(
    '\nreview ms = review() (classify + parse + evaluate + compare + score, head and base); render = JSON + Markdown.\n' +
      'peak RSS review MB = up to the return of the first review(); +render = after also rendering JSON and the full\n' +
      'Markdown report of every finding (one CLI run renders one of them); RSS all runs = over every iteration;\n' +
      'heap MB = heapUsed after a full GC with the last review result alive.\n' +
      'review() does not expose its internal split; evaluate + compare + score ≈ review − parse:\n',
  );
  for (const r of results) {
    process.stdout.write(`  ${r.label.padEnd(28)} parse ${r.parseMs.toFixed(0).padStart(6)} ms  evaluate+rest ≈ ${(r.reviewMs - r.parseMs).toFixed(0).padStart(6)} ms  render ${r.renderMs.toFixed(0).padStart(5)} ms  (${r.findings} findings, ${r.evaluations} evaluations, ${r.parseErrors} parse errors, gate ${r.conclusion})\n`);
  }

  const tf = results.find((r) => r.id === 'tf-700');
  const py = results.find((r) => r.id === 'python-600');
  const big = results.find((r) => r.id === 'mixed-3000');
  const checks = [
    {
      target: `700-file Terraform corpus reviewed end to end (cold, incl. startup and read) < ${TARGETS.endToEndSeconds} s`,
      value: `${(tf.endToEndColdMs / 1000).toFixed(2)} s`,
      pass: tf.endToEndColdMs < TARGETS.endToEndSeconds * 1000,
    },
    ...results.map((r) => ({
      target: `review <= ${TARGETS.reviewOverParse} x parse (${r.label}; with rendering JSON + Markdown: ${((r.reviewMs + r.renderMs) / r.parseMs).toFixed(2)} x)`,
      value: `${(r.reviewMs / r.parseMs).toFixed(2)} x`,
      pass: r.reviewMs <= TARGETS.reviewOverParse * r.parseMs,
    })),
    {
      target: `Python and notebooks parsed at >= ${TARGETS.pythonParseMbPerS} MB/s (${py.label})`,
      value: `${(py.bytes / 1048576 / (py.parseMs / 1000)).toFixed(2)} MB/s`,
      pass: py.bytes / 1048576 / (py.parseMs / 1000) >= TARGETS.pythonParseMbPerS,
    },
    ...['cdk-py-300', 'cdk-ts-300', 'kfp-300', 'airflow-300'].map((id) => {
      const c = results.find((r) => r.id === id);
      return { target: `code parsed at >= ${TARGETS.pythonParseMbPerS} MB/s (${c.label}: the ${id === 'cdk-ts-300' ? 'TypeScript' : 'Python'} grammar)`, value: `${(c.bytes / 1048576 / (c.parseMs / 1000)).toFixed(2)} MB/s`, pass: c.bytes / 1048576 / (c.parseMs / 1000) >= TARGETS.pythonParseMbPerS };
    }),
    {
      target: `peak memory for 3000 files < ${TARGETS.peakRssMb3000} MB (review; with rendering JSON + the full Markdown report as well: ${big.peakRssMb.toFixed(0)} MB)`,
      value: `${big.peakReviewOnlyMb.toFixed(0)} MB RSS`,
      pass: big.peakReviewOnlyMb < TARGETS.peakRssMb3000,
    },
  ];
  process.stdout.write(
    `\nA ${CHANGE.changed}-file change on a ${change.files}-file git repository, \`ml-lens review --base main --head change --format json\` (median of ${CHANGE.runs} runs):\n` +
      `  ${(change.ms / 1000).toFixed(2)} s wall, ${change.rssMb === null ? 'peak RSS n/a (no /usr/bin/time)' : `${change.rssMb.toFixed(0)} MB peak RSS`}, runs ${change.runsMs.map((x) => (x / 1000).toFixed(2)).join(' / ')} s\n`,
  );
  checks.push({
    target: `${CHANGE.changed}-file change on a ${change.files}-file repository reviewed by the CLI < ${TARGETS.changeSeconds} s`,
    value: `${(change.ms / 1000).toFixed(2)} s`,
    pass: change.ms < TARGETS.changeSeconds * 1000,
  });
  if (change.rssMb !== null) {
    checks.push({ target: `... and < ${TARGETS.changeRssMb} MB peak RSS`, value: `${change.rssMb.toFixed(0)} MB`, pass: change.rssMb < TARGETS.changeRssMb });
  }
  process.stdout.write('\nTargets\n');
  for (const c of checks) process.stdout.write(`  ${c.pass ? 'PASS' : 'MISS'}  ${c.target}: ${c.value}\n`);

  const file = join(root, '.bench/results.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, iterations, targets: TARGETS, checks, results, change }, null, 2)}\n`,
  );
  process.stdout.write(`\nwrote ${file}\n`);
}

/**
 * A repository of CHANGE's shape in git, a branch changing CHANGE.changed files (Terraform and
 * others alike), and the command line reviewing it as a developer would: wall time of the whole
 * process (start-up, git, the worker, the report) and its peak RSS (worker threads included).
 */
function changeScenario(base, generateCorpus) {
  const dir = join(base, 'change');
  const corpus = generateCorpus(dir, { terraform: CHANGE.terraform, other: CHANGE.other, seed: 7 });
  process.stderr.write(`bench: ${CHANGE.changed}-file change on ${corpus.totalFiles} files ... `);
  const git = (...a) => execFileSync('git', a, { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=b@example.com', '-c', 'user.name=bench', 'add', '-A');
  git('-c', 'user.email=b@example.com', '-c', 'user.name=bench', 'commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'change');
  const step = Math.floor(corpus.files.length / CHANGE.changed);
  for (let i = 0; i < CHANGE.changed; i++) {
    const f = corpus.files[i * step];
    const abs = join(dir, f.path);
    const text = readFileSync(abs, 'utf8');
    writeFileSync(abs, f.path.endsWith('.tf') ? `${text}\nresource "aws_s3_bucket" "bench_${i}" {\n  bucket = "bench-${i}"\n}\n` : text.replace(/\n$/, '\n\n'));
  }
  git('-c', 'user.email=b@example.com', '-c', 'user.name=bench', 'commit', '-q', '-am', 'change');
  const bin = join(root, 'bin/ml-lens.js');
  const out = join(base, 'change.json');
  const cli = ['review', '--repo', dir, '--base', 'main', '--head', 'change', '--format', 'json', '--output', out];
  const hasTime = existsSync('/usr/bin/time');
  const runsMs = [];
  const rss = [];
  for (let i = 0; i < CHANGE.runs; i++) {
    const t0 = performance.now();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...cli], { encoding: 'utf8' })
      : spawnSync(process.execPath, [bin, ...cli], { encoding: 'utf8' });
    runsMs.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`ml-lens review failed (${r.status}): ${r.stderr}`);
    if (hasTime) rss.push(Number(r.stderr.trim().split('\n').pop()) / 1024);
  }
  process.stderr.write('done\n');
  return { files: corpus.totalFiles, changed: CHANGE.changed, ms: median(runsMs), runsMs, rssMb: hasTime ? median(rss) : null };
}

function mb(bytes) {
  return (bytes / 1048576).toFixed(2);
}

function rate(n, ms, digits = 0) {
  return (n / (ms / 1000)).toFixed(digits);
}

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return `${line(cols)}\n${line(width.map((w) => '-'.repeat(w)))}\n${rows.map((r) => line(cols.map((c) => r[c]))).join('\n')}\n`;
}
