import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { clip, code, codeCell, esc, fenceFor, plain, safeUrl } from '../../src/render/escape.js';

/** As close to GitHub as markdown-it gets: raw HTML passes through, bare URLs become links. */
const md = new MarkdownIt({ html: true, linkify: true });
const inline = (s: string) => md.renderInline(s);
const block = (s: string) => md.render(s);

/** Visible text outside code elements, with entities decoded (what GitHub scans for mentions). */
function textOutsideCode(html: string): string {
  return html
    .replace(/<code>[\s\S]*?<\/code>/g, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&#8203;|&ZeroWidthSpace;/g, '\u200b')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('esc', () => {
  it('leaves ordinary paths and identifiers readable', () => {
    expect(esc('infra/main.tf')).toBe('infra/main.tf');
    expect(esc('aws_sagemaker_endpoint_configuration.scoring')).toBe('aws_sagemaker_endpoint_configuration.scoring');
    expect(esc('model-build-train (v2)')).toBe('model-build-train (v2)');
    expect(esc('${var.env}')).toBe('\\${var.env}');
  });

  it('turns HTML into text', () => {
    const s = esc('<script>alert(1)</script> & <img src=x onerror=alert(1)>');
    expect(s).toBe('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    const html = inline(s);
    expect(html).not.toMatch(/<script|<img/);
    expect(textOutsideCode(html)).toBe('<script>alert(1)</script> & <img src=x onerror=alert(1)>');
  });

  it('breaks links, images and autolinks', () => {
    for (const hostile of ['[click](javascript:alert(1))', '](javascript:alert(1))', '![x](https://evil/x.png)', '<https://evil>', '[a]: https://evil']) {
      const html = inline(esc(hostile));
      expect(html, hostile).not.toMatch(/<img/);
      // A bare URL may still be linked (GitHub links bare URLs too), but only to itself: no link
      // text can hide where it goes.
      for (const m of html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)) expect(m[2], hostile).toBe(m[1]);
      expect(html.match(/<a /g)?.length ?? 0, hostile).toBe(html.match(/<a href="([^"]*)">\1<\/a>/g)?.length ?? 0);
      expect(textOutsideCode(html), hostile).toBe(hostile);
    }
  });

  it('neutralises @mentions and issue references', () => {
    const s = esc('cc @org/team and @octocat, see #12 and org/repo#3; mail a@b.c');
    expect(s).toBe('cc @&#8203;org/team and @&#8203;octocat, see #&#8203;12 and org/repo#&#8203;3; mail a@&#8203;b.c');
    const text = textOutsideCode(inline(s));
    expect(text).not.toMatch(/@[A-Za-z0-9]/);
    expect(text).not.toMatch(/#[0-9]/);
  });

  it('collapses newlines so a value cannot start a block', () => {
    const s = esc('first\n\n## Heading\r\n- item\n> quote\u2028next\ttab');
    expect(s).not.toMatch(/\n/);
    const html = block(s);
    expect(html).toMatch(/^<p>[^]*<\/p>\n$/);
    expect(html).not.toMatch(/<h2|<li|<blockquote/);
  });

  it('escapes what starts a block at the start of a value', () => {
    for (const s of ['# heading', '- item', '+ item', '1. item', '12) item', '---', '===', '> quote', '    indented']) {
      const html = block(esc(s));
      expect(html, s).toMatch(/^<p>/);
    }
  });

  it('keeps a trailing # in a heading', () => {
    expect(md.render(`#### ${esc('Use C #')}`)).toBe('<h4>Use C #</h4>\n');
    expect(md.render(`#### ${esc('##')}`)).toBe('<h4>##</h4>\n');
  });

  it('escapes emphasis, strikethrough, code and math, but not intraword underscores', () => {
    expect(esc('*bold* _it_ ~~gone~~ `code` $x$ snake_case_name')).toBe(
      '\\*bold\\* \\_it\\_ \\~\\~gone\\~\\~ \\`code\\` \\$x\\$ snake_case_name',
    );
    const html = inline(esc('*bold* _it_ ~~gone~~ `code` __strong__'));
    expect(html).not.toMatch(/<em>|<strong>|<s>|<code>/);
  });

  it('escapes pipes so a table cell stays one cell', () => {
    const table = (cell: string) => block(`| a | b |\n|---|---|\n| ${cell} | end |`);
    for (const v of ['a|b', 'a\\|b', 'x \\\\| y', '`a|b`']) {
      const html = table(esc(v));
      expect((html.match(/<td>/g) ?? []).length, v).toBe(2);
      expect(html, v).toContain('<td>end</td>');
    }
  });

  it('removes control characters and bidi overrides', () => {
    expect(esc('a\u001b[31mred\u0007\u202egnp.exe')).toBe('a\\[31mredgnp.exe');
    expect(plain('x\u0000y\u009bz\u2066w')).toBe('xyzw');
  });

  it('clips long values', () => {
    expect(esc('x'.repeat(500), 10)).toBe('xxxxxxxxx…');
    expect(clip('😀'.repeat(5), 3)).toBe('😀😀…');
    expect(esc(null)).toBe('');
    expect(esc(42)).toBe('42');
  });

  it('cannot produce one of our hidden markers', () => {
    expect(esc('<!-- ml-lens:summary -->')).toBe('&lt;!-- ml-lens:summary --&gt;');
    expect(code('<!-- ml-lens:summary -->')).not.toContain('<!--');
    expect(codeCell('x --> y')).not.toContain('-->');
  });
});

describe('code', () => {
  it('chooses a fence longer than any run of backticks inside', () => {
    expect(code('main.tf')).toBe('`main.tf`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('a``b`')).toBe('``` a``b` ```');
    expect(code('`x`')).toBe('`` `x` ``');
    for (const v of ['a`b', 'a``b`', '`x`', '```', 'infra/`weird`|name.tf']) {
      const html = inline(code(v));
      expect(html, v).toBe(`<code>${md.utils.escapeHtml(v)}</code>`);
    }
  });

  it('keeps mentions and HTML inert inside the span', () => {
    expect(inline(code('@org/team <script>'))).toBe('<code>@org/team &lt;script&gt;</code>');
  });

  it('is one line', () => {
    expect(code('a\nb')).toBe('`a b`');
    expect(code('')).toBe('` `');
  });

  it('codeCell keeps a table cell whole', () => {
    const html = block(`| a | b |\n|---|---|\n| ${codeCell('x|y')} | ${codeCell('plain')} |`);
    expect((html.match(/<td>/g) ?? []).length).toBe(2);
    expect(html).toContain('<td><code>plain</code></td>');
  });
});

describe('safeUrl and fenceFor', () => {
  it('accepts http(s) only and encodes what could end a destination', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,x')).toBeNull();
    expect(safeUrl('https://github.com/a/b/blob/c/x (1).tf#L2')).toBeNull(); // whitespace: not a URL
    expect(safeUrl('https://github.com/a/b/blob/c/x(1)|y.tf#L2')).toBe('https://github.com/a/b/blob/c/x%281%29%7Cy.tf#L2');
  });

  it('fences with at least three backticks', () => {
    expect(fenceFor('plain')).toBe('```');
    expect(fenceFor('has ``` inside')).toBe('````');
  });
});
