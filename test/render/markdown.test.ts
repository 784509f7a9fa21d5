import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { TemplateError, TEMPLATES_DIR, checkOverrides, renderTemplate, templateNames, tidy } from '../../src/render/handlebars.js';
import {
  CHECK_OUTPUT_LIMIT,
  COMMENT_LIMIT,
  SUMMARY_MARKER,
  fingerprintKey,
  fingerprintMarker,
  hardCut,
  inlineAnchor,
  issueTitle,
  parseFingerprintMarker,
  renderCheckSummary,
  renderInline,
  renderIssue,
  renderMarkdownReport,
  renderSummary,
} from '../../src/render/markdown.js';
import { deltaText, formulaLine, practiceLink, scoreText } from '../../src/render/labels.js';
import { failingReview, fileUrl, hostileReview, hugeReview, passingReview, review } from './fixtures.js';

const md = new MarkdownIt({ html: true, linkify: true });
const gate = { failOn: 'high' as const, minScore: 60 };

function balanced(text: string): void {
  expect((text.match(/<details>/g) ?? []).length).toBe((text.match(/<\/details>/g) ?? []).length);
  const fences = text.split('\n').filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l));
  expect(fences.length % 2).toBe(0);
}

describe('labels', () => {
  it('formats scores, deltas and practice links', () => {
    expect(scoreText(null)).toBe('not assessed');
    expect(scoreText(87)).toBe('87');
    expect([deltaText(3), deltaText(-2), deltaText(0), deltaText(null)]).toEqual(['+3', '\u22122', '±0', 'n/a']);
    expect(practiceLink('MLSEC02-BP01')).toBe(
      '[MLSEC02-BP01](https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec02-bp01.html)',
    );
    expect(practiceLink('MLSEC-02')).toBe('MLSEC-02');
    expect(practiceLink('](javascript:x)')).toBe('\\](javascript:x)');
  });

  it('states the formula in one line', () => {
    expect(formulaLine('high', 0)).toBe(
      'Pillar score = round(100 × passed weight ÷ evaluated weight); weights critical 10, high 5, medium 3, low 1, info 0; gate: failure on a new unsuppressed finding at or above high or a pillar below 0',
    );
  });
});

