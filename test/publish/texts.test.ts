/**
 * The sentences the publishers post come from templates: the check run lifecycle ones are built in
 * only (a repository cannot override them, and is told so), the comments follow a repository's
 * overrides. Every template this module renders is documented in templates/README.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ONLY, TEMPLATES_DIR, checkOverrides, templateNames } from '../../src/render/handlebars.js';
import { checkFailedText, checkStartedText, inlineReviewBody, issueClosedComment } from '../../src/publish/github/texts.js';

const counts = { count: 2, folded: 0, outOfDiff: 0, maxInline: 15, summaryComment: true };
const fileUrl = () => 'https://github.com/acme/models/blob/x/a.tf#L1';

describe('publisher texts', () => {
  it('a check run template gives the title on its first line and the summary after it', () => {
    expect(checkStartedText()).toEqual({
      title: 'Reviewing…',
      summary: 'ML Lens is reviewing the changed files against the AWS Well-Architected Machine Learning Lens.',
    });
  });

  it('a failure title is plain text, one line, at most 200 characters; the summary escapes the reason', () => {
    const { title, summary } = checkFailedText({ reason: `<b>bad</b> **${'x'.repeat(300)}**\nsecond line`, details: ['', '  ', '@team'] });
    expect(title.startsWith('Review failed: <b>bad</b> **')).toBe(true);
    expect(title.length).toBeLessThanOrEqual(200);
    expect(title).not.toContain('second line');
    expect(summary).toContain('&lt;b&gt;bad&lt;/b&gt; \\*\\*');
    expect(summary).toContain('- @&#8203;team');
    expect(summary.match(/^- /gm)).toHaveLength(1); // blank details are dropped
  });

  it('refuses an override of a built-in-only template, naming it', () => {
    expect([...BUILT_IN_ONLY].sort()).toEqual(['check-failed', 'check-interrupted', 'check-started', 'check-superseded']);
    const problems = checkOverrides({ 'check-failed.hbs': 'Review failed\n\nAll good, really.', 'issue-closed.hbs': 'Closed.' });
    expect(problems.map((p) => p.message)).toEqual(['ML Lens template "check-failed" (repository override): cannot be overridden: it is written before the repository\'s templates are read']);
  });

  it('comments follow the repository’s overrides and lose the final newline', () => {
    expect(inlineReviewBody(counts, { 'inline-review': 'ACME bot: {{count}} new\n' })).toBe('ACME bot: 2 new');
    const link = { short: 'abcdef1', url: 'https://github.com/acme/models/commit/abcdef1' };
    expect(issueClosedComment({ why: 'gone' }, link, fileUrl, { 'issue-closed': 'Gone at {{commit.short}} ({{why}}).' })).toBe('Gone at abcdef1 (gone).');
  });

  it('every template is listed in templates/README.md', () => {
    const readme = readFileSync(`${TEMPLATES_DIR}README.md`, 'utf8');
    for (const name of templateNames().filter((n) => !n.startsWith('_'))) expect(readme, name).toContain(`\`${name}.hbs\``);
  });
});
