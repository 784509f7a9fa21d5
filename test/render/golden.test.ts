/**
 * Golden files of every rendering surface for three hand-built reviews (passing, failing with
 * many findings, hostile values). `UPDATE_GOLDEN=1 npx vitest run test/render` rewrites them;
 * otherwise the output must match exactly. Read the diff of a golden file as a reviewer would.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Finding, Review } from '../../src/model.js';
import { renderGitLab } from '../../src/render/gitlab.js';
import { renderJson } from '../../src/render/json.js';
import { renderCheckSummary, renderInline, renderIssue, renderMarkdownReport, renderSummary } from '../../src/render/markdown.js';
import { renderSarif } from '../../src/render/sarif.js';
import { renderTerminal } from '../../src/render/terminal.js';
import { catalogueFor, failingReview, fileUrl, groupedReview, hostileReview, passingReview } from './fixtures.js';
import { reportItems } from '../../src/report-items.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`missing golden file ${name}: run with UPDATE_GOLDEN=1 and review it`);
  expect(actual, `golden file ${name}`).toBe(readFileSync(file, 'utf8'));
}

const gate = { failOn: 'high' as const, minScore: 60 };

const cases: [string, () => Review][] = [
  ['passing', passingReview],
  ['failing', failingReview],
  ['hostile', hostileReview],
  ['grouped', groupedReview],
];

function pick(r: Review, pred: (f: Finding) => boolean): Finding {
  const f = r.findings.find(pred);
  if (!f) throw new Error('fixture has no such finding');
  return f;
}

describe.each(cases)('golden: %s', (name, make) => {
  it('summary comment', () => {
    golden(`${name}.summary.md`, renderSummary(make(), { ...gate, fileUrl }));
  });

  it('check run output', () => {
    const out = renderCheckSummary(make(), { ...gate, fileUrl });
    golden(`${name}.check-summary.md`, `<!-- check title: ${out.title} -->\n${out.summary}`);
    if (out.text !== undefined) golden(`${name}.check-text.md`, out.text);
  });

  it('markdown report', () => {
    golden(`${name}.report.md`, renderMarkdownReport(make(), gate));
  });

  it('json', () => {
    golden(`${name}.json`, renderJson(make()));
  });

  it('sarif', () => {
    const r = make();
    golden(`${name}.sarif.json`, renderSarif(r, catalogueFor(r.findings), { toolVersion: '0.1.0' }));
  });

  it('gitlab code quality', () => {
    golden(`${name}.gitlab.json`, renderGitLab(make()));
  });

  it('terminal (no colour)', () => {
    golden(`${name}.terminal.txt`, renderTerminal(make(), { color: false, width: 100, ...gate }));
  });
});

describe('golden: inline comments and issues', () => {
  const failing = failingReview();
  const withFix = pick(failing, (f) => f.rule === 'sagemaker-endpoint-kms');
  const choose = pick(failing, (f) => f.rule === 'lifecycle-config-idle-shutdown');
  const plainOne = pick(failing, (f) => f.rule === 'sagemaker-training-vpc');
  const hostile = hostileReview();

  it('inline with a suggestion', () => golden('inline.suggestion.md', renderInline(withFix, { fileUrl })));
  it('inline with a value to choose', () => golden('inline.choose.md', renderInline(choose, { fileUrl })));
  it('inline without a suggestion (no fix)', () => golden('inline.plain.md', renderInline(plainOne, { fileUrl })));
  it('inline with suggestions turned off', () => golden('inline.no-suggestions.md', renderInline(withFix, { suggestions: false })));
  it('inline, one rule on five targets of a file', () => golden('inline.grouped.md', renderInline(reportItems(groupedReview().findings)[0]!, { fileUrl })));
  it('inline, two related rules on one target', () => {
    const item = reportItems(groupedReview().findings).find((i) => i.related.length > 0)!;
    golden('inline.related.md', renderInline(item, { fileUrl }));
  });
  it('inline, hostile values', () => golden('inline.hostile.md', renderInline(hostile.findings[0]!, { fileUrl })));

  const issue = (f: Finding, url?: string) => {
    const out = renderIssue(f, url === undefined ? {} : { fileUrl: url });
    return `Title: ${out.title}\n\n${out.body}`;
  };
  it('issue', () => golden('issue.md', issue(withFix, fileUrl(withFix.path, withFix.startLine))));
  it('issue without a fix', () => golden('issue.plain.md', issue(plainOne, fileUrl(plainOne.path, plainOne.startLine))));
  it('issue, hostile values', () => golden('issue.hostile.md', issue(hostile.findings[0]!, 'javascript:alert(1)')));
});
