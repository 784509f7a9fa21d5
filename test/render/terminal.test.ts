import { describe, expect, it } from 'vitest';
import { renderTerminal, shouldUseColor, wrap } from '../../src/render/terminal.js';
import { failingReview, hostileReview } from './fixtures.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('shouldUseColor', () => {
  it('follows the TTY by default', () => {
    expect(shouldUseColor(tty, {})).toBe(true);
    expect(shouldUseColor(pipe, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor(undefined, {})).toBe(false);
  });

  it('NO_COLOR with any non-empty value disables colour, even with FORCE_COLOR', () => {
    for (const v of ['1', '0', 'false', 'yes', ' ']) expect(shouldUseColor(tty, { NO_COLOR: v }), v).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('FORCE_COLOR forces colour on or off', () => {
    expect(shouldUseColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '3' })).toBe(true);
    expect(shouldUseColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldUseColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('TERM=dumb disables colour unless forced', () => {
    expect(shouldUseColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(shouldUseColor(tty, { TERM: 'dumb', FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('renderTerminal', () => {
  it('has no escape sequence at all without colour', () => {
    for (const r of [failingReview(), hostileReview()]) {
      const text = renderTerminal(r, { color: false });
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/);
    }
  });

  it('colours severities and the verdict when asked', () => {
    const text = renderTerminal(failingReview(), { color: true });
    expect(text).toContain('\u001b[31m');
    expect(text.split('\n')[0]).toBe('\u001b[1m\u001b[31m✗ ML Lens review: failing\u001b[39m\u001b[22m');
  });

  it('lets no repository value drive the terminal, colour or not', () => {
    const text = renderTerminal(hostileReview(), { color: true });
    // only SGR sequences of our own: ESC [ digits m
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/);
    expect(text).not.toContain('\u001b]8;');
  });

  it('shows findings as path:line grouped by file', () => {
    const text = renderTerminal(failingReview(), { color: false });
    expect(text).toMatch(/^infra\/endpoint\.tf {2}\(3 findings\)$/m);
    expect(text).toMatch(/^ {2}infra\/endpoint\.tf:3 {2}HIGH {2}Endpoint storage/m);
    expect(text).toContain('Sustainability          not assessed  not assessed     n/a');
  });

  it('wraps at the width', () => {
    const text = renderTerminal(failingReview(), { color: false, width: 60, failOn: 'high', minScore: 0 });
    // every line fits, except a path:line that is longer than the width by itself
    for (const line of text.split('\n')) {
      if (line.length > 60) expect(line, 'only a path:line lead may overflow').toMatch(/^ {2}\S+:\d+ {2}\S+$/);
    }
    expect(wrap('a b c', 3)).toEqual(['a b', 'c']);
    expect(wrap('averyveryverylongword x', 5)).toEqual(['averyveryverylongword', 'x']);
  });
});