describe('summary comment', () => {
  it('starts with the marker and renders as intended', () => {
    const text = renderSummary(failingReview(), { ...gate, fileUrl });
    expect(text.startsWith(SUMMARY_MARKER + '\n')).toBe(true);
    balanced(text);
    const html = md.render(text);
    // the pillar table: header + six pillar rows + the weighted overall, four cells each
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'));
    expect((table.match(/<tr>/g) ?? []).length).toBe(8);
    expect(table).toContain('<strong>Overall (weighted)</strong>');
    expect((table.match(/<td[ >]/g) ?? []).length).toBe(28);
    expect(table).toContain('not assessed');
    expect(text).toContain('```mermaid\nxychart-beta');
    expect(text).toContain('bar [62, 40, 67, 50, 70, 0]');
    expect(text).toContain('"Sustainability (n/a)"');
    expect(text).toContain(formulaLine('high', 60));
    expect(text.match(/Pillar score = /g)?.length).toBe(1);
  });

  it('renders hostile values inertly', () => {
    const text = renderSummary(hostileReview(), { ...gate, fileUrl });
    const html = md.render(text);
    expect(html).not.toMatch(/<script|<img|<b>|href="javascript/i);
    expect(html).not.toMatch(/<h[1-2]/); // only our own heading (h3/h4)
    expect((html.match(/<h3>/g) ?? []).length).toBe(1);
    const visible = html.replace(/<code>[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, '').replace(/&#8203;/g, '\u200b');
    expect(visible).not.toMatch(/@[A-Za-z0-9]/);
    expect(text.split(SUMMARY_MARKER).length).toBe(2);
    balanced(text);
  });

  it('keeps every table row whole whatever the values hold', () => {
    for (const r of [failingReview(), hostileReview()]) {
      const html = md.render(renderCheckSummary(r, { ...gate, fileUrl }).summary);
      const tables = html.split('<table>').slice(1);
      expect(tables).toHaveLength(2);
      for (const t of tables) {
        const rows = t.slice(0, t.indexOf('</table>')).split('<tr>').slice(2);
        for (const row of rows) expect((row.match(/<td[ >]/g) ?? []).length, row).toBe(4);
      }
      expect(html).not.toMatch(/<script|<img|<b>|href="javascript/i);
    }
  });

  it('says so when nothing could be scored', () => {
    const text = renderSummary(review(), gate);
    expect(text).toContain('No pillar could be scored');
    expect(text).not.toContain('mermaid');
  });

  it('caps the findings it lists', () => {
    const r = failingReview();
    const text = renderSummary(r, { ...gate, maxFindings: 2 });
    expect(text).toContain('…and 7 more new findings');
    expect(text).toContain('- …and 1 more');
  });

  it('fits 5000 findings into one comment, marker first', () => {
    const r = hugeReview(5000);
    const t0 = Date.now();
    const text = renderSummary(r, { ...gate, fileUrl });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.startsWith(SUMMARY_MARKER + '\n')).toBe(true);
    expect(text).toMatch(/…and \d+ more new findings/);
    expect(text).toMatch(/\| Security \| 90 \| 10 \| \u221280 \(\d+ new\) \|/);
    expect(text).toContain('Pillar score = ');
    balanced(text);
  });

  it('fits the check run output too', () => {
    const out = renderCheckSummary(hugeReview(5000), { ...gate, fileUrl });
    expect(out.summary.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(out.text!.length).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(out.text).toMatch(/…and \d+ more findings? not shown/);
    expect(out.title).toMatch(/^Failing · \d+ new findings \(/);
    balanced(out.summary);
    balanced(out.text!);
  });

  it('cuts an oversized override safely and keeps the marker first', () => {
    const overrides = { summary: 'Header\n<details>\n\n```\n{{#each pillars}}' + 'x'.repeat(20000) + '\n{{/each}}' };
    const text = renderSummary(passingReview(), { ...gate, overrides });
    expect(text.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.startsWith(SUMMARY_MARKER + '\n')).toBe(true);
    expect(text).toContain('the rest was cut');
    balanced(text);
  });

  it('hardCut never leaves half a marker or an open comment', () => {
    const text = SUMMARY_MARKER + '\n' + 'a\n'.repeat(100) + '<!-- open comment ' + 'b'.repeat(500);
    const out = hardCut(text, 400, SUMMARY_MARKER);
    expect(out.length).toBeLessThanOrEqual(400);
    expect(out.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(out).not.toContain('<!-- open');
  });
});

describe('template overrides', () => {
  it('lists templates and partials from the package folder', () => {
    expect(TEMPLATES_DIR).toMatch(/[\\/]templates[\\/]$/);
    const names = templateNames();
    for (const n of ['summary', 'check-summary', 'check-text', 'inline', 'issue', 'report', '_finding', '_scores']) expect(names).toContain(n);
    // from dist/render/ the same relative URL reaches the same folder
    expect(new URL('../../templates/', 'file:///pkg/dist/render/handlebars.js').pathname).toBe('/pkg/templates/');
  });

  it('uses an override of a template and of a partial', () => {
    const r = failingReview();
    const text = renderSummary(r, { ...gate, overrides: { 'summary.hbs': '{{summaryMarker}}\nCustom: {{counts.new}} new\n{{#each newFindings.items}}{{> finding}}\n{{/each}}', _finding: '* {{code rule}}' } });
    expect(text.startsWith(SUMMARY_MARKER + '\nCustom: 9 new\n* `sagemaker-training-vpc`')).toBe(true);
    // nothing leaks into the next render
    expect(renderSummary(r, gate)).toContain('### ❌ ML Lens review');
  });

  it('puts the marker back when an override drops it', () => {
    const text = renderSummary(passingReview(), { ...gate, overrides: { summary: 'Only text' } });
    expect(text).toBe(SUMMARY_MARKER + '\nOnly text\n');
    const inline = renderInline(failingReview().findings[0]!, { overrides: { inline: 'x {{marker}} y' } });
    expect(inline.split('\n')[0]).toBe(fingerprintMarker(failingReview().findings[0]!.fingerprint));
  });

  it('a template that does not compile is an error naming it', () => {
    expect(() => renderSummary(passingReview(), { ...gate, overrides: { summary: '{{#if x}}unclosed' } })).toThrow(TemplateError);
    expect(() => renderSummary(passingReview(), { ...gate, overrides: { summary: '{{#if x}}unclosed' } })).toThrow(/template "summary" \(repository override\): does not compile/);
    expect(() => renderSummary(passingReview(), { ...gate, overrides: { _finding: '{{nope 1}}' } })).toThrow(/template "_finding"/);
    expect(() => renderSummary(passingReview(), { ...gate, overrides: { sumary: 'x' } })).toThrow(/template "sumary".*no such template/);
    expect(checkOverrides({ summary: '{{', inline: 'fine', bogus: '' }).map((e) => e.template)).toEqual(['summary', 'bogus']);
  });

  it('an override cannot reach prototypes or unknown helpers', () => {
    const text = renderSummary(passingReview(), { ...gate, overrides: { summary: '[{{constructor.name}}][{{#with this}}{{__proto__}}{{/with}}][{{lookup this "constructor"}}]' } });
    expect(text).toBe(SUMMARY_MARKER + '\n[][][]\n');
    expect(() => renderSummary(passingReview(), { ...gate, overrides: { summary: '{{#blockHelperMissing}}x{{/blockHelperMissing}}' } })).toThrow(TemplateError);
  });

  it('a template that throws while rendering is an error naming it', () => {
    expect(() => renderTemplate('summary', {}, { summary: '{{> missing-partial}}' })).toThrow(/template "summary".*failed while rendering/);
  });

  it('tidy collapses blank lines outside fences only', () => {
    expect(tidy('\n\na  \n\n\n\nb\n```\n\n\n\nkeep  \n```\n\n\n')).toBe('a\n\nb\n```\n\n\n\nkeep  \n```\n');
  });
});

describe('inline comments and issues', () => {
  const failing = failingReview();
  const withFix = failing.findings.find((f) => f.fix && !f.fix.choose)!;
  const choose = failing.findings.find((f) => f.fix?.choose)!;

  it('carries the fingerprint marker on its first line', () => {
    const body = renderInline(withFix);
    expect(parseFingerprintMarker(body)).toBe(fingerprintKey(withFix.fingerprint));
    expect(parseFingerprintMarker('text\n' + fingerprintMarker('abc'))).toBeNull();
  });

  it('attaches a suggestion block only with a fix and when allowed', () => {
    expect(renderInline(withFix)).toContain('```suggestion\n');
    expect(renderInline(withFix, { suggestions: false })).not.toContain('suggestion\n');
    expect(renderInline(choose)).toContain('replace the marked value');
    expect(inlineAnchor(withFix)).toEqual({ startLine: 3, line: 3 });
    expect(inlineAnchor(withFix, false)).toEqual({ startLine: 3, line: 12 });
  });

  it('uses a longer fence when the suggestion holds backticks', () => {
    const body = renderInline(hostileReview().findings[0]!);
    expect(body).toContain('````suggestion\n');
    expect(body.trimEnd().split('\n').filter((l) => l === '````').length).toBe(1);
  });

  it('issue titles are plain one-liners that mention nobody', () => {
    const t = issueTitle(hostileReview().findings[0]!);
    expect(t).not.toMatch(/\n/);
    expect(t).not.toMatch(/@[A-Za-z0-9]/);
    expect(t.length).toBeLessThanOrEqual(200);
    const { title, body } = renderIssue(withFix, { fileUrl: 'https://github.com/acme/models/blob/main/infra/endpoint.tf#L3' });
    expect(title).toBe('Endpoint storage is encrypted with a customer-managed KMS key (aws_sagemaker_endpoint_configuration.scoring)');
    expect(body.split('\n')[0]).toBe(fingerprintMarker(withFix.fingerprint));
    expect(body).toContain('[`infra/endpoint.tf:3`](https://github.com/acme/models/blob/main/infra/endpoint.tf#L3)');
  });
});

describe('markdown report', () => {
  it('lists every finding', () => {
    const r = hugeReview(300);
    const text = renderMarkdownReport(r, gate);
    for (const f of r.findings) expect(text).toContain(`\`${f.address}\``);
    expect(text).not.toContain(SUMMARY_MARKER);
    expect(text.match(/^#### [🔴🟠🟡🔵⚪]/gmu)?.length).toBe(r.findings.length);
  });
});
